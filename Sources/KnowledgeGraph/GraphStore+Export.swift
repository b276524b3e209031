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
