// Writes triples as RDF: N-Triples, N-Quads, Turtle and TriG (W3C RDF 1.1), mapped by
// GraphModel's `RDFMapping`. With graphs (N-Quads, TriG) every transaction that still asserts a
// stored fact is a named graph `<BASE>tx/N` holding those facts, and the default graph
// describes each such graph with PROV-O and Dublin Core terms:
//
//   <urn:xinzhi:tx/12> a prov:Bundle ; xz:transaction-number 12 ;
//       prov:generatedAtTime "2026-11-24T00:00:00Z"^^xsd:dateTime ;
//       dcterms:source "000:L146-L152" ; dcterms:type "historical" .
//   <urn:xinzhi:tx/12> { x:uk_banking_system x:financed x:first_industrial_revolution . }
//
// A fact asserted by several transactions is in each of their graphs. Output is streamed: the
// caller hands over one transaction's facts at a time.

import GraphModel

/// Formats triples, and transactions with their facts, as RDF text.
public struct RDFWriter: Sendable {
  /// The RDF syntaxes written (GraphModel's one list, shared with the reader).
  public typealias Syntax = RDFSyntax

  /// The syntax written.
  public let syntax: Syntax
  /// The mapping of entities and values to RDF terms.
  public let mapping: RDFMapping

  /// The declared prefixes and the entity prefix, longest namespace first (so the most
  /// specific one wins).
  private let namespaces: [(name: String, iri: String)]

  /// A writer for a syntax and a mapping.
  public init(syntax: Syntax, mapping: RDFMapping = RDFMapping()) {
    self.syntax = syntax
    self.mapping = mapping
    namespaces = (RDFMapping.prefixes + [(RDFWriter.entityPrefix, mapping.base)]).sorted { $0.iri.count > $1.iri.count }
  }

  /// The prefix of the store's own entities in Turtle and TriG.
  static let entityPrefix = "x"

  /// What starts the document: the prefixes (Turtle and TriG), else nothing.
  public func header() -> String {
    guard syntax == .turtle || syntax == .trig else { return "" }
    var text = ""
    for (name, iri) in RDFMapping.prefixes { text += "@prefix \(name): <\(escapeIRI(iri))> .\n" }
    text += "@prefix \(RDFWriter.entityPrefix): <\(escapeIRI(mapping.base))> .\n\n"
    return text
  }

  /// Facts without provenance (N-Triples, Turtle; for N-Quads and TriG, facts in the default
  /// graph). Turtle groups consecutive facts of one subject.
  public func facts(_ triples: [Triple]) -> String {
    switch syntax {
    case .ntriples, .nquads:
      return triples.map { line($0, graph: nil) }.joined()
    case .turtle, .trig:
      return turtleBlock(triples, indent: "")
    }
  }

  /// One transaction's facts with its description (N-Quads, TriG); for N-Triples and Turtle,
  /// the facts alone. The same as ``transactionStart(_:)``, ``transactionFacts(_:facts:)`` and
  /// ``transactionEnd()`` together, which a caller uses to write a large transaction in pieces.
  public func transaction(_ info: TransactionInfo, facts triples: [Triple]) -> String {
    transactionStart(info) + transactionFacts(info, facts: triples) + transactionEnd()
  }

  /// What opens a transaction: its description and, in TriG, the graph's `{`.
  public func transactionStart(_ info: TransactionInfo) -> String {
    guard syntax.hasGraphs else { return "" }
    let graph = RDFTerm.iri(mapping.graphIRI(forTransaction: info.number))
    let description = describe(info, graph: graph)
    if syntax == .nquads {
      var text = ""
      for (p, o) in description { text += term(graph, compact: false) + " " + term(p, compact: false) + " " + term(o, compact: false) + " .\n" }
      return text
    }
    var text = term(graph, compact: true)
    for (index, (p, o)) in description.enumerated() {
      let predicate = p == .iri(RDFMapping.typePredicate) ? "a" : term(p, compact: true)
      text += (index == 0 ? " " : " ;\n    ") + predicate + " " + term(o, compact: true)
    }
    return text + " .\n" + term(graph, compact: true) + " {\n"
  }

  /// Some of a transaction's facts, inside its graph.
  public func transactionFacts(_ info: TransactionInfo, facts triples: [Triple]) -> String {
    switch syntax {
    case .ntriples, .turtle: return facts(triples)
    case .nquads:
      let graph = RDFTerm.iri(mapping.graphIRI(forTransaction: info.number))
      return triples.map { line($0, graph: graph) }.joined()
    case .trig: return turtleBlock(triples, indent: "  ")
    }
  }

  /// What closes a transaction: in TriG, the graph's `}`.
  public func transactionEnd() -> String { syntax == .trig ? "}\n\n" : "" }

  /// The statements describing a transaction's graph, in order: its class, number, time and
  /// metadata (in the log's order).
  func describe(_ info: TransactionInfo, graph: RDFTerm) -> [(RDFTerm, RDFTerm)] {
    var out: [(RDFTerm, RDFTerm)] = [
      (.iri(RDFMapping.typePredicate), .iri(RDFMapping.bundleClass)),
      (.iri(RDFMapping.transactionPredicate), .literal(String(info.number), language: nil, datatype: RDFMapping.xsd + "integer")),
      (.iri(RDFMapping.timePredicate), .literal(info.timestamp, language: nil, datatype: RDFMapping.xsd + "dateTime")),
    ]
    for (key, value) in info.metadata {
      out.append((.iri(RDFMapping.metadataPredicate(forKey: key)), .literal(value, language: nil, datatype: nil)))
    }
    return out
  }

  /// `s p o [g] .` and a newline.
  func line(_ triple: Triple, graph: RDFTerm?) -> String {
    var text = term(mapping.term(forEntity: triple.subject), compact: false) + " "
      + term(mapping.term(forEntity: triple.predicate), compact: false) + " "
      + term(mapping.term(for: triple.object), compact: false)
    if let graph { text += " " + term(graph, compact: false) }
    return text + " .\n"
  }

  /// Turtle statements grouped by consecutive subject, each line indented.
  func turtleBlock(_ triples: [Triple], indent: String) -> String {
    var text = ""
    var index = 0
    while index < triples.count {
      let subject = triples[index].subject
      text += indent + term(mapping.term(forEntity: subject), compact: true)
      var first = true
      while index < triples.count, triples[index].subject == subject {
        let t = triples[index]
        let iri = mapping.term(forEntity: t.predicate)
        let predicate = iri == .iri(RDFMapping.typePredicate) ? "a" : term(iri, compact: true)
        text += (first ? " " : " ;\n" + indent + "    ") + predicate + " " + term(mapping.term(for: t.object), compact: true)
        first = false
        index += 1
      }
      text += " .\n"
    }
    return text
  }

  /// A term in N-Triples form, or (compact) with a prefixed name where one is safe.
  public func term(_ term: RDFTerm, compact: Bool) -> String {
    switch term {
    case .iri(let iri):
      if compact, let name = prefixedName(iri) { return name }
      return "<" + escapeIRI(iri) + ">"
    case .blank(let label):
      return "_:" + label
    case .literal(let text, let language, let datatype):
      var out = RDFWriter.quoted(text)
      if let language { out += "@" + language }
      else if let datatype {
        if compact, let name = prefixedName(datatype) { out += "^^" + name } else { out += "^^<" + escapeIRI(datatype) + ">" }
      }
      return out
    }
  }

  /// `prefix:local` for an IRI under a declared prefix whose local part needs no escaping
  /// (ASCII letters, digits, `_` and `-`, not starting with `-`); nil otherwise.
  func prefixedName(_ iri: String) -> String? {
    for (name, namespace) in namespaces where iri.hasPrefix(namespace) {
      let local = iri.utf8.dropFirst(namespace.utf8.count)
      guard let first = local.first, first != UInt8(ascii: "-") else { continue }
      let safe = local.allSatisfy { b in
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2D
      }
      if safe { return name + ":" + String(decoding: local, as: UTF8.self) }
    }
    return nil
  }

  /// An IRI with the characters IRIREF cannot hold written as `\u` escapes.
  func escapeIRI(_ iri: String) -> String {
    if !iri.utf8.contains(where: { $0 <= 0x20 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x7B || $0 == 0x7D || $0 == 0x7C || $0 == 0x5E || $0 == 0x60 || $0 == 0x5C }) {
      return iri
    }
    var out = ""
    for scalar in iri.unicodeScalars {
      if scalar.value <= 0x20 || "<>\"{}|^`\\".unicodeScalars.contains(scalar) {
        out += scalar.value <= 0xFFFF ? "\\u" + hex(scalar.value, 4) : "\\U" + hex(scalar.value, 8)
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// A string literal in double quotes, escaped for N-Triples and Turtle alike (control
  /// characters as `\uXXXX`).
  public static func quoted(_ text: String) -> String {
    LiteralSyntax.quote(text, with: "\"") { $0 < 0x20 || $0 == 0x7F }
  }
}

private func hex(_ value: UInt32, _ width: Int) -> String {
  let digits = String(value, radix: 16, uppercase: true)
  return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
