// Re-exports the value types of the public API, so that `import KnowledgeGraph` is enough.

@_exported import Diagnostics
@_exported import GraphModel
// The table of builtins, which the shell lists (`.schema`) and explains (`.help NAME`).
@_exported import enum QueryLanguage.Builtins
@_exported import enum QueryLanguage.BuiltinKind
@_exported import struct QueryLanguage.Builtin
