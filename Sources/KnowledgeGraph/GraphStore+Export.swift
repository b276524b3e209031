// Export of stored triples in the interchange formats: TSV and the RDF syntaxes (N-Triples,
// N-Quads, Turtle, TriG). With named graphs, each transaction that still asserts a stored fact
// becomes a graph described with its provenance (RDFWriter).

import Diagnostics
import GraphExport
import GraphModel

/// The line formats of `xinzhi export`.
public typealias TripleWriterFormat = TripleWriter.Format

extension GraphStore {
  /// One export line (without newline) for a triple.
  public func exportLine(_ triple: Triple, format: TripleWriterFormat) -> String {
    TripleWriter.line(triple, format: format)
  }

  /// Writes the stored facts as RDF, in pieces, to `write` (which returns false to stop, such
  /// as after a failed write).
  ///
  /// N-Triples and Turtle hold the facts alone, in index order. N-Quads and TriG hold, for each
  /// transaction in log order that asserted a fact still stored (and not retracted since), a
  /// named graph with those facts (in value order) and its description: number, commit time and
  /// metadata. The
  /// same bytes come out for the same store.
  ///
  /// - Parameters:
  ///   - syntax: The RDF syntax.
  ///   - base: The IRI prefix for entities (default `urn:xinzhi:`).
  ///   - write: Receives the document piece by piece; returns false to stop.
  public func exportRDF(_ syntax: RDFSyntax, base: String = RDFMapping.defaultBase, to write: (String) -> Bool) {
    let writer = RDFWriter(syntax: syntax, mapping: RDFMapping(base: base))
    guard write(writer.header()) else { return }
    guard syntax.hasGraphs else {
      // Batches end at a change of subject, so Turtle groups a subject's facts in one block.
      var batch: [Triple] = []
      var stopped = false
      graph.forEach(TriplePattern()) { id in
        guard !stopped else { return }
        let triple = decode(id)
        if batch.count >= 4096, batch.last?.subject != triple.subject {
          stopped = !write(writer.facts(batch))
          batch.removeAll(keepingCapacity: true)
        }
        batch.append(triple)
      }
      if !stopped, !batch.isEmpty { _ = write(writer.facts(batch)) }
      return
    }
    // Each transaction's held facts come from the index (the facts it asserted that are still
    // held and not retracted since), written in pieces of at most 4,096; a transaction left
    // without facts is skipped.
    guard graph.lastTransaction >= 1 else { return }
    for number in 1...graph.lastTransaction {
      let ids = graph.triples(assertedBy: number)
      guard !ids.isEmpty, let info = graph.transaction(number) else { continue }
      guard write(writer.transactionStart(info)) else { return }
      // In value order (subject, predicate, object), which depends on the facts alone, not on
      // the ids this store happened to give them: a store imported from the export writes the
      // same bytes again.
      let facts = ids.map(decode).sorted { a, b in
        if a.subject != b.subject { return Value.compareCodePoints(a.subject, b.subject) < 0 }
        if a.predicate != b.predicate { return Value.compareCodePoints(a.predicate, b.predicate) < 0 }
        return Value.compare(a.object, b.object) < 0
      }
      var start = 0
      while start < facts.count {
        let piece = Array(facts[start..<min(start + 4096, facts.count)])
        guard write(writer.transactionFacts(info, facts: piece)) else { return }
        start += piece.count
      }
      guard write(writer.transactionEnd()) else { return }
    }
  }
}

/// The files of a CSV export (`xinzhi export --format csv DIR`), the layout translated programs
/// read; Documentation/ScaleOut.md describes each column.
public enum CSVExportFile: String, CaseIterable, Sendable {
  /// `id,key`: every value the facts use, once, with its key (`ValueKey`), always quoted.
  case terms = "terms.csv"
  /// `s,p,o`: the stored facts as ids of terms.csv.
  case triples = "triples.csv"
  /// `s,p,o,tx`: each stored fact with each transaction that asserted it (since it was last
  /// retracted), oldest first; what `tx_of` and `source_of` read.
  case assertions = "assertions.csv"
  /// `tx,position,key,value`: each transaction's metadata in order, key and value as keys (an
  /// entity key, a string value); what `tx_meta` and `source_of` read.
  case transactions = "transactions.csv"
}

extension GraphStore {
  /// Writes the stored facts dictionary-encoded, as SQL engines load them for a translated
  /// program (`QuerySession.translate`): the four files of ``CSVExportFile``, each with a header
  /// line, lines ending with `\n`. Ids are this store's own and mean nothing beyond the export.
  ///
  /// - Parameter write: Receives each file in pieces (files in the order of
  ///   `CSVExportFile.allCases`); returns false to stop.
  public func exportCSV(to write: (CSVExportFile, String) -> Bool) {
    let dictionary = graph.dictionary
    var used = Set<TermID>()
    var stopped = false
    var piece = ""
    /// Hands `piece` over when it is large (or when `flush`); false once a write failed.
    func emit(_ file: CSVExportFile, flush: Bool = false) -> Bool {
      guard !stopped else { return false }
      if flush || piece.utf8.count >= 1 << 16 {
        stopped = !write(file, piece)
        piece = ""
      }
      return !stopped
    }
    var facts: [IDTriple] = []
    graph.forEach(TriplePattern()) { t in
      used.insert(t.s)
      used.insert(t.p)
      used.insert(t.o)
      facts.append(t)
    }
    piece = "id,key\n"
    for id in used.sorted() {
      piece += "\(id),\(GraphStore.csvQuoted(ValueKey.key(dictionary.value(of: id))))\n"
      guard emit(.terms) else { return }
    }
    guard emit(.terms, flush: true) else { return }
    piece = "s,p,o\n"
    for t in facts {
      piece += "\(t.s),\(t.p),\(t.o)\n"
      guard emit(.triples) else { return }
    }
    guard emit(.triples, flush: true) else { return }
    piece = "s,p,o,tx\n"
    for t in facts {
      for tx in graph.assertingTransactions(of: t) {
        piece += "\(t.s),\(t.p),\(t.o),\(tx)\n"
      }
      guard emit(.assertions) else { return }
    }
    guard emit(.assertions, flush: true) else { return }
    piece = "tx,position,key,value\n"
    if graph.lastTransaction >= 1 {
      for number in 1...graph.lastTransaction {
        guard let info = graph.transaction(number) else { continue }
        for (position, (key, value)) in info.metadata.enumerated() {
          piece += "\(number),\(position),\(GraphStore.csvQuoted(ValueKey.key(.entity(key)))),\(GraphStore.csvQuoted(ValueKey.key(.string(value, language: nil))))\n"
        }
        guard emit(.transactions) else { return }
      }
    }
    _ = emit(.transactions, flush: true)
  }

  /// A CSV field, always quoted, quotes doubled.
  static func csvQuoted(_ text: String) -> String {
    "\"" + text.replacingAll("\"", with: "\"\"") + "\""
  }
}
