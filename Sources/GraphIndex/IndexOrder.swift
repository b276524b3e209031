// One sort order of the triples (spo, pos or osp), stored compressed-sparse-row style: for each
// first-position id, a contiguous, sorted run of (second, third) pairs packed into UInt64s. The
// arrays live in immutable raw storage, so the engine can read them in place (IndexRuns).

import GraphModel
import Platform

/// The three permutations the index keeps.
public enum IndexOrder: String, CaseIterable, Sendable {
  /// Subject, predicate, object.
  case spo
  /// Predicate, object, subject.
  case pos
  /// Object, subject, predicate.
  case osp

  /// The first key and the packed (second, third) pair of a triple in this order.
  @inline(__always) func key(_ t: IDTriple) -> (first: TermID, pair: UInt64) {
    switch self {
    case .spo: (t.s, UInt64(t.p) << 32 | UInt64(t.o))
    case .pos: (t.p, UInt64(t.o) << 32 | UInt64(t.s))
    case .osp: (t.o, UInt64(t.s) << 32 | UInt64(t.p))
    }
  }

  /// The triple for a first key and a packed pair of this order.
  @inline(__always) func triple(first: TermID, pair: UInt64) -> IDTriple {
    let second = TermID(truncatingIfNeeded: pair >> 32)
    let third = TermID(truncatingIfNeeded: pair)
    switch self {
    case .spo: return IDTriple(first, second, third)
    case .pos: return IDTriple(third, first, second)
    case .osp: return IDTriple(second, third, first)
    }
  }
}

/// An immutable array in manually managed memory, so that its address never changes while it
/// exists (views of it can be handed to the engine).
final class FrozenArray<Element: FixedWidthInteger>: @unchecked Sendable {
  let buffer: UnsafeMutableBufferPointer<Element>
  /// The mapping the elements live in, when they were not allocated here (never written).
  private let mapping: MappedFile?

  /// Copies an array.
  init(_ array: [Element]) {
    buffer = .allocate(capacity: max(1, array.count))
    _ = buffer.initialize(from: array)
    count = array.count
    mapping = nil
  }

  /// Elements that stay in a read-only file mapping, which the array keeps alive.
  init(mapped elements: UnsafeBufferPointer<Element>, in mapping: MappedFile) {
    buffer = UnsafeMutableBufferPointer(mutating: elements)
    count = elements.count
    self.mapping = mapping
  }

  /// Allocates `count` elements and lets `fill` initialise all of them.
  init(count: Int, fill: (UnsafeMutableBufferPointer<Element>) -> Void) {
    buffer = .allocate(capacity: max(1, count))
    self.count = count
    mapping = nil
    fill(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
  }

  deinit { if mapping == nil { buffer.deallocate() } }

  /// The number of elements.
  let count: Int

  @inline(__always) subscript(_ i: Int) -> Element { buffer[i] }

  var isEmpty: Bool { count == 0 }
  var last: Element? { count > 0 ? buffer[count - 1] : nil }
  var first: Element? { count > 0 ? buffer[0] : nil }

  /// A read-only view of the elements.
  var view: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: buffer.baseAddress, count: count) }

  func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
    try body(view)
  }
}

/// The storage of one order.
///
/// Invariants: `offsets.count == termCount + 1`, `offsets` is non-decreasing from 0 to
/// `pairs.count`, and within each run `pairs[offsets[k]..<offsets[k+1]]` is strictly increasing.
struct OrderStorage {
  var offsets: FrozenArray<UInt32>
  var pairs: FrozenArray<UInt64>

  init(offsets: FrozenArray<UInt32>, pairs: FrozenArray<UInt64>) {
    self.offsets = offsets
    self.pairs = pairs
  }

  init(offsets: [UInt32], pairs: [UInt64]) {
    self.offsets = FrozenArray(offsets)
    self.pairs = FrozenArray(pairs)
  }

  static func empty(termCount: Int) -> OrderStorage {
    OrderStorage(offsets: Array(repeating: 0, count: termCount + 1), pairs: [])
  }

  /// The view the lookups (and the engine) use.
  var runs: IndexRuns.Order { IndexRuns.Order(offsets: offsets.view, pairs: pairs.view) }

  /// The run of pairs for a first key (empty for ids the index does not know).
  @inline(__always) func run(_ first: TermID) -> Range<Int> { runs.run(first) }

  /// The sub-run of pairs whose second component equals `second`.
  ///
  /// - Complexity: O(log n) in the length of the run.
  @inline(__always) func run(_ first: TermID, second: TermID) -> Range<Int> { runs.run(first, second: second) }

  /// The index of a pair in a run, if present.
  @inline(__always) func find(_ first: TermID, _ pair: UInt64) -> Int? { runs.find(first, pair) }

  /// Builds an order from unique triples by a counting sort on the first key.
  ///
  /// - Returns: The storage and, for each output position, the index of its source triple.
  static func build(_ order: IndexOrder, from triples: [IDTriple], termCount: Int) -> (OrderStorage, [UInt32]) {
    var counts = [UInt32](repeating: 0, count: termCount + 1)
    for t in triples {
      counts[Int(order.key(t).first) + 1] += 1
    }
    for k in 1..<counts.count { counts[k] += counts[k - 1] }
    let offsets = counts
    var cursor = counts
    var keyed = [(pair: UInt64, source: UInt32)](repeating: (0, 0), count: triples.count)
    for (index, t) in triples.enumerated() {
      let (first, pair) = order.key(t)
      let at = Int(cursor[Int(first)])
      keyed[at] = (pair, UInt32(index))
      cursor[Int(first)] += 1
    }
    for k in 0..<termCount {
      let start = Int(offsets[k])
      let end = Int(offsets[k + 1])
      if end - start > 1 {
        keyed[start..<end].sort { $0.pair < $1.pair }
      }
    }
    return (OrderStorage(offsets: offsets, pairs: keyed.map(\.pair)), keyed.map(\.source))
  }
}
