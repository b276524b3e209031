// The narrow seam through which the query engine reads stored facts: pattern counts for the
// planner, pattern matches for joins, and provenance for `why`. The index implements it; engine
// tests implement it with a plain array.

/// Read access to a set of stored triples, dictionary-encoded.
public protocol TripleSource: AnyObject {
  /// The dictionary that encodes this source's values.
  var dictionary: TermDictionary { get }

  /// The number of stored triples.
  var tripleCount: Int { get }

  /// The exact number of triples matching a pattern.
  ///
  /// - Complexity: O(log n) for the index; callers (the planner) rely on it being cheap.
  func count(_ pattern: TriplePattern) -> Int

  /// Appends, for every triple matching the pattern, its ids in the positions the pattern leaves
  /// free, in s, p, o order (so `(s, p, ?)` appends one id per match and `(?, ?, ?)` three).
  ///
  /// Matches come in index order, which is deterministic.
  func match(_ pattern: TriplePattern, appendingFreePositionsTo buffer: inout [TermID])

  /// The ids of every predicate that has at least one triple, in id order.
  func predicateIDs() -> [TermID]

  /// Whether the source holds a triple.
  func contains(_ triple: IDTriple) -> Bool

  /// The transactions that asserted a stored triple since it was last retracted, oldest first.
  func assertingTransactions(of triple: IDTriple) -> [TxNumber]

  /// Information about one transaction.
  func transaction(_ number: TxNumber) -> TransactionInfo?

  /// The stored triples a transaction asserted (and that are still held), in index order.
  func triples(assertedBy number: TxNumber) -> [IDTriple]

  /// Direct views of the source's sorted index runs, when it has them (nil: use `match`).
  var indexRuns: IndexRuns? { get }

  /// The search over entity names behind the `search(E, Text)` builtin, when the source has
  /// one (nil: `search` is refused with an error).
  var textSearch: (any TextSearch)? { get }
}

/// Finds entities by name (id, labels, aliases, descriptions), as `xinzhi find` does. The
/// engine reaches it only through this protocol, so it never depends on how search works.
public protocol TextSearch: AnyObject {
  /// The entities matching `text`, best first, each once.
  func entities(matching text: String) -> [TermID]
}

extension TripleSource {
  /// Direct views of the source's sorted index runs, when it has them (nil: use `match`).
  public var indexRuns: IndexRuns? { nil }

  /// No search unless the source provides one.
  public var textSearch: (any TextSearch)? { nil }

  /// The stored triples a transaction asserted, by scanning every triple (sources with a
  /// reverse index answer directly).
  public func triples(assertedBy number: TxNumber) -> [IDTriple] {
    var result: [IDTriple] = []
    forEach(TriplePattern()) { t in
      if assertingTransactions(of: t).contains(number) { result.append(t) }
    }
    return result
  }

  /// Calls `body` with every triple matching a pattern, in index order.
  public func forEach(_ pattern: TriplePattern, _ body: (IDTriple) -> Void) {
    if let s = pattern.s, let p = pattern.p, let o = pattern.o {
      let triple = IDTriple(s, p, o)
      if contains(triple) { body(triple) }
      return
    }
    var buffer: [TermID] = []
    match(pattern, appendingFreePositionsTo: &buffer)
    let free = (pattern.s == nil ? 1 : 0) + (pattern.p == nil ? 1 : 0) + (pattern.o == nil ? 1 : 0)
    var i = 0
    while i + free <= buffer.count {
      var k = i
      var s: TermID = 0
      var p: TermID = 0
      var o: TermID = 0
      if let bound = pattern.s { s = bound } else { s = buffer[k]; k += 1 }
      if let bound = pattern.p { p = bound } else { p = buffer[k]; k += 1 }
      if let bound = pattern.o { o = bound } else { o = buffer[k] }
      body(IDTriple(s, p, o))
      i += free
    }
  }
}
