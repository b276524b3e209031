// The one mapping between Xinzhi's graph and RDF, used by every RDF reader and writer
// (N-Triples, N-Quads, Turtle, TriG): entities are IRIs under a base IRI (or their own IRI when
// the identifier is an absolute IRI), values are literals with XML Schema datatypes, strings keep
// their language tags, a transaction is a named graph described with PROV-O and Dublin Core
// terms. Documentation/Formats.md states the mapping for people.

/// The RDF syntaxes Xinzhi reads and writes; the raw values are the usual file extensions.
public enum RDFSyntax: String, Sendable, CaseIterable {
  /// W3C N-Triples 1.1 (`.nt`): one triple per line, absolute IRIs only; no provenance.
  case ntriples = "nt"
  /// W3C N-Quads 1.1 (`.nq`): N-Triples with an optional graph name per line.
  case nquads = "nq"
  /// W3C Turtle 1.1 (`.ttl`): triples grouped by subject, with prefixes; no provenance.
  case turtle = "ttl"
  /// W3C TriG 1.1 (`.trig`): Turtle with named graphs.
  case trig

  /// Whether the syntax has named graphs (and so carries provenance).
  public var hasGraphs: Bool { self == .nquads || self == .trig }
}

/// A term of an RDF statement, as read or about to be written.
public enum RDFTerm: Hashable, Sendable {
  /// An absolute IRI (already resolved against the document's base).
  case iri(String)
  /// A blank node, by its label in the document.
  case blank(String)
  /// A literal: its lexical form, a language tag (lowercase) or a datatype IRI (nil for
  /// `xsd:string`).
  case literal(String, language: String?, datatype: String?)
}

/// One RDF statement with the graph it is in (nil: the default graph) and where it was read.
public struct RDFQuad: Hashable, Sendable {
  /// The subject: an IRI or a blank node.
  public var subject: RDFTerm
  /// The predicate: an IRI.
  public var predicate: RDFTerm
  /// The object.
  public var object: RDFTerm
  /// The graph name; nil for the default graph.
  public var graph: RDFTerm?
  /// The 1-based line and column (in characters) where the statement's subject starts; 0 when
  /// unknown.
  public var line: Int
  /// See ``line``.
  public var column: Int

  /// Creates a statement.
  public init(_ subject: RDFTerm, _ predicate: RDFTerm, _ object: RDFTerm, graph: RDFTerm? = nil, line: Int = 0, column: Int = 0) {
    self.subject = subject
    self.predicate = predicate
    self.object = object
    self.graph = graph
    self.line = line
    self.column = column
  }
}

/// Entities, values and transactions as RDF terms, and back.
public struct RDFMapping: Sendable {
  /// The IRI prefix of entities whose identifiers are not IRIs themselves (`urn:xinzhi:` unless
  /// configured; `xinzhi export --base IRI`).
  public var base: String

  /// The default base IRI.
  public static let defaultBase = "urn:xinzhi:"

  /// A mapping with a base IRI.
  public init(base: String = RDFMapping.defaultBase) { self.base = base }

  /// The RDF namespace.
  public static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  /// The RDF Schema namespace.
  public static let rdfs = "http://www.w3.org/2000/01/rdf-schema#"
  /// The XML Schema datatypes namespace.
  public static let xsd = "http://www.w3.org/2001/XMLSchema#"
  /// The PROV-O namespace.
  public static let prov = "http://www.w3.org/ns/prov#"
  /// The Dublin Core terms namespace.
  public static let dcterms = "http://purl.org/dc/terms/"
  /// The SKOS namespace.
  public static let skos = "http://www.w3.org/2004/02/skos/core#"
  /// Xinzhi's own terms for what PROV-O and Dublin Core have no word for.
  public static let xz = "urn:xinzhi:vocabulary#"

  /// The prefixes writers declare, in this order.
  public static let prefixes: [(name: String, iri: String)] = [
    ("rdf", rdf), ("rdfs", rdfs), ("xsd", xsd), ("skos", skos), ("prov", prov), ("dcterms", dcterms), ("xz", xz),
  ]

  /// Entities written as the standard terms RDF tools know, and read back from them: a `type`
  /// fact is `rdf:type`, a `label` is `rdfs:label`, and so on. The correspondence is one to one
  /// in both directions, in every position of a statement.
  public static let standardTerms: [(entity: String, iri: String)] = [
    ("type", rdf + "type"), ("label", rdfs + "label"), ("subclass_of", rdfs + "subClassOf"),
    ("alias", skos + "altLabel"), ("description", dcterms + "description"),
  ]

  // MARK: entities

  /// The IRI of an entity: its identifier when that is an absolute IRI, else the base plus the
  /// identifier, percent-encoded where IRIs cannot hold a character.
  public func iri(forEntity id: String) -> String {
    if let standard = RDFMapping.standardTerms.first(where: { $0.entity == id }) { return standard.iri }
    if RDFMapping.isAbsoluteIRI(id), !id.hasPrefix(base) || id == base { return id }
    // Most identifiers are plain ASCII names: nothing to encode.
    if id.utf8.allSatisfy({ b in (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D || b == 0x2E }) {
      return base + id
    }
    return base + RDFMapping.percentEncoded(id) { scalar in
      let v = scalar.value
      let safeASCII = (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39)
        || "-._~:@!$&'()*+,;=/?#[]".unicodeScalars.contains(scalar)
      return (v >= 0xA0 && v != 0x2028 && v != 0x2029) || safeASCII
    }
  }

  /// The entity an IRI names: the identifier after the base (percent-decoded), or the IRI
  /// itself.
  public func entityID(fromIRI iri: String) -> String {
    if let standard = RDFMapping.standardTerms.first(where: { $0.iri == iri }) { return standard.entity }
    if iri.hasPrefix(base), iri.count > base.count {
      let encoded = String(iri.dropFirst(base.count))
      return RDFMapping.percentDecode(encoded) ?? encoded
    }
    return iri
  }

  /// The entity a blank node becomes: `_:`, the document's scope (so that two documents' `_:b1`
  /// stay two entities) and its label.
  public static func entityID(fromBlank label: String, scope: String = "") -> String { "_:" + scope + label }

  /// Whether an identifier is an absolute IRI (a scheme, a colon, no forbidden characters).
  public static func isAbsoluteIRI(_ id: String) -> Bool {
    guard let colon = id.firstIndex(of: ":"), colon != id.startIndex else { return false }
    let scheme = id[..<colon]
    guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
      scheme.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "+" || $0 == "-" || $0 == ".") })
    else { return false }
    guard !id.unicodeScalars.contains(where: { $0.value <= 0x20 || "<>\"{}|^`\\".unicodeScalars.contains($0) }) else { return false }
    // `%` only as a percent-escape (`%28`), as IRIs from other tools hold them.
    let bytes = Array(id.utf8)
    for (i, b) in bytes.enumerated() where b == UInt8(ascii: "%") {
      guard i + 2 < bytes.count, isHexDigit(bytes[i + 1]), isHexDigit(bytes[i + 2]) else { return false }
    }
    return true
  }

  private static func isHexDigit(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
  }

  /// The term for an entity: always an IRI. An entity named like a blank node (`_:b1`, from an
  /// earlier import) is written `<BASE_:b1>`, which reads back as the same entity; written as a
  /// blank node it would merge with another document's `_:b1`, and could not be a predicate.
  public func term(forEntity id: String) -> RDFTerm { .iri(iri(forEntity: id)) }

  // MARK: values

  /// The term for a value.
  public func term(for value: Value) -> RDFTerm {
    switch value {
    case .entity(let id): return term(forEntity: id)
    case .string(let text, let language): return .literal(text, language: language.flatMap { $0.isEmpty ? nil : $0 }, datatype: nil)
    default:
      let (lexical, datatype) = RDFMapping.typedLiteral(value) ?? (value.description, nil)
      return .literal(lexical, language: nil, datatype: datatype)
    }
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

  /// Why a term has no value in Xinzhi.
  public enum Unrepresentable: Error, Equatable, Sendable {
    /// A literal whose datatype Xinzhi does not model (`xsd:double`, `xsd:dateTime`, …).
    case datatype(String)
    /// A literal whose lexical form does not fit its datatype (`"x"^^xsd:integer`).
    case lexicalForm(String, datatype: String)
  }

  /// The value of a term: an entity for an IRI or a blank node (named within `blankScope`), a
  /// string, or a typed value.
  public func value(for term: RDFTerm, blankScope: String = "") -> Result<Value, Unrepresentable> {
    switch term {
    case .iri(let iri): return .success(.entity(entityID(fromIRI: iri)))
    case .blank(let label): return .success(.entity(RDFMapping.entityID(fromBlank: label, scope: blankScope)))
    case .literal(let text, let language, let datatype):
      guard let datatype, datatype != RDFMapping.xsd + "string", datatype != RDFMapping.rdf + "langString" else {
        return .success(.string(text, language: language))
      }
      guard let kind = RDFMapping.modelledDatatypes[datatype] else { return .failure(.datatype(datatype)) }
      guard let value = RDFMapping.value(lexical: text, kind: kind) else { return .failure(.lexicalForm(text, datatype: datatype)) }
      return .success(value)
    }
  }

  private enum Kind { case integer, decimal, boolean, date }

  private static let modelledDatatypes: [String: Kind] = {
    var table: [String: Kind] = [:]
    for name in [
      "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger", "negativeInteger",
      "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    ] { table[xsd + name] = .integer }
    table[xsd + "decimal"] = .decimal
    table[xsd + "boolean"] = .boolean
    for name in ["date", "gYear", "gYearMonth"] { table[xsd + name] = .date }
    return table
  }()

  private static func value(lexical: String, kind: Kind) -> Value? {
    switch kind {
    case .integer:
      let trimmed = lexical.hasPrefix("+") ? String(lexical.dropFirst()) : lexical
      return Int64(trimmed).map { .integer($0) }
    case .decimal:
      var text = lexical.hasPrefix("+") ? String(lexical.dropFirst()) : lexical
      if !text.contains(".") { text += ".0" }
      if text.hasPrefix(".") { text = "0" + text }
      if text.hasPrefix("-.") { text = "-0" + text.dropFirst() }
      if text.hasSuffix(".") { text += "0" }
      return DecimalValue(parsing: Substring(text)).map { .decimal($0) }
    case .boolean:
      switch lexical {
      case "true", "1": return .boolean(true)
      case "false", "0": return .boolean(false)
      default: return nil
      }
    case .date:
      let value = LiteralSyntax.parseValue("@" + lexical)
      if case .date? = value { return value }
      return nil
    }
  }

  // MARK: transactions

  /// The IRI of the named graph holding what a transaction asserted.
  public func graphIRI(forTransaction number: TxNumber) -> String { base + "tx/" + String(number) }

  /// The predicate a transaction's metadata key is written with: Dublin Core and PROV-O terms
  /// for the keys they have words for, `xz:KEY` for the others.
  public static func metadataPredicate(forKey key: String) -> String {
    if let known = knownMetadata.first(where: { $0.key == key }) { return known.iri }
    return xz + percentEncodedKey(key)
  }

  /// The metadata key a predicate stands for (nil for a predicate that is not one).
  public static func metadataKey(forPredicate iri: String) -> String? {
    if let known = knownMetadata.first(where: { $0.iri == iri }) { return known.key }
    guard iri.hasPrefix(xz) else { return nil }
    let key = String(iri.dropFirst(xz.count))
    if [transactionPredicateName].contains(key) { return nil }
    return percentDecode(key)
  }

  /// The keys with standard words: the cited source, the claim kind (a kind of statement, so
  /// `dcterms:type`), the section (what the cited passage is part of), a free note.
  public static let knownMetadata: [(key: String, iri: String)] = [
    ("source", dcterms + "source"), ("claim", dcterms + "type"), ("section", dcterms + "isPartOf"),
    ("note", rdfs + "comment"),
  ]

  /// `xz:transaction-number`: the transaction number a graph had in the store it was exported from.
  public static let transactionPredicateName = "transaction-number"
  /// `xz:transaction-number` as a full IRI.
  public static var transactionPredicate: String { xz + transactionPredicateName }
  /// `prov:generatedAtTime`: when the transaction was committed (`xsd:dateTime`).
  public static var timePredicate: String { prov + "generatedAtTime" }
  /// `prov:Bundle`: the class of a named graph holding one transaction.
  public static var bundleClass: String { prov + "Bundle" }
  /// `rdf:type`.
  public static var typePredicate: String { rdf + "type" }

  private static func percentEncodedKey(_ key: String) -> String {
    percentEncoded(key) { s in s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "_" || s == "-") }
  }

  /// `text` with every scalar `keep` refuses written as `%XX` escapes of its UTF-8 bytes.
  static func percentEncoded(_ text: String, keeping keep: (Unicode.Scalar) -> Bool) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      if keep(scalar) {
        out.unicodeScalars.append(scalar)
      } else {
        for byte in String(scalar).utf8 { out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true) }
      }
    }
    return out
  }

  /// Decodes `%XX` escapes; nil when an escape is malformed or the bytes are not UTF-8.
  public static func percentDecode(_ text: String) -> String? {
    guard text.contains("%") else { return text }
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
