// Import of RDF (Turtle, TriG, N-Triples, N-Quads) with its provenance: the inverse of
// `exportRDF`. Statements in a named graph become one transaction per graph; a graph described
// in the default graph (as `exportRDF` writes it: `prov:generatedAtTime`, `dcterms:source`, …)
// gets that description back as its commit time and metadata, so export then import gives the
// same facts and provenance. Anything Xinzhi cannot represent is reported and nothing is
// written. Documentation/Formats.md states the mapping.

import Diagnostics
import GraphImport
import GraphModel
import Platform
import TripleLog

extension GraphStore {
  /// What an RDF import wrote.
  public struct RDFImportReport: Sendable {
    /// The transactions written (nil when the document held no statements).
    public var transactions: ClosedRange<TxNumber>?
    /// Statements read, descriptions of graphs included.
    public var statements: Int
    /// Facts written (a fact in several graphs counts in each).
    public var facts: Int
  }

  /// Reads an RDF document and writes it as transactions, with one fsync.
  ///
  /// Each named graph becomes a transaction (ordered by `xz:transaction-number` when the document
  /// gives it, else by first appearance), and the default graph's other statements one more,
  /// first. A graph's description (`prov:generatedAtTime`, `dcterms:source`, `dcterms:type`,
  /// `dcterms:isPartOf`, `rdfs:comment`, `xz:KEY`) becomes its commit time and metadata, in
  /// document order; a graph without one gets the metadata `graph` with its IRI.
  ///
  /// - Parameters:
  ///   - path: The file (`-` for standard input).
  ///   - syntax: The RDF syntax.
  ///   - base: The IRI prefix that maps back to plain entity identifiers.
  ///   - metadata: Metadata added to every transaction written (for example a `source`), unless
  ///     the document's description gives the same key.
  ///   - defaultSource: The `source` of the transactions the document does not describe (the
  ///     default graph's statements, a named graph without a description), when `metadata` gives
  ///     none; nil for none.
  /// - Throws: `DiagnosticError`: 66 when the file cannot be read, 65 for a syntax error (with
  ///   file, line and column) or for statements Xinzhi cannot represent (each listed), 74 when
  ///   writing fails. Nothing is written on any error.
  public func importRDF(
    from path: String, syntax: RDFSyntax, base: String = RDFMapping.defaultBase, metadata: [(key: String, value: String)] = [],
    defaultSource: String? = nil
  ) throws(DiagnosticError) -> RDFImportReport {
    let name = path == "-" ? "<stdin>" : path
    let bytes = try GraphStore.readDocument(path)
    let mapping = RDFMapping(base: base)
    var defaultStatements: [RDFQuad] = []
    var graphOrder: [RDFTerm] = []
    var graphs: [RDFTerm: [RDFQuad]] = [:]
    var statements = 0
    do {
      try RDFReader(syntax: syntax, name: name).read(bytes) { quad in
        statements += 1
        guard let graph = quad.graph else {
          defaultStatements.append(quad)
          return
        }
        if graphs[graph] == nil {
          graphOrder.append(graph)
          graphs[graph] = []
        }
        graphs[graph, default: []].append(quad)
      }
    } catch let error as DiagnosticError {
      throw error
    } catch {
      throw DiagnosticError(.internalError, code: "rdf-read", "reading `\(TerminalText.visible(name))` failed: \(error)")
    }

    // Descriptions of named graphs, taken out of the default graph.
    struct Description {
      var number: TxNumber?
      var timestamp: String?
      var metadata: [(key: String, value: String)] = []
    }
    var descriptions: [RDFTerm: Description] = [:]
    var data: [RDFQuad] = []
    var problems: [String] = []
    for quad in defaultStatements {
      guard graphs[quad.subject] != nil, case .iri(let predicate) = quad.predicate else {
        data.append(quad)
        continue
      }
      var description = descriptions[quad.subject] ?? Description()
      switch (predicate, quad.object) {
      case (RDFMapping.typePredicate, .iri(RDFMapping.bundleClass)):
        break
      case (RDFMapping.transactionPredicate, .literal(let text, nil, _)):
        description.number = TxNumber(text)
      case (RDFMapping.timePredicate, .literal(let text, nil, _)):
        guard LogFormat.isValidTimestamp(Array(text.utf8)[...]) else {
          problems.append("\(name):\(quad.line):\(quad.column): the commit time `\(text)` is not of the form 2026-11-24T15:41:07Z")
          continue
        }
        description.timestamp = text
      default:
        guard let key = RDFMapping.metadataKey(forPredicate: predicate), case .literal(let text, _, _) = quad.object else {
          data.append(quad)
          continue
        }
        guard LogFormat.isValidMetadataKey(key) else {
          problems.append("\(name):\(quad.line):\(quad.column): `\(predicate)` names the metadata key `\(key)`, which is not of the form [a-z][a-z0-9_]*")
          continue
        }
        if description.metadata.contains(where: { $0.key == key }) {
          problems.append("\(name):\(quad.line):\(quad.column): a graph has a second `\(key)`; a transaction holds each key once")
          continue
        }
        description.metadata.append((key, text))
      }
      descriptions[quad.subject] = description
    }

    // Blank nodes are named within this import (`_:t12.b1` for the import whose first
    // transaction is 12), so another document's `_:b1` stays another entity.
    let blankScope = "t\(lastTransaction + 1)."
    func triple(_ quad: RDFQuad) -> Triple? {
      let place = "\(name):\(quad.line):\(quad.column)"
      guard case .success(let subject) = mapping.value(for: quad.subject, blankScope: blankScope), let s = subject.entityID,
        case .success(let predicate) = mapping.value(for: quad.predicate, blankScope: blankScope), let p = predicate.entityID
      else {
        problems.append("\(place): a statement's subject and predicate must be IRIs or blank nodes")
        return nil
      }
      switch mapping.value(for: quad.object, blankScope: blankScope) {
      case .success(let object):
        if case .string(_, let language?) = object, LiteralSyntax.parseValue("\"\"@" + language) == nil {
          problems.append("\(place): the language tag `\(language)` is not one Xinzhi stores (letters and digits, parts of at most 8 separated by `-`)")
          return nil
        }
        return Triple(s, p, object)
      case .failure(.datatype(let datatype)):
        problems.append("\(place): a literal of datatype <\(datatype)> has no Xinzhi value (integers, decimals, booleans, dates, gYear, gYearMonth and strings do)")
      case .failure(.lexicalForm(let text, let datatype)):
        problems.append("\(place): `\(text)` is not a valid <\(datatype)>")
      }
      return nil
    }
    func withDefaults(_ own: [(key: String, value: String)], described: Bool = true) -> [(key: String, value: String)] {
      var all = own + metadata.filter { extra in !own.contains { $0.key == extra.key } }
      if !described, let defaultSource, !all.contains(where: { $0.key == "source" }) { all.insert(("source", defaultSource), at: 0) }
      return all
    }

    var drafts: [TransactionDraft] = []
    let defaultFacts = data.compactMap(triple)
    if !defaultFacts.isEmpty { drafts.append(TransactionDraft(asserting: defaultFacts, metadata: withDefaults([], described: false))) }
    let ordered = graphOrder.enumerated().sorted { a, b in
      let x = descriptions[a.element]?.number.map { Int($0) } ?? Int.max
      let y = descriptions[b.element]?.number.map { Int($0) } ?? Int.max
      return x != y ? x < y : a.offset < b.offset
    }
    for (_, graph) in ordered {
      let facts = (graphs[graph] ?? []).compactMap(triple)
      guard !facts.isEmpty else { continue }
      if let description = descriptions[graph] {
        drafts.append(TransactionDraft(asserting: facts, metadata: withDefaults(description.metadata), timestamp: description.timestamp))
      } else {
        let label: String
        switch graph {
        case .iri(let iri): label = iri
        case .blank(let b): label = "_:" + b
        case .literal(let text, _, _): label = text
        }
        drafts.append(TransactionDraft(asserting: facts, metadata: withDefaults([("graph", label)], described: false)))
      }
    }
    if !problems.isEmpty {
      let shown = problems.prefix(10).joined(separator: "\n  ")
      throw DiagnosticError(
        .data, code: "rdf-unrepresentable",
        "\(problems.count) statement\(problems.count == 1 ? "" : "s") of `\(TerminalText.visible(name))` cannot be stored:\n  \(shown)\(problems.count > 10 ? "\n  …" : "")",
        help: "convert those literals (for example xsd:double to xsd:decimal, or to strings) and import again; nothing was written")
    }
    let facts = drafts.reduce(0) { $0 + $1.asserting.count }
    guard !drafts.isEmpty else { return RDFImportReport(transactions: nil, statements: statements, facts: 0) }
    let written = try transact(drafts)
    return RDFImportReport(transactions: written, statements: statements, facts: facts)
  }

  /// The bytes of a document to import (standard input for `-`).
  static func readDocument(_ path: String) throws(DiagnosticError) -> [UInt8] {
    if path == "-" {
      do {
        return try SystemFile.readStream(STDIN_FILENO, path: "<stdin>", limit: Int.max)
      } catch {
        throw DiagnosticError(.io, code: "import-read", "cannot read standard input: \(error.message)")
      }
    }
    let fd: Int32
    do {
      fd = try SystemFile.openExisting(path, accept: [.fifo])
    } catch {
      throw DiagnosticError(.noInput, code: "import-open", "cannot open `\(TerminalText.visible(path))`: \(error.message)")
    }
    defer { close(fd) }
    do {
      return try SystemFile.readAll(fd, path: path)
    } catch {
      throw DiagnosticError(.io, code: "import-read", "cannot read `\(TerminalText.visible(path))`: \(error.message)")
    }
  }
}
