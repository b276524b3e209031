// Invariant checks for tests: every order is well formed and all three hold the same set.

import GraphModel

extension IndexedGraph {
  /// Checks the index invariants and returns a description of each violation (empty when sound).
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
      }
      for k in 0..<termCount {
        if order.offsets[k] > order.offsets[k + 1] {
          problems.append("\(name): offsets decrease at \(k)")
          break
        }
        let run = order.run(TermID(k))
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
    for tx in firstTx where tx == 0 || Int(tx) > transactions.count {
      problems.append("provenance names unknown transaction \(tx)")
      break
    }
    return problems
  }
}
