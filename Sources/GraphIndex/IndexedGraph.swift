// The in-memory graph: dictionary-encoded triples kept in spo, pos and osp order so that every
// pattern, whatever positions it binds, is answered from an index run without a scan, and so
// that the size of any pattern's answer is cheap to get for the query planner.

import GraphModel

/// Keeps an index's arrays alive while the engine reads them.
final class IndexOwner {
  let orders: [OrderStorage]
  init(_ spo: OrderStorage, _ pos: OrderStorage, _ osp: OrderStorage) { orders = [spo, pos, osp] }
}

/// An indexed, dictionary-encoded set of triples with provenance.
///
/// Each stored triple remembers the transactions that asserted it since it was last retracted.
/// Changes arrive in batches (``ChangeBatch``), typically one per transaction or one for a whole
/// replayed log, and are merged into the orders in one pass.
public final class IndexedGraph: TripleSource {
  /// The dictionary encoding this graph's values.
  public let dictionary: TermDictionary
  var spo: OrderStorage
  var pos: OrderStorage
  var osp: OrderStorage
  /// For each spo position, the first transaction that asserted the triple.
  var firstTx: [TxNumber]
  /// Further asserting transactions of triples asserted more than once, oldest first.
  var moreTx: [IDTriple: [TxNumber]]
  /// Information about every transaction applied, indexed by number - 1.
  public private(set) var transactions: [TransactionInfo]
  /// The search behind `search(E, Text)`, set by whoever owns the graph (the store).
  public var textSearch: (any TextSearch)?
  /// For each transaction (number - 1), the held triples it asserted; built on first use and
  /// dropped by `apply` (provenance queries that bind the transaction read it).
  private var triplesByTransaction: [[IDTriple]]?

  /// Creates an empty graph.
  public init(dictionary: TermDictionary = TermDictionary()) {
    self.dictionary = dictionary
    spo = .empty(termCount: dictionary.count)
    pos = .empty(termCount: dictionary.count)
    osp = .empty(termCount: dictionary.count)
    firstTx = []
    moreTx = [:]
    transactions = []
  }

  init(
    dictionary: TermDictionary, spo: OrderStorage, pos: OrderStorage, osp: OrderStorage,
    firstTx: [TxNumber], moreTx: [IDTriple: [TxNumber]], transactions: [TransactionInfo]
  ) {
    self.dictionary = dictionary
    self.spo = spo
    self.pos = pos
    self.osp = osp
    self.firstTx = firstTx
    self.moreTx = moreTx
    self.transactions = transactions
  }

  /// The number of triples.
  public var tripleCount: Int { spo.pairs.count }

  /// The number of the last transaction applied (0 when none).
  public var lastTransaction: TxNumber { TxNumber(transactions.count) }

  // MARK: - Pattern access

  /// The exact number of triples matching a pattern.
  ///
  /// - Complexity: O(1) when at most one position is bound, O(log n) otherwise.
  public func count(_ pattern: TriplePattern) -> Int {
    switch (pattern.s, pattern.p, pattern.o) {
    case (let s?, let p?, let o?):  // s p o: membership in spo
      return spo.find(s, UInt64(p) << 32 | UInt64(o)) == nil ? 0 : 1
    case (let s?, let p?, nil):  // s p ?: spo run of s, sub-run of p
      return spo.run(s, second: p).count
    case (let s?, nil, let o?):  // s ? o: osp run of o, sub-run of s
      return osp.run(o, second: s).count
    case (let s?, nil, nil):  // s ? ?: spo run of s
      return spo.run(s).count
    case (nil, let p?, let o?):  // ? p o: pos run of p, sub-run of o
      return pos.run(p, second: o).count
    case (nil, let p?, nil):  // ? p ?: pos run of p
      return pos.run(p).count
    case (nil, nil, let o?):  // ? ? o: osp run of o
      return osp.run(o).count
    case (nil, nil, nil):  // ? ? ?: everything
      return spo.pairs.count
    }
  }

  /// Appends the free positions of every matching triple, in s, p, o order.
  ///
  /// - Complexity: O(log n + k) for k matches.
  public func match(_ pattern: TriplePattern, appendingFreePositionsTo buffer: inout [TermID]) {
    switch (pattern.s, pattern.p, pattern.o) {
    case (let s?, let p?, let o?):
      _ = (s, p, o)  // nothing is free
    case (let s?, let p?, nil):  // o from spo
      appendThird(spo, spo.run(s, second: p), to: &buffer)
    case (let s?, nil, let o?):  // p from osp
      appendThird(osp, osp.run(o, second: s), to: &buffer)
    case (let s?, nil, nil):  // (p, o) from spo
      appendBoth(spo, spo.run(s), secondFirst: true, to: &buffer)
    case (nil, let p?, let o?):  // s from pos
      appendThird(pos, pos.run(p, second: o), to: &buffer)
    case (nil, let p?, nil):  // (s, o) from pos: pairs are (o, s)
      appendBoth(pos, pos.run(p), secondFirst: false, to: &buffer)
    case (nil, nil, let o?):  // (s, p) from osp
      appendBoth(osp, osp.run(o), secondFirst: true, to: &buffer)
    case (nil, nil, nil):  // (s, p, o) from spo
      buffer.reserveCapacity(buffer.count + 3 * spo.pairs.count)
      for first in 0..<max(0, spo.offsets.count - 1) {
        let s = TermID(first)
        for i in spo.run(s) {
          let pair = spo.pairs[i]
          buffer.append(s)
          buffer.append(TermID(truncatingIfNeeded: pair >> 32))
          buffer.append(TermID(truncatingIfNeeded: pair))
        }
      }
    }
  }

  private func appendThird(_ order: OrderStorage, _ range: Range<Int>, to buffer: inout [TermID]) {
    order.pairs.withUnsafeBufferPointer { p in
      for i in range { buffer.append(TermID(truncatingIfNeeded: p[i])) }
    }
  }

  private func appendBoth(_ order: OrderStorage, _ range: Range<Int>, secondFirst: Bool, to buffer: inout [TermID]) {
    order.pairs.withUnsafeBufferPointer { p in
      for i in range {
        let second = TermID(truncatingIfNeeded: p[i] >> 32)
        let third = TermID(truncatingIfNeeded: p[i])
        if secondFirst {
          buffer.append(second)
          buffer.append(third)
        } else {
          buffer.append(third)
          buffer.append(second)
        }
      }
    }
  }

  /// Whether the graph holds a triple.
  ///
  /// - Complexity: O(log d) where d is the subject's number of triples.
  public func contains(_ triple: IDTriple) -> Bool {
    spo.find(triple.s, UInt64(triple.p) << 32 | UInt64(triple.o)) != nil
  }

  /// The transactions that asserted a triple since it was last retracted, oldest first.
  public func assertingTransactions(of triple: IDTriple) -> [TxNumber] {
    guard let i = spo.find(triple.s, UInt64(triple.p) << 32 | UInt64(triple.o)) else { return [] }
    return [firstTx[i]] + (moreTx[triple] ?? [])
  }

  /// The held triples a transaction asserted, in spo order.
  ///
  /// - Complexity: O(1) after the first call since the last change, which takes O(n).
  public func triples(assertedBy number: TxNumber) -> [IDTriple] {
    guard number >= 1, Int(number) <= transactions.count else { return [] }
    if triplesByTransaction == nil {
      var table = [[IDTriple]](repeating: [], count: transactions.count)
      var i = 0
      forEach(TriplePattern()) { t in
        // spo order is the order of `firstTx`.
        table[Int(firstTx[i]) - 1].append(t)
        i += 1
      }
      for (t, more) in moreTx.sorted(by: { ($0.key.s, $0.key.p, $0.key.o) < ($1.key.s, $1.key.p, $1.key.o) }) {
        for tx in more { table[Int(tx) - 1].append(t) }
      }
      triplesByTransaction = table
    }
    return triplesByTransaction?[Int(number) - 1] ?? []
  }

  /// Information about one transaction.
  public func transaction(_ number: TxNumber) -> TransactionInfo? {
    guard number >= 1, Int(number) <= transactions.count else { return nil }
    return transactions[Int(number) - 1]
  }

  /// The ids of every predicate that has at least one triple, in id order.
  public func predicateIDs() -> [TermID] {
    predicateCounts().map(\.predicate)
  }

  /// The distinct predicates with their triple counts, in id order.
  public func predicateCounts() -> [(predicate: TermID, count: Int)] {
    var result: [(TermID, Int)] = []
    for first in 0..<max(0, pos.offsets.count - 1) {
      let n = pos.run(TermID(first)).count
      if n > 0 { result.append((TermID(first), n)) }
    }
    return result
  }

  /// The number of distinct entities that occur as a subject or an object.
  public func entityCount() -> Int {
    var n = 0
    for id in 0..<max(0, spo.offsets.count - 1) {
      let t = TermID(id)
      if dictionary.kind(of: t) == .entity, !spo.run(t).isEmpty || !osp.run(t).isEmpty { n += 1 }
    }
    return n
  }

  /// Every triple in spo order.
  public func allTriples() -> [IDTriple] {
    var result: [IDTriple] = []
    result.reserveCapacity(tripleCount)
    forEach(TriplePattern()) { result.append($0) }
    return result
  }

  /// Resident bytes of the index arrays and the dictionary (an estimate of what a store costs).
  public var memoryFootprint: Int {
    let orders = [spo, pos, osp].reduce(0) { $0 + $1.offsets.count * 4 + $1.pairs.count * 8 }
    let storage = dictionary.storage
    let dict = storage.kinds.count * 9 + storage.bytes.count + storage.kinds.count * 8
    return orders + firstTx.count * 4 + dict + moreTx.count * 48
  }

  // MARK: - Changes

  /// Merges a batch of changes into the graph.
  ///
  /// - Complexity: O(n + k log k) for n stored and k changed triples.
  public func apply(_ batch: ChangeBatch) {
    triplesByTransaction = nil
    transactions.append(contentsOf: batch.transactions)
    let termCount = dictionary.count
    if batch.operationCount == 0 {
      if spo.offsets.count != termCount + 1 { grow(to: termCount) }
      return
    }
    var removed = Set<IDTriple>()
    var inserted: [(IDTriple, TxNumber)] = []
    for (triple, change) in batch.netChanges() {
      let index = spo.find(triple.s, UInt64(triple.p) << 32 | UInt64(triple.o))
      switch change {
      case .retracted:
        if index != nil {
          removed.insert(triple)
          moreTx[triple] = nil
        }
      case .asserted(let txs, let replacesEarlier):
        guard let first = txs.first else { continue }
        if let index {
          if replacesEarlier {
            firstTx[index] = first
            moreTx[triple] = txs.count > 1 ? Array(txs.dropFirst()) : nil
          } else {
            moreTx[triple, default: []].append(contentsOf: txs)
          }
        } else {
          inserted.append((triple, first))
          if txs.count > 1 { moreTx[triple] = Array(txs.dropFirst()) }
        }
      }
    }
    if removed.isEmpty && inserted.isEmpty {
      if spo.offsets.count != termCount + 1 { grow(to: termCount) }
      return
    }
    let isFresh = spo.pairs.isEmpty
    if isFresh {
      let triples = inserted.map(\.0)
      let (s, sources) = OrderStorage.build(.spo, from: triples, termCount: termCount)
      spo = s
      firstTx = sources.map { inserted[Int($0)].1 }
      pos = OrderStorage.build(.pos, from: triples, termCount: termCount).0
      osp = OrderStorage.build(.osp, from: triples, termCount: termCount).0
      return
    }
    let txOfInserted = Dictionary(inserted, uniquingKeysWith: { a, _ in a })
    let insertedTriples = inserted.map(\.0)
    var newFirstTx: [TxNumber] = []
    spo = merge(.spo, spo, removing: removed, inserting: insertedTriples, termCount: termCount) { oldIndex, triple in
      if let oldIndex { newFirstTx.append(self.firstTx[oldIndex]) } else { newFirstTx.append(txOfInserted[triple] ?? 0) }
    }
    firstTx = newFirstTx
    pos = merge(.pos, pos, removing: removed, inserting: insertedTriples, termCount: termCount) { _, _ in }
    osp = merge(.osp, osp, removing: removed, inserting: insertedTriples, termCount: termCount) { _, _ in }
  }

  private func grow(to termCount: Int) {
    for keyPath in [\IndexedGraph.spo, \IndexedGraph.pos, \IndexedGraph.osp] {
      let old = self[keyPath: keyPath].offsets
      guard old.count < termCount + 1 else { continue }
      let last = old.last ?? 0
      self[keyPath: keyPath].offsets = FrozenArray(count: termCount + 1) { buffer in
        for k in 0..<buffer.count { buffer[k] = k < old.count ? old[k] : last }
      }
    }
  }

  /// Zero-copy views of the three orders for the query engine.
  public var indexRuns: IndexRuns? {
    IndexRuns(spo: spo.runs, pos: pos.runs, osp: osp.runs, owner: IndexOwner(spo, pos, osp))
  }

  /// Merges an order with removals and insertions, calling `emit` for each output triple with
  /// its index in the old order (nil for inserted triples), in output order.
  private func merge(
    _ order: IndexOrder, _ old: OrderStorage, removing removed: Set<IDTriple>, inserting: [IDTriple],
    termCount: Int, emit: (Int?, IDTriple) -> Void
  ) -> OrderStorage {
    let sortedInserts = inserting.map { order.key($0) }.sorted { ($0.first, $0.pair) < ($1.first, $1.pair) }
    var offsets = [UInt32](repeating: 0, count: termCount + 1)
    var pairs: [UInt64] = []
    pairs.reserveCapacity(old.pairs.count + inserting.count - removed.count)
    var next = 0
    for k in 0..<termCount {
      let first = TermID(k)
      offsets[k] = UInt32(pairs.count)
      let run = old.run(first)
      var i = run.lowerBound
      while i < run.upperBound || (next < sortedInserts.count && sortedInserts[next].first == first) {
        let takeInsert: Bool
        if next < sortedInserts.count, sortedInserts[next].first == first {
          takeInsert = i >= run.upperBound || sortedInserts[next].pair < old.pairs[i]
        } else {
          takeInsert = false
        }
        if takeInsert {
          let pair = sortedInserts[next].pair
          pairs.append(pair)
          emit(nil, order.triple(first: first, pair: pair))
          next += 1
        } else {
          let pair = old.pairs[i]
          let triple = order.triple(first: first, pair: pair)
          if removed.isEmpty || !removed.contains(triple) {
            pairs.append(pair)
            emit(i, triple)
          }
          i += 1
        }
      }
    }
    offsets[termCount] = UInt32(pairs.count)
    return OrderStorage(offsets: offsets, pairs: pairs)
  }
}
