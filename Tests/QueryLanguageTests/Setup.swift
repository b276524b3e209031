// Tests arrive with the parser tests.
