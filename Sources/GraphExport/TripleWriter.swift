// Writes triples as TSV lines (the literal syntax for values, readable back by `xinzhi import`)
// or as N-Triples 1.1 lines (entities as IRIs, typed values with XML Schema datatypes).

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

  /// `<s> <p> <o> .` with entities mapped by ``iri(forEntity:)``.
  public static func ntriplesLine(_ triple: Triple) -> String {
    var line = ntriplesEntity(triple.subject) + " " + ntriplesEntity(triple.predicate) + " "
    switch triple.object {
    case .entity(let id):
      line += ntriplesEntity(id)
    case .string(let text, let language):
      line += ntriplesString(text)
      if let language, !language.isEmpty { line += "@" + language }
    default:
      if let (lexical, datatype) = typedLiteral(triple.object) {
        line += ntriplesString(lexical) + "^^<" + datatype + ">"
      }
    }
    return line + " ."
  }

  static func ntriplesEntity(_ id: String) -> String {
    if id.hasPrefix("_:"), id.count > 2,
      id.dropFirst(2).unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") })
    {
      return id
    }
    return "<" + iri(forEntity: id) + ">"
  }

  static func ntriplesString(_ text: String) -> String {
    LiteralSyntax.quote(text, with: "\"") { $0 < 0x20 || $0 == 0x7F }
  }

  /// The IRI prefix for entities whose identifiers are not IRIs themselves.
  public static let entityPrefix = "urn:xinzhi:"
  static let xsd = "http://www.w3.org/2001/XMLSchema#"

  /// The IRI of an entity: its identifier when that is an absolute IRI, else `urn:xinzhi:` plus
  /// the identifier, percent-encoded where IRIs cannot hold a character.
  public static func iri(forEntity id: String) -> String {
    if isAbsoluteIRI(id) { return id }
    var out = entityPrefix
    for scalar in id.unicodeScalars {
      let v = scalar.value
      let safeASCII = (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39)
        || "-._~:@!$&'()*+,;=/?#[]".unicodeScalars.contains(scalar)
      if (v >= 0xA0 && v != 0x2028 && v != 0x2029) || safeASCII {
        out.unicodeScalars.append(scalar)
      } else {
        for byte in String(scalar).utf8 {
          out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }
      }
    }
    return out
  }

  /// Whether an identifier is an absolute IRI (a scheme, a colon, no forbidden characters).
  public static func isAbsoluteIRI(_ id: String) -> Bool {
    guard let colon = id.firstIndex(of: ":"), colon != id.startIndex, !id.hasPrefix(entityPrefix) else { return false }
    let scheme = id[..<colon]
    guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
      scheme.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "+" || $0 == "-" || $0 == ".") })
    else { return false }
    return !id.unicodeScalars.contains { $0.value <= 0x20 || "<>\"{}|^`\\%".unicodeScalars.contains($0) }
  }

  /// The lexical form and XML Schema datatype of a typed value (nil for strings and entities).
  public static func typedLiteral(_ value: Value) -> (lexical: String, datatype: String)? {
    switch value {
    case .integer(let i): return (String(i), xsd + "integer")
    case .decimal(let d): return (d.description, xsd + "decimal")
    case .boolean(let b): return (b ? "true" : "false", xsd + "boolean")
    case .date(let d):
      let type = d.day != nil ? "date" : (d.month != nil ? "gYearMonth" : "gYear")
      return (d.isoText, xsd + type)
    case .entity, .string: return nil
    }
  }
}
