// Dense evaluation of linear binary recursion. A stratum whose only recursive predicate P is
// binary and whose recursive rules each read P once, joined with stored or lower-stratum
// binary relations,
//
//   right:     P(X, Y) :- P(X, Z), E(Z, Y).
//   left:      P(X, Y) :- E(X, Z), P(Z, Y).
//   sandwich:  P(X, Y) :- L(X, A), P(A, B), R(B, Y).      (same generation)
//
// is evaluated on a bit matrix over the id space instead of tuple by tuple. When every rule
// extends on the right, the matrix is kept by columns (one bit set of X per Y) and an
// iteration is word-parallel ORs of delta columns along E: Δ'[y] = ⋃ { Δ[z] : E(z, y) } − P[y].
// Otherwise it is kept by rows: left extension ORs delta rows along E the same way; a sandwich
// first spreads each delta row through R bit by bit (T[a] = ⋃ { R[b] : b ∈ Δ[a] }) and then ORs
// T[a] into every row x with L(x, a). The tuples are produced only if something reads P.

import GraphModel
import Platform
import QueryIR

/// Zeroed words for bit matrices. Large blocks are anonymous mappings with transparent huge
/// pages requested: the kernel hands them out zeroed, untouched rows cost no resident memory,
/// and touched ones fault in 2 MB at a time instead of 4 KB (measured: page faults were half
/// of a same-generation closure before).
struct ZeroedWords {
  let pointer: UnsafeMutablePointer<UInt64>
  private let mappedBytes: Int

  init(_ count: Int) {
    let bytes = max(1, count) * MemoryLayout<UInt64>.size
    if bytes >= 1 << 21, let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED {
      SystemCall.adviseHugePages(mapped, bytes)
      pointer = mapped.bindMemory(to: UInt64.self, capacity: max(1, count))
      mappedBytes = bytes
    } else {
      pointer = .allocate(capacity: max(1, count))
      pointer.initialize(repeating: 0, count: max(1, count))
      mappedBytes = 0
    }
  }

  func release() {
    if mappedBytes > 0 {
      munmap(pointer, mappedBytes)
    } else {
      pointer.deallocate()
    }
  }
}

/// A binary relation held as a square bit matrix, by keys (columns when keyed by the second
/// argument, rows otherwise).
final class DenseMatrix {
  /// The id space: ids below `size` fit.
  let size: Int
  let words: Int
  /// Whether keys are the second column (right extension) or the first.
  let keyedBySecond: Bool
  private let storage: ZeroedWords
  var bits: UnsafeMutablePointer<UInt64> { storage.pointer }
  /// The rounds the closure took (for `explain`).
  var iterations = 0
  /// The number of tuples (kept up to date by the evaluation).
  var count = 0

  init(size: Int, keyedBySecond: Bool) {
    self.size = size
    self.keyedBySecond = keyedBySecond
    words = (size + 63) / 64
    storage = ZeroedWords(size * words)
  }

  deinit { storage.release() }

  /// The same tuples keyed by the other column (rows become columns), transposed 64×64 bits at a
  /// time so that reading one row of the result touches one row of memory.
  func transposed() -> DenseMatrix {
    let result = DenseMatrix(size: size, keyedBySecond: !keyedBySecond)
    result.count = count
    result.iterations = iterations
    let block = UnsafeMutablePointer<UInt64>.allocate(capacity: 64)
    defer { block.deallocate() }
    let source = bits
    let target = result.bits
    for rowBlock in 0..<words {
      for word in 0..<words {
        var any: UInt64 = 0
        for k in 0..<64 {
          let row = rowBlock &* 64 &+ k
          block[k] = row < size ? source[row &* words &+ word] : 0
          any |= block[k]
        }
        if any == 0 { continue }
        DenseMatrix.transpose64(block)
        for k in 0..<64 {
          let row = word &* 64 &+ k
          if row < size { target[row &* words &+ rowBlock] = block[k] }
        }
      }
    }
    return result
  }

  /// Transposes a 64×64 bit block in place: afterwards bit k of word c is what bit c of word k
  /// was (bit 0 is the lowest).
  static func transpose64(_ a: UnsafeMutablePointer<UInt64>) {
    var j = 32
    var mask: UInt64 = 0x0000_0000_FFFF_FFFF
    while j != 0 {
      for k in 0..<64 where k & j == 0 {
        let t = ((a[k] >> UInt64(j)) ^ a[k &+ j]) & mask
        a[k] ^= t << UInt64(j)
        a[k &+ j] ^= t
      }
      j >>= 1
      mask ^= mask << UInt64(j)
    }
  }

  /// Calls `body` with every tuple, in (key, bit) order.
  func forEachTuple<E: Error>(_ body: (TermID, TermID) throws(E) -> Void) throws(E) {
    for key in 0..<size {
      let row = bits + key * words
      for w in 0..<words {
        var word = row[w]
        while word != 0 {
          let bit = w * 64 + word.trailingZeroBitCount
          word &= word - 1
          if keyedBySecond {
            try body(TermID(bit), TermID(key))
          } else {
            try body(TermID(key), TermID(bit))
          }
        }
      }
    }
  }
}

enum DenseClosure {
  /// The largest id space evaluated densely (a matrix of 24,576² bits is 72 MB; three are kept).
  static let maximumSize = 24_576

  /// A binary atom read by a recursive rule, and which of its terms are the two ends.
  struct Edge {
    var atom: IRAtom
    /// The term holding the end nearer to P.
    var near: Int
    /// The term holding the end farther from P.
    var far: Int
  }

  /// How a recursive rule extends P.
  enum Extension {
    /// `P(X, Y) :- P(X, Z), E(Z, Y)` (or, by rows, `P(X, Y) :- E(X, Z), P(Z, Y)`): the delta of
    /// key `near` flows into key `far`.
    case flow(Edge)
    /// `P(X, Y) :- L(X, A), P(A, B), R(B, Y)`: left edges (near A, far X), right edges (near B,
    /// far Y).
    case sandwich(left: Edge, right: Edge)
  }

  /// How a stratum qualifies for dense evaluation.
  struct Shape {
    var predicate: Int
    var keyedBySecond: Bool
    var extensions: [(rule: Int, kind: Extension)]
    var exitRules: [Int]
  }

  /// The shape of a stratum when dense evaluation applies.
  static func shape(of stratum: Stratum, in program: IRProgram, idSpace: Int) -> Shape? {
    guard stratum.isRecursive, stratum.predicates.count == 1, idSpace <= maximumSize, idSpace > 0 else { return nil }
    let p = stratum.predicates[0]
    guard program.predicates[p].arity == 2, program.predicates[p].kind == .derived else { return nil }
    var rightOnly = true
    var extensions: [(Int, Extension, isRight: Bool)] = []
    var exitRules: [Int] = []
    func edge(_ atom: IRAtom, _ near: Int, _ far: Int) -> Edge? {
      guard near != far, program.predicates[atom.predicate].arity == 2 || program.predicates[atom.predicate].kind == .triple else { return nil }
      let variables = atom.variables
      guard variables.count == 2, Set(variables) == [near, far],
        let n = atom.terms.firstIndex(of: .variable(near)), let f = atom.terms.firstIndex(of: .variable(far))
      else { return nil }
      switch program.predicates[atom.predicate].kind {
      case .txOf, .txMeta, .sourceOf, .search: return nil
      default: return Edge(atom: atom, near: n, far: f)
      }
    }
    for r in stratum.rules {
      let rule = program.rules[r]
      guard rule.aggregates.isEmpty else { return nil }
      var pAtoms: [IRAtom] = []
      var others: [IRAtom] = []
      var hasFilter = false
      for literal in rule.body {
        if case .positive(let a) = literal {
          if a.predicate == p { pAtoms.append(a) } else { others.append(a) }
        } else {
          hasFilter = true
        }
      }
      if pAtoms.isEmpty {
        exitRules.append(r)
        continue
      }
      // A recursive rule with a negation, test or comparison is evaluated tuple by tuple.
      guard pAtoms.count == 1, !hasFilter,
        case .variable(let x) = rule.head.terms[0], case .variable(let y) = rule.head.terms[1], x != y,
        case .variable(let a) = pAtoms[0].terms[0], case .variable(let b) = pAtoms[0].terms[1], a != b
      else { return nil }
      switch others.count {
      case 1 where a == x && b != y:  // P(X, Z), E(Z, Y)
        guard let e = edge(others[0], b, y) else { return nil }
        extensions.append((r, .flow(e), true))
      case 1 where b == y && a != x:  // E(X, Z), P(Z, Y)
        guard let e = edge(others[0], a, x) else { return nil }
        extensions.append((r, .flow(e), false))
        rightOnly = false
      case 2 where a != x && b != y && a != y && b != x:  // L(X, A), P(A, B), R(B, Y)
        let first = others[0]
        let second = others[1]
        if let l = edge(first, a, x), let rr = edge(second, b, y) {
          extensions.append((r, .sandwich(left: l, right: rr), false))
        } else if let l = edge(second, a, x), let rr = edge(first, b, y) {
          extensions.append((r, .sandwich(left: l, right: rr), false))
        } else {
          return nil
        }
        rightOnly = false
      default:
        return nil
      }
    }
    guard !extensions.isEmpty else { return nil }
    // Right extensions need column orientation; they cannot be mixed with the others.
    if !rightOnly, extensions.contains(where: { $0.isRight }) { return nil }
    return Shape(predicate: p, keyedBySecond: rightOnly, extensions: extensions.map { ($0.0, $0.1) }, exitRules: exitRules)
  }

  /// The edge lists the evaluation needs: pairs (near, far) of each extension's atoms.
  struct Edges {
    /// For flows: every (near, far) pair, over all flow rules.
    var flows: [(TermID, TermID)] = []
    /// For each sandwich: its left pairs (near A, far X) and right pairs (near B, far Y).
    var sandwiches: [(left: [(TermID, TermID)], right: [(TermID, TermID)])] = []
  }

  /// Adjacency in compressed-sparse-row form: the neighbours of key k are
  /// `targets[offsets[k] ..< offsets[k + 1]]`.
  final class Adjacency {
    let offsets: UnsafeMutablePointer<Int32>
    let targets: UnsafeMutablePointer<Int32>
    let size: Int

    /// Builds the adjacency of pairs (from, to), ignoring ids outside the id space.
    init(size: Int, pairs: [(TermID, TermID)]) {
      self.size = size
      offsets = .allocate(capacity: size + 1)
      offsets.initialize(repeating: 0, count: size + 1)
      var kept = 0
      for (from, to) in pairs where Int(from) < size && Int(to) < size {
        offsets[Int(from) + 1] += 1
        kept += 1
      }
      for k in 0..<size { offsets[k + 1] += offsets[k] }
      targets = .allocate(capacity: max(1, kept))
      var cursor = [Int32](UnsafeBufferPointer(start: offsets, count: size))
      for (from, to) in pairs where Int(from) < size && Int(to) < size {
        targets[Int(cursor[Int(from)])] = Int32(to)
        cursor[Int(from)] += 1
      }
    }

    deinit {
      offsets.deallocate()
      targets.deallocate()
    }

    @inline(__always) func isEmpty(_ k: Int) -> Bool { offsets[k] == offsets[k + 1] }
  }

  /// Runs the closure from the exit rules' tuples.
  static func evaluate(_ shape: Shape, size: Int, initial: Relation, edges: Edges, budget: Budget) throws(EvaluationError) -> DenseMatrix {
    let matrix = DenseMatrix(size: size, keyedBySecond: shape.keyedBySecond)
    let words = matrix.words
    let full = matrix.bits
    let cells = max(1, size * words)
    let deltaStorage = ZeroedWords(cells)
    let nextStorage = ZeroedWords(cells)
    let spreadStorage = ZeroedWords(words)
    defer {
      deltaStorage.release()
      nextStorage.release()
      spreadStorage.release()
    }
    let delta = deltaStorage.pointer
    let next = nextStorage.pointer
    let spread = spreadStorage.pointer
    var total = 0
    // Per key: whether its delta row is non-empty, and the range of words that may be non-zero
    // (a chain's delta rows hold one bit, so ORing whole rows would waste the word parallelism).
    var active = [Bool](repeating: false, count: size)
    var low = [Int32](repeating: Int32(words), count: size)
    var high = [Int32](repeating: 0, count: size)
    for row in 0..<initial.count {
      let a = Int(initial.value(row: row, column: 0))
      let b = Int(initial.value(row: row, column: 1))
      guard a < size, b < size else { continue }
      let (key, bit) = shape.keyedBySecond ? (b, a) : (a, b)
      let w = bit >> 6
      if full[key * words + w] & (1 << UInt64(bit & 63)) == 0 { total += 1 }
      full[key * words + w] |= 1 << UInt64(bit & 63)
      delta[key * words + w] |= 1 << UInt64(bit & 63)
      active[key] = true
      low[key] = min(low[key], Int32(w))
      high[key] = max(high[key], Int32(w + 1))
    }
    // Flows: the keys whose delta flows into each key (far <- near).
    let sources = Adjacency(size: size, pairs: edges.flows.map { ($0.1, $0.0) })
    // Sandwiches: for each A the rows X with L(X, A); for each B the columns Y with R(B, Y).
    let sandwiches = edges.sandwiches.map { (left, right) in
      (into: Adjacency(size: size, pairs: left), spreadTo: Adjacency(size: size, pairs: right))
    }
    // The word range of `next` each key may have touched this iteration.
    var nextLow = [Int32](repeating: Int32(words), count: size)
    var nextHigh = [Int32](repeating: 0, count: size)
    var touchedKeys: [Int32] = []
    var iterations = 1
    while active.contains(true) {
      iterations += 1
      @inline(__always) func merge(into key: Int, from source: UnsafeMutablePointer<UInt64>, _ lo: Int, _ hi: Int) {
        guard lo < hi else { return }
        let target = next + key * words
        for w in lo..<hi { target[w] |= source[w] }
        if nextHigh[key] == 0 { touchedKeys.append(Int32(key)) }
        nextLow[key] = min(nextLow[key], Int32(lo))
        nextHigh[key] = max(nextHigh[key], Int32(hi))
      }
      for key in 0..<size where !sources.isEmpty(key) {
        for k in Int(sources.offsets[key])..<Int(sources.offsets[key + 1]) {
          let source = Int(sources.targets[k])
          guard active[source] else { continue }
          merge(into: key, from: delta + source * words, Int(low[source]), Int(high[source]))
        }
      }
      for (into, spreadTo) in sandwiches {
        for a in 0..<size where active[a] && !into.isEmpty(a) {
          // Spread row a of the delta through R, bit by bit.
          let row = delta + a * words
          var spreadLow = words
          var spreadHigh = 0
          for w in Int(low[a])..<Int(high[a]) {
            var word = row[w]
            while word != 0 {
              let b = w * 64 + word.trailingZeroBitCount
              word &= word - 1
              for k in Int(spreadTo.offsets[b])..<Int(spreadTo.offsets[b + 1]) {
                let y = Int(spreadTo.targets[k])
                spread[y >> 6] |= 1 << UInt64(y & 63)
                spreadLow = min(spreadLow, y >> 6)
                spreadHigh = max(spreadHigh, (y >> 6) + 1)
              }
            }
          }
          guard spreadLow < spreadHigh else { continue }
          for k in Int(into.offsets[a])..<Int(into.offsets[a + 1]) {
            merge(into: Int(into.targets[k]), from: spread, spreadLow, spreadHigh)
          }
          (spread + spreadLow).update(repeating: 0, count: spreadHigh - spreadLow)
        }
      }
      // The new delta: what was reached and is not known yet.
      for key in 0..<size where active[key] {
        (delta + key * words + Int(low[key])).update(repeating: 0, count: Int(high[key] - low[key]))
        active[key] = false
        low[key] = Int32(words)
        high[key] = 0
      }
      for key32 in touchedKeys {
        let key = Int(key32)
        let target = next + key * words
        let known = full + key * words
        let out = delta + key * words
        var freshLow = Int32(words)
        var freshHigh: Int32 = 0
        for w in Int(nextLow[key])..<Int(nextHigh[key]) {
          let fresh = target[w] & ~known[w]
          target[w] = 0
          if fresh != 0 {
            out[w] = fresh
            known[w] |= fresh
            total &+= fresh.nonzeroBitCount
            freshLow = min(freshLow, Int32(w))
            freshHigh = Int32(w + 1)
          }
        }
        nextLow[key] = Int32(words)
        nextHigh[key] = 0
        if freshLow < freshHigh {
          active[key] = true
          low[key] = freshLow
          high[key] = freshHigh
        }
      }
      touchedKeys.removeAll(keepingCapacity: true)
      try budget.check()
    }
    matrix.iterations = iterations
    matrix.count = total
    return matrix
  }
}
