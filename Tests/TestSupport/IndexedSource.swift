// A real index over a list of triples, for engine tests that want the index-run path.

import GraphIndex
import GraphModel

/// Triples loaded into an `IndexedGraph` (as one transaction).
public struct IndexedSource {
  /// The index.
  public let graph: IndexedGraph

  /// Indexes triples.
  public init(_ triples: [Triple]) {
    let graph = IndexedGraph()
    var batch = ChangeBatch()
    batch.begin(TransactionInfo(number: 1, timestamp: "2026-01-01T00:00:00Z", metadata: [("source", "test")]))
    for t in triples {
      batch.assert(IDTriple(graph.dictionary.intern(.entity(t.subject)), graph.dictionary.intern(.entity(t.predicate)), graph.dictionary.intern(t.object)), by: 1)
    }
    graph.apply(batch)
    self.graph = graph
  }
}
