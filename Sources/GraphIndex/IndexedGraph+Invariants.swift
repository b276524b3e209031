// Invariant checks. `structuralProblem` runs on every graph loaded from a checkpoint: in one
// sequential pass over each order it establishes everything the lookups, the merge and the
// engine rely on, so no loaded graph can crash or hang them. `invariantViolations` is the
// independent, slower check for tests, the fuzz target and `xinzhi verify`: every order is well
// formed, all three hold the same set, and provenance names known transactions.

import GraphModel

extension IndexedGraph {
  /// The first way the graph breaks the index invariants, or nil when it keeps them all.
  ///
  /// Checks that each order has one offset per term plus one, rising from 0 to its number of
  /// pairs; that each run is strictly increasing and names only ids below the dictionary's
  /// count; that the three orders hold the same number of triples with the same fingerprint (a
  /// 64-bit sum of a hash of each triple, so that an order holding other triples than the rest is
  /// caught); that the transactions are numbered 1, 2, ...; and that every triple's provenance is
  /// a strictly increasing list of known transactions, with further provenance only for held
  /// triples.
  ///
  /// Memory safety rests on the first two checks alone: each order is used through its own
  /// offsets and ids. The fingerprint stands in for an exact comparison of the orders (which
  /// costs random access over all of them on every open): a checkpoint that passed its checksum
  /// was written whole by Xinzhi, so orders that differ would be a bug in the writer, and a sum
  /// of 64-bit hashes catches that with certainty for practical purposes. (A file crafted to
  /// collide can only change answers, which anyone able to write the store's directory can do
  /// through the log itself; `xinzhi verify` compares the orders exactly.)
  ///
  /// - Complexity: O(n + t + m log d) for n triples, t terms and m triples asserted more than
  ///   once (d: the length of a subject's run), reading each order once in sequence.
  public func structuralProblem() -> String? {
    let termCount = dictionary.count
    guard dictionary.parent == nil else { return "the dictionary extends another" }
    var fingerprints: [UInt64] = []
    for (name, order, kind) in [("spo", spo, IndexOrder.spo), ("pos", pos, .pos), ("osp", osp, .osp)] {
      switch Self.orderProblem(order, kind, termCount: termCount) {
      case .failure(let problem): return "\(name): \(problem.message)"
      case .success(let fingerprint): fingerprints.append(fingerprint)
      }
    }
    guard pos.pairs.count == spo.pairs.count, osp.pairs.count == spo.pairs.count else {
      return "the orders hold \(spo.pairs.count), \(pos.pairs.count) and \(osp.pairs.count) triples"
    }
    if fingerprints[1] != fingerprints[0] { return "pos does not hold the triples of spo (their fingerprints differ)" }
    if fingerprints[2] != fingerprints[0] { return "osp does not hold the triples of spo (their fingerprints differ)" }
    for (index, info) in transactions.enumerated() where Int(info.number) != index + 1 {
      return "transaction \(index + 1) is numbered \(info.number)"
    }
    guard transactions.count <= Int(TxNumber.max) else { return "\(transactions.count) transactions" }
    let last = TxNumber(transactions.count)
    guard firstTx.count == spo.pairs.count else { return "provenance has \(firstTx.count) entries for \(spo.pairs.count) triples" }
    for (index, tx) in firstTx.enumerated() where tx == 0 || tx > last {
      return "triple \(index) names transaction \(tx) of \(last)"
    }
    for (triple, more) in moreTx {
      guard let index = spo.find(triple.s, UInt64(triple.p) << 32 | UInt64(triple.o)) else {
        return "provenance kept for an absent triple \(triple)"
      }
      var previous = firstTx[index]
      guard !more.isEmpty else { return "empty further provenance for \(triple)" }
      for tx in more {
        guard tx > previous, tx <= last else { return "the provenance of \(triple) is not rising through known transactions" }
        previous = tx
      }
    }
    return nil
  }

  private struct OrderProblem: Error {
    var message: String
  }

  /// Offsets and runs of one order, and the fingerprint of its triples.
  private static func orderProblem(_ order: OrderStorage, _ kind: IndexOrder, termCount: Int) -> Result<UInt64, OrderProblem> {
    guard order.offsets.count == termCount + 1 else { return .failure(OrderProblem(message: "\(order.offsets.count) offsets for \(termCount) terms")) }
    guard order.offsets[0] == 0, Int(order.offsets[termCount]) == order.pairs.count else {
      return .failure(OrderProblem(message: "the offsets do not span the \(order.pairs.count) pairs"))
    }
    return order.offsets.withUnsafeBufferPointer { offsets in
      // All offsets first: with them rising from 0 to the number of pairs, every run is
      // inside the pairs before any of it is read.
      for k in 0..<termCount where offsets[k] > offsets[k + 1] {
        return .failure(OrderProblem(message: "the offsets decrease at id \(k)"))
      }
      return order.pairs.withUnsafeBufferPointer { pairs in
        // One loop per order, so that the id permutation is a constant inside it.
        switch kind {
        case .spo: return runsProblem(offsets, pairs, termCount: termCount) { k, hi, lo in tripleHash(k, hi, lo) }
        case .pos: return runsProblem(offsets, pairs, termCount: termCount) { k, hi, lo in tripleHash(lo, k, hi) }
        case .osp: return runsProblem(offsets, pairs, termCount: termCount) { k, hi, lo in tripleHash(hi, lo, k) }
        }
      }
    }
  }

  /// The runs of one order: ids below `termCount`, strictly increasing; and the sum of `hash`
  /// over (first key, high half, low half) of every pair.
  @inline(__always) private static func runsProblem(
    _ offsets: UnsafeBufferPointer<UInt32>, _ pairs: UnsafeBufferPointer<UInt64>, termCount: Int,
    hash: (UInt64, UInt64, UInt64) -> UInt64
  ) -> Result<UInt64, OrderProblem> {
    let limit = UInt64(termCount)
    var fingerprint: UInt64 = 0
    for k in 0..<termCount {
      var i = Int(offsets[k])
      let end = Int(offsets[k + 1])
      var previous: UInt64 = 0
      var first = true
      while i < end {
        let pair = pairs[i]
        guard pair >> 32 < limit, pair & 0xFFFF_FFFF < limit else {
          return .failure(OrderProblem(message: "pair \(i) names an id beyond the \(termCount) terms"))
        }
        guard first || pair > previous else {
          return .failure(OrderProblem(message: "the run of id \(k) is not strictly increasing at \(i)"))
        }
        first = false
        previous = pair
        fingerprint &+= hash(UInt64(k), pair >> 32, pair & 0xFFFF_FFFF)
        i += 1
      }
    }
    return .success(fingerprint)
  }

  /// A 64-bit hash of a triple (s, p, o) for the orders' fingerprints: a multiply-add fold of
  /// the three ids, then a multiply-xorshift finaliser.
  @inline(__always) private static func tripleHash(_ s: UInt64, _ p: UInt64, _ o: UInt64) -> UInt64 {
    var x = s &* 0x9E37_79B9_7F4A_7C15 &+ p &* 0xC2B2_AE3D_27D4_EB4F &+ o &* 0x1656_67B1_9E37_79F9
    x ^= x >> 32
    x &*= 0xFF51_AFD7_ED55_8CCD
    x ^= x >> 29
    return x
  }

  /// Checks the index invariants and returns a description of each violation (empty when
  /// sound), independently of ``structuralProblem()``: by building the set of each order.
  ///
  /// - Complexity: O(n log n); for tests and `xinzhi verify`, not for hot paths.
  public func invariantViolations() -> [String] {
    var problems: [String] = []
    let termCount = dictionary.count
    for (name, order, kind) in [("spo", spo, IndexOrder.spo), ("pos", pos, .pos), ("osp", osp, .osp)] {
      if order.offsets.count != termCount + 1 {
        problems.append("\(name): \(order.offsets.count) offsets for \(termCount) terms")
        continue
      }
      if order.offsets.first != 0 || Int(order.offsets.last ?? 0) != order.pairs.count {
        problems.append("\(name): offsets do not span the pairs")
        continue
      }
      if let k = (0..<termCount).first(where: { order.offsets[$0] > order.offsets[$0 + 1] }) {
        problems.append("\(name): offsets decrease at \(k)")
        continue
      }
      for k in 0..<termCount {
        let run = order.run(TermID(k))
        if run.contains(where: { order.pairs[$0] >> 32 >= termCount || order.pairs[$0] & 0xFFFF_FFFF >= termCount }) {
          problems.append("\(name): run of \(k) names an id beyond the \(termCount) terms")
        }
        var i = run.lowerBound + 1
        while i < run.upperBound {
          if order.pairs[i - 1] >= order.pairs[i] {
            problems.append("\(name): run of \(k) not strictly increasing at \(i)")
            break
          }
          i += 1
        }
      }
      _ = kind
    }
    if !problems.isEmpty { return problems }
    func set(_ order: OrderStorage, _ kind: IndexOrder) -> Set<IDTriple> {
      var result = Set<IDTriple>()
      for k in 0..<termCount {
        for i in order.run(TermID(k)) {
          result.insert(kind.triple(first: TermID(k), pair: order.pairs[i]))
        }
      }
      return result
    }
    let a = set(spo, .spo)
    if set(pos, .pos) != a { problems.append("pos holds a different set of triples than spo") }
    if set(osp, .osp) != a { problems.append("osp holds a different set of triples than spo") }
    if firstTx.count != spo.pairs.count { problems.append("provenance has \(firstTx.count) entries for \(spo.pairs.count) triples") }
    for (triple, _) in moreTx where !a.contains(triple) {
      problems.append("provenance kept for absent triple \(triple)")
    }
    for tx in firstTx + moreTx.values.joined() where tx == 0 || Int(tx) > transactions.count {
      problems.append("provenance names unknown transaction \(tx)")
      break
    }
    for (triple, more) in moreTx where firstTx.count == spo.pairs.count {
      let all = assertingTransactions(of: triple)
      if more.isEmpty || all != all.sorted() || Set(all).count != all.count {
        problems.append("the provenance of \(triple) is not strictly increasing: \(all)")
      }
    }
    if transactions.map(\.number) != (0..<transactions.count).map({ TxNumber(truncatingIfNeeded: $0 + 1) }) {
      problems.append("the transactions are not numbered 1 to \(transactions.count)")
    }
    return problems
  }
}
