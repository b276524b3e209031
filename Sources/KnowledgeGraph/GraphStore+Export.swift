// Export of stored triples in the interchange formats: TSV and the RDF syntaxes (N-Triples,
// N-Quads, Turtle, TriG). With named graphs, each transaction that still asserts a stored fact
// becomes a graph described with its provenance (RDFWriter).

import Diagnostics
import GraphExport
import GraphModel

/// The line formats of `xinzhi export`.
public typealias TripleWriterFormat = TripleWriter.Format
/// The RDF syntaxes of `xinzhi export` and `xinzhi import`.
public typealias RDFSyntax = RDFWriter.Syntax

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
  /// named graph with those facts and its description: number, commit time and metadata. The
  /// same bytes come out for the same store.
  ///
  /// - Parameters:
  ///   - syntax: The RDF syntax.
  ///   - base: The IRI prefix for entities (default `urn:xinzhi:`).
  ///   - write: Receives the document piece by piece; returns false to stop.
  /// - Throws: `DiagnosticError` when the log cannot be read.
  public func exportRDF(_ syntax: RDFSyntax, base: String = RDFMapping.defaultBase, to write: (String) -> Bool) throws(DiagnosticError) {
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
    var stopped = false
    try forEachTransaction { transaction, _ in
      guard !stopped else { return }
      // Written in pieces of at most 4,096 facts (a whole graph's text is never held at once);
      // the graph is opened before its first fact, so a transaction left without facts is
      // skipped.
      var seen = Set<IDTriple>()
      var facts: [Triple] = []
      var opened = false
      func flush() {
        guard !facts.isEmpty, !stopped else { return }
        if !opened {
          stopped = !write(writer.transactionStart(transaction.info))
          opened = true
        }
        if !stopped { stopped = !write(writer.transactionFacts(transaction.info, facts: facts)) }
        facts.removeAll(keepingCapacity: true)
      }
      for operation in transaction.operations where operation.action == .assert && !stopped {
        let triple = operation.triple
        guard let id = encodeIfKnown(triple), graph.contains(id), !seen.contains(id),
          graph.assertingTransactions(of: id).contains(transaction.number)
        else { continue }
        seen.insert(id)
        facts.append(triple)
        if facts.count >= 4096 { flush() }
      }
      flush()
      if opened, !stopped { stopped = !write(writer.transactionEnd()) }
    }
  }
}
