// Export of stored triples in the interchange formats (TSV, N-Triples).

import GraphExport
import GraphModel

/// The line formats of `xinzhi export`.
public typealias TripleWriterFormat = TripleWriter.Format

extension GraphStore {
  /// One export line (without newline) for a triple.
  public func exportLine(_ triple: Triple, format: TripleWriterFormat) -> String {
    TripleWriter.line(triple, format: format)
  }
}
