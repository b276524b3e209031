// Writes triples as TSV lines (the literal syntax for values, readable back by `xinzhi import`)
// or as N-Triples 1.1 lines (RDFWriter; entities as IRIs, typed values with XML Schema
// datatypes).

import GraphModel

/// Formats triples as lines of an interchange format.
public enum TripleWriter {
  /// The formats `xinzhi export` writes line by line.
  public enum Format: String, Sendable, CaseIterable {
    /// Tab-separated: subject, predicate, object in literal syntax.
    case tsv
    /// W3C N-Triples 1.1.
    case ntriples = "nt"
  }

  /// One line (without its newline) for a triple.
  public static func line(_ triple: Triple, format: Format) -> String {
    switch format {
    case .tsv: return tsvLine(triple)
    case .ntriples: return ntriplesLine(triple)
    }
  }

  /// `subject<TAB>predicate<TAB>object`; entities that would be ambiguous are single-quoted.
  public static func tsvLine(_ triple: Triple) -> String {
    tsvEntity(triple.subject) + "\t" + tsvEntity(triple.predicate) + "\t" + LiteralSyntax.format(triple.object)
  }

  static func tsvEntity(_ id: String) -> String {
    let needsQuotes = id.isEmpty || id.hasPrefix("'") || id.hasPrefix("#")
      || id.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    return needsQuotes ? LiteralSyntax.quote(id, with: "'") : id
  }

  /// `<s> <p> <o> .` with entities and values mapped by GraphModel's ``RDFMapping``.
  public static func ntriplesLine(_ triple: Triple) -> String {
    String(ntriples.line(triple, graph: nil).dropLast())
  }

  private static let ntriples = RDFWriter(syntax: .ntriples)
}
