// How N-Triples terms map back onto entities and values: the inverse of GraphExport's
// `TripleWriter` (an IRI `<urn:xinzhi:x>` is the entity `x`, any other IRI is an entity named by
// the IRI itself; XML Schema datatypes become integers, decimals, booleans and dates).

import GraphModel

/// The mapping from N-Triples terms onto entities and values.
public enum EntityIRI {
  /// The IRI prefix for entities whose identifiers are not IRIs themselves.
  public static let prefix = "urn:xinzhi:"
  /// The XML Schema namespace.
  public static let xsd = "http://www.w3.org/2001/XMLSchema#"

  /// The entity identifier for an IRI read from N-Triples.
  public static func entityID(fromIRI iri: String) -> String {
    if iri.hasPrefix(prefix) {
      let encoded = String(iri.dropFirst(prefix.count))
      return percentDecode(encoded) ?? encoded
    }
    return iri
  }

  /// A typed value for an N-Triples literal with a datatype, or nil when the datatype is not one
  /// Xinzhi models (or the lexical form does not fit it).
  public static func value(lexical: String, datatype: String) -> Value? {
    guard datatype.hasPrefix(xsd) else { return nil }
    let name = String(datatype.dropFirst(xsd.count))
    switch name {
    case "string": return .string(lexical)
    case "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
      "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte":
      let trimmed = lexical.hasPrefix("+") ? String(lexical.dropFirst()) : lexical
      return Int64(trimmed).map { .integer($0) }
    case "decimal":
      var text = lexical.hasPrefix("+") ? String(lexical.dropFirst()) : lexical
      if !text.contains(".") { text += ".0" }
      if text.hasPrefix(".") { text = "0" + text }
      if text.hasPrefix("-.") { text = "-0" + text.dropFirst() }
      if text.hasSuffix(".") { text += "0" }
      return DecimalValue(parsing: Substring(text)).map { .decimal($0) }
    case "boolean":
      switch lexical {
      case "true", "1": return .boolean(true)
      case "false", "0": return .boolean(false)
      default: return nil
      }
    case "date", "gYear", "gYearMonth":
      let value = LiteralSyntax.parseValue("@" + lexical)
      if case .date? = value { return value }
      return nil
    default:
      return nil
    }
  }

  static func percentDecode(_ text: String) -> String? {
    var bytes: [UInt8] = []
    var utf8 = Array(text.utf8)[...]
    while let b = utf8.first {
      utf8 = utf8.dropFirst()
      if b == UInt8(ascii: "%") {
        guard utf8.count >= 2, let v = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) else { return nil }
        bytes.append(v)
        utf8 = utf8.dropFirst(2)
      } else {
        bytes.append(b)
      }
    }
    return String(validating: bytes, as: UTF8.self)
  }
}
