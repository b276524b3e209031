// A TripleSource backed by a plain array, so engine tests do not need the index or the log
// (and so they exercise the engine's `match` path, not only the index-run path).

import GraphModel

/// Stored triples in an array; every pattern is answered by a scan.
public final class ArrayTripleSource: TripleSource {
  public let dictionary = TermDictionary()
  private var triples: [IDTriple] = []
  private var set = Set<IDTriple>()

  /// Creates a source holding these triples (all asserted by transaction 1).
  public init(_ triples: [Triple]) {
    for t in triples {
      let id = IDTriple(dictionary.intern(.entity(t.subject)), dictionary.intern(.entity(t.predicate)), dictionary.intern(t.object))
      if set.insert(id).inserted { self.triples.append(id) }
    }
  }

  public var tripleCount: Int { triples.count }

  public func count(_ pattern: TriplePattern) -> Int {
    triples.filter { pattern.matches($0) }.count
  }

  public func match(_ pattern: TriplePattern, appendingFreePositionsTo buffer: inout [TermID]) {
    for t in triples where pattern.matches(t) {
      if pattern.s == nil { buffer.append(t.s) }
      if pattern.p == nil { buffer.append(t.p) }
      if pattern.o == nil { buffer.append(t.o) }
    }
  }

  public func predicateIDs() -> [TermID] {
    Array(Set(triples.map(\.p))).sorted()
  }

  public func contains(_ triple: IDTriple) -> Bool { set.contains(triple) }

  public func assertingTransactions(of triple: IDTriple) -> [TxNumber] {
    set.contains(triple) ? [1] : []
  }

  public func transaction(_ number: TxNumber) -> TransactionInfo? {
    number == 1 ? TransactionInfo(number: 1, timestamp: "2026-01-01T00:00:00Z", metadata: [("source", "test")]) : nil
  }
}
