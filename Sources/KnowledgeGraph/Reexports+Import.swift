// Import formats are part of the public API of `GraphStore.importTriples`.

@_exported import enum GraphImport.ImportFormat
