// Tests arrive with the engine tests.
