// Zero-copy access to an index's sorted runs. The index keeps each order (spo, pos, osp) as an
// offsets array by first id plus runs of packed (second << 32 | third) pairs; the query engine's
// inner loops read those runs directly instead of copying matches into a buffer.

/// Read-only views of the three index orders of a triple source.
///
/// The views stay valid as long as this value exists (it keeps the storage alive) and show the
/// source as it was when the value was made.
public struct IndexRuns: @unchecked Sendable {
  /// One order: offsets by first id, and runs of packed (second, third) pairs.
  public struct Order {
    /// `offsets[k] ..< offsets[k + 1]` is the run of first id `k`.
    public let offsets: UnsafeBufferPointer<UInt32>
    /// Packed pairs, `second << 32 | third`, strictly increasing within a run.
    public let pairs: UnsafeBufferPointer<UInt64>

    /// Creates a view.
    public init(offsets: UnsafeBufferPointer<UInt32>, pairs: UnsafeBufferPointer<UInt64>) {
      self.offsets = offsets
      self.pairs = pairs
    }

    /// The run of a first id (empty for ids the index does not know).
    ///
    /// - Complexity: O(1).
    @inline(__always) public func run(_ first: TermID) -> Range<Int> {
      let k = Int(first)
      guard k + 1 < offsets.count else { return 0..<0 }
      return Int(offsets[k])..<Int(offsets[k + 1])
    }

    /// The part of a first id's run whose second component is `second`.
    ///
    /// - Complexity: O(log n) in the length of the run.
    @inline(__always) public func run(_ first: TermID, second: TermID) -> Range<Int> {
      let r = run(first)
      if r.isEmpty { return r }
      let low = UInt64(second) << 32
      let start = lowerBound(low, in: r)
      let end = lowerBound(low | 0xFFFF_FFFF, in: start..<r.upperBound, inclusive: true)
      return start..<end
    }

    /// The first position in `range` whose pair is not below `value` (or, with `inclusive`,
    /// above it).
    @inline(__always) public func lowerBound(_ value: UInt64, in range: Range<Int>, inclusive: Bool = false) -> Int {
      var low = range.lowerBound
      var high = range.upperBound
      while low < high {
        let mid = (low + high) >> 1
        let below = inclusive ? pairs[mid] <= value : pairs[mid] < value
        if below { low = mid + 1 } else { high = mid }
      }
      return low
    }

    /// The position of a pair in a first id's run, if present.
    @inline(__always) public func find(_ first: TermID, _ pair: UInt64) -> Int? {
      let r = run(first)
      let i = lowerBound(pair, in: r)
      return i < r.upperBound && pairs[i] == pair ? i : nil
    }
  }

  /// Subject, predicate, object.
  public let spo: Order
  /// Predicate, object, subject.
  public let pos: Order
  /// Object, subject, predicate.
  public let osp: Order
  /// What keeps the storage alive.
  public let owner: AnyObject

  /// Creates views over storage kept alive by `owner`.
  public init(spo: Order, pos: Order, osp: Order, owner: AnyObject) {
    self.spo = spo
    self.pos = pos
    self.osp = osp
    self.owner = owner
  }
}
