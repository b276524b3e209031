// Invariant checks. `structuralProblem` runs on every graph loaded from a checkpoint: in one
// linear pass it establishes everything the lookups, the merge and the engine rely on, so no
// loaded graph can crash or hang them. `invariantViolations` is the independent, slower check
// for tests, the fuzz target and `xinzhi verify`: every order is well formed, all three hold the
// same set, and provenance names known transactions.

import GraphModel

extension IndexedGraph {
  /// The first way the graph breaks the index invariants, or nil when it keeps them all.
  ///
  /// Checks that each order has one offset per term plus one, rising from 0 to its number of
  /// pairs; that each run is strictly increasing and names only ids below the dictionary's
  /// count; that osp holds exactly spo's triples (each spo triple, taken in order, is the next
  /// one of its object's osp run) and pos exactly osp's (likewise by predicate); that the
  /// transactions are numbered 1, 2, ...; and that every triple's provenance is a strictly
  /// increasing list of known transactions, with further provenance only for held triples.
  ///
  /// - Complexity: O(n + t + m log d) for n triples, t terms and m triples asserted more than
  ///   once (d: the length of a subject's run); no allocation beyond two cursor arrays.
  public func structuralProblem() -> String? {
    let termCount = dictionary.count
    guard dictionary.parent == nil else { return "the dictionary extends another" }
    for (name, order) in [("spo", spo), ("pos", pos), ("osp", osp)] {
      if let problem = Self.orderProblem(order, termCount: termCount) { return "\(name): \(problem)" }
    }
    guard pos.pairs.count == spo.pairs.count, osp.pairs.count == spo.pairs.count else {
      return "the orders hold \(spo.pairs.count), \(pos.pairs.count) and \(osp.pairs.count) triples"
    }
    // osp against spo, then pos against osp: a counting sort by the first key of the next order,
    // done as a comparison with one cursor per run.
    if let problem = Self.sameTriples(spo, .spo, as: osp, .osp, termCount: termCount) { return problem }
    if let problem = Self.sameTriples(osp, .osp, as: pos, .pos, termCount: termCount) { return problem }
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

  /// Offsets and runs of one order.
  private static func orderProblem(_ order: OrderStorage, termCount: Int) -> String? {
    guard order.offsets.count == termCount + 1 else { return "\(order.offsets.count) offsets for \(termCount) terms" }
    guard order.offsets[0] == 0, Int(order.offsets[termCount]) == order.pairs.count else {
      return "the offsets do not span the \(order.pairs.count) pairs"
    }
    let limit = UInt64(termCount)
    return order.offsets.withUnsafeBufferPointer { offsets in
      // All offsets first: with them rising from 0 to the number of pairs, every run is
      // inside the pairs before any of it is read.
      for k in 0..<termCount where offsets[k] > offsets[k + 1] {
        return "the offsets decrease at id \(k)"
      }
      return order.pairs.withUnsafeBufferPointer { pairs in
        for k in 0..<termCount {
          let start = Int(offsets[k])
          let end = Int(offsets[k + 1])
          var previous: UInt64? = nil
          for i in start..<end {
            let pair = pairs[i]
            guard pair >> 32 < limit, pair & 0xFFFF_FFFF < limit else { return "pair \(i) names an id beyond the \(termCount) terms" }
            if let previous, previous >= pair { return "the run of id \(k) is not strictly increasing at \(i)" }
            previous = pair
          }
        }
        return nil
      }
    }
  }

  /// Whether `other` holds exactly the triples of `order`, given both are well formed with the
  /// same number of triples, and `other`'s runs are sorted the way walking `order` by first key
  /// and taking each triple's `otherOrder` first key produces them.
  private static func sameTriples(
    _ order: OrderStorage, _ kind: IndexOrder, as other: OrderStorage, _ otherKind: IndexOrder, termCount: Int
  ) -> String? {
    // Runs on every checkpoint load, so the loop reads through buffer pointers (all offsets and
    // ids were checked by `orderProblem` before this runs).
    var cursors = Array(other.offsets.view)
    return cursors.withUnsafeMutableBufferPointer { cursors -> String? in
      order.offsets.withUnsafeBufferPointer { offsets in
        order.pairs.withUnsafeBufferPointer { pairs in
          other.offsets.withUnsafeBufferPointer { otherOffsets in
            other.pairs.withUnsafeBufferPointer { otherPairs -> String? in
              for first in 0..<termCount {
                var i = Int(offsets[first])
                let end = Int(offsets[first + 1])
                while i < end {
                  let triple = kind.triple(first: TermID(first), pair: pairs[i])
                  let (otherFirst, otherPair) = otherKind.key(triple)
                  let k = Int(otherFirst)
                  let cursor = Int(cursors[k])
                  guard cursor < Int(otherOffsets[k + 1]), otherPairs[cursor] == otherPair else {
                    return "\(otherKind.rawValue) does not hold the triples of \(kind.rawValue) (at \(triple))"
                  }
                  cursors[k] = UInt32(cursor + 1)
                  i += 1
                }
              }
              return nil
            }
          }
        }
      }
    }
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
