// Re-exports the value types of the public API, so that `import KnowledgeGraph` is enough.

@_exported import Diagnostics
@_exported import GraphModel
