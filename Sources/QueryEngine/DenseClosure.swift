// Dense evaluation of linear binary recursion. A stratum whose only recursive predicate P is
// binary and whose recursive rules all extend P on the same side by one stored or lower-stratum
// binary relation,
//
//   right:  P(X, Y) :- P(X, Z), E(Z, Y).       left:  P(X, Y) :- E(X, Z), P(Z, Y).
//
// is evaluated on a bit matrix over the id space instead of tuple by tuple. For right extension
// the matrix is kept by columns (one bit set of X per Y), and semi-naive iteration becomes
// word-parallel ORs:   Δ'[y] = ⋃ { Δ[z] : E(z, y) } − P[y].   Left extension keeps rows the same
// way. A closure with 10⁸ pairs takes a few hundred milliseconds; the tuples are produced only
// if something reads P as a relation.

import GraphModel

/// A binary relation held as a square bit matrix, by keys (columns for right extension, rows
/// for left extension).
final class DenseMatrix {
  /// The id space: ids below `size` fit.
  let size: Int
  let words: Int
  /// Whether keys are the second column (right extension) or the first (left extension).
  let keyedBySecond: Bool
  let bits: UnsafeMutablePointer<UInt64>
  /// The rounds the closure took (for `explain`).
  var iterations = 0

  init(size: Int, keyedBySecond: Bool) {
    self.size = size
    self.keyedBySecond = keyedBySecond
    words = (size + 63) / 64
    bits = .allocate(capacity: max(1, size * words))
    bits.initialize(repeating: 0, count: max(1, size * words))
  }

  deinit { bits.deallocate() }

  /// The number of tuples.
  var count: Int {
    var n = 0
    for i in 0..<(size * words) { n += bits[i].nonzeroBitCount }
    return n
  }

  /// Calls `body` with every tuple, in (key, bit) order.
  func forEachTuple(_ body: (TermID, TermID) -> Void) {
    for key in 0..<size {
      let row = bits + key * words
      for w in 0..<words {
        var word = row[w]
        while word != 0 {
          let bit = w * 64 + word.trailingZeroBitCount
          word &= word - 1
          if keyedBySecond {
            body(TermID(bit), TermID(key))
          } else {
            body(TermID(key), TermID(bit))
          }
        }
      }
    }
  }
}

enum DenseClosure {
  /// The largest id space evaluated densely (a matrix of 24,576² bits is 72 MB; three are kept).
  static let maximumSize = 24_576

  /// How a stratum qualifies: the recursive predicate, its extension side, and the extending
  /// atoms (one per recursive rule) with the variable positions of their two ends.
  struct Shape {
    var predicate: Int
    var keyedBySecond: Bool
    /// For each recursive rule: the extending atom and which of its terms is the near end (the
    /// variable shared with P) and the far end (the head's other variable).
    var extensions: [(atom: IRAtom, rule: Int, near: Int, far: Int)]
    var exitRules: [Int]
  }

  /// The shape of a stratum when dense evaluation applies.
  static func shape(of stratum: Stratum, in program: IRProgram, idSpace: Int) -> Shape? {
    guard stratum.isRecursive, stratum.predicates.count == 1, idSpace <= maximumSize, idSpace > 0 else { return nil }
    let p = stratum.predicates[0]
    guard program.predicates[p].arity == 2, program.predicates[p].kind == .derived else { return nil }
    var side: Bool?
    var extensions: [(IRAtom, Int, Int, Int)] = []
    var exitRules: [Int] = []
    for r in stratum.rules {
      let rule = program.rules[r]
      guard rule.aggregates.isEmpty else { return nil }
      let recursive = rule.body.filter { if case .positive(let a) = $0 { a.predicate == p } else { false } }
      if recursive.isEmpty {
        // Exit rules must not read P (negatively either; stratification already ensures this).
        exitRules.append(r)
        continue
      }
      guard rule.body.count == 2, recursive.count == 1,
        case .variable(let x) = rule.head.terms[0], case .variable(let y) = rule.head.terms[1], x != y
      else { return nil }
      var pAtom: IRAtom?
      var eAtom: IRAtom?
      for literal in rule.body {
        guard case .positive(let a) = literal else { return nil }
        if a.predicate == p { pAtom = a } else { eAtom = a }
      }
      guard let pAtom, let eAtom, program.predicates[eAtom.predicate].kind != .txMeta,
        case .variable(let p0) = pAtom.terms[0], case .variable(let p1) = pAtom.terms[1], p0 != p1
      else { return nil }
      // The extending atom must mention exactly the shared variable and the free end, once each.
      let eVariables = eAtom.variables
      let right = p0 == x && p1 != y  // P(X, Z), E(Z, Y)
      let left = p1 == y && p0 != x  // E(X, Z), P(Z, Y)
      let near = right ? p1 : p0
      let far = right ? y : x
      guard right != left, eVariables.count == 2, Set(eVariables) == [near, far] else { return nil }
      guard let nearIndex = eAtom.terms.firstIndex(of: .variable(near)), let farIndex = eAtom.terms.firstIndex(of: .variable(far)) else { return nil }
      if let side, side != right { return nil }
      side = right
      extensions.append((eAtom, r, nearIndex, farIndex))
    }
    guard let side, !extensions.isEmpty else { return nil }
    return Shape(predicate: p, keyedBySecond: side, extensions: extensions.map { ($0.0, $0.1, $0.2, $0.3) }, exitRules: exitRules)
  }

  /// Runs the closure. `initial` holds the tuples the exit rules derived; `edges(atom)` lists
  /// the (near, far) pairs of an extending atom.
  static func evaluate(_ shape: Shape, size: Int, initial: Relation, edges: [(TermID, TermID)], budget: Budget) throws(EvaluationError) -> DenseMatrix {
    let matrix = DenseMatrix(size: size, keyedBySecond: shape.keyedBySecond)
    let words = matrix.words
    let full = matrix.bits
    let delta = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, size * words))
    let next = UnsafeMutablePointer<UInt64>.allocate(capacity: max(1, size * words))
    defer {
      delta.deallocate()
      next.deallocate()
    }
    delta.initialize(repeating: 0, count: max(1, size * words))
    next.initialize(repeating: 0, count: max(1, size * words))
    var active = [Bool](repeating: false, count: size)
    for row in 0..<initial.count {
      let a = Int(initial.value(row: row, column: 0))
      let b = Int(initial.value(row: row, column: 1))
      guard a < size, b < size else { continue }
      let (key, bit) = shape.keyedBySecond ? (b, a) : (a, b)
      full[key * words + bit >> 6] |= 1 << UInt64(bit & 63)
      delta[key * words + bit >> 6] |= 1 << UInt64(bit & 63)
      active[key] = true
    }
    // For every key, the keys whose delta flows into it: right extension E(z, y) makes column z
    // flow into column y; left extension E(x, z) makes row z flow into row x.
    var sources = [[Int32]](repeating: [], count: size)
    for (near, far) in edges where Int(near) < size && Int(far) < size {
      sources[Int(far)].append(Int32(near))
    }
    var iterations = 1
    while active.contains(true) {
      iterations += 1
      var nextActive = [Bool](repeating: false, count: size)
      for key in 0..<size {
        let feeding = sources[key]
        if feeding.isEmpty { continue }
        let target = next + key * words
        var touched = false
        for source in feeding where active[Int(source)] {
          let from = delta + Int(source) * words
          for w in 0..<words { target[w] |= from[w] }
          touched = true
        }
        if touched {
          let known = full + key * words
          var any: UInt64 = 0
          for w in 0..<words {
            let fresh = target[w] & ~known[w]
            target[w] = fresh
            known[w] |= fresh
            any |= fresh
          }
          nextActive[key] = any != 0
        }
      }
      // The new delta is `next`; clear the old one for reuse.
      for key in 0..<size where active[key] {
        (delta + key * words).update(repeating: 0, count: words)
      }
      for key in 0..<size where nextActive[key] {
        (delta + key * words).update(from: next + key * words, count: words)
        (next + key * words).update(repeating: 0, count: words)
      }
      active = nextActive
      try budget.check()
    }
    matrix.iterations = iterations
    return matrix
  }
}
