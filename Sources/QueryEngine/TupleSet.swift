// Duplicate detection for relations, chosen by arity and by the size of the id space: a lazily
// allocated bit matrix for unary and binary relations over a small dictionary (one bit per
// possible tuple, so checking a tuple is a cache-friendly bit test), a hash set of packed 64-bit
// keys for other unary and binary relations, and a hash set of row numbers for wider ones.

import GraphModel

/// A set of tuples of one arity; `insert` reports whether a tuple was new.
protocol TupleSet {
  /// Inserts a tuple; returns whether it was not there before.
  mutating func insert(_ tuple: UnsafeBufferPointer<TermID>) -> Bool
}

/// One bit per possible (a, b) with a, b below `size` (rows of the matrix are allocated when
/// first touched); tuples with larger ids go to an overflow hash set.
final class BitMatrixSet: TupleSet {
  let size: Int
  let arity: Int
  private var rows: [UnsafeMutablePointer<UInt64>?]
  private let wordsPerRow: Int
  private var overflow = PackedKeySet()

  /// The largest id space for which a binary relation gets a bit matrix (16,384² bits = 32 MB
  /// if every row is touched).
  static let maximumBinarySize = 16_384
  /// The largest id space for a unary bit set.
  static let maximumUnarySize = 1 << 28

  init(size: Int, arity: Int) {
    self.size = size
    self.arity = arity
    wordsPerRow = (size + 63) / 64
    rows = Array(repeating: nil, count: arity == 2 ? size : 1)
  }

  deinit {
    for row in rows {
      row?.deallocate()
    }
  }

  /// Whether a tuple is in the set.
  @inline(__always) func contains(_ tuple: UnsafeBufferPointer<TermID>) -> Bool {
    let a = Int(tuple[0])
    let b = arity == 2 ? Int(tuple[1]) : a
    let r = arity == 2 ? a : 0
    guard a < size, b < size else { return overflow.contains(tuple) }
    guard let row = rows[r] else { return false }
    return row[b >> 6] & (1 << UInt64(b & 63)) != 0
  }

  @inline(__always) func insert(_ tuple: UnsafeBufferPointer<TermID>) -> Bool {
    let a = Int(tuple[0])
    let b = arity == 2 ? Int(tuple[1]) : a
    let r = arity == 2 ? a : 0
    guard a < size, b < size else { return overflow.insert(tuple) }
    let row: UnsafeMutablePointer<UInt64>
    if let existing = rows[r] {
      row = existing
    } else {
      row = UnsafeMutablePointer<UInt64>.allocate(capacity: wordsPerRow)
      row.initialize(repeating: 0, count: wordsPerRow)
      rows[r] = row
    }
    let word = b >> 6
    let bit: UInt64 = 1 << UInt64(b & 63)
    if row[word] & bit != 0 { return false }
    row[word] |= bit
    return true
  }
}

/// Open addressing over packed 64-bit keys (`a << 32 | b`, or `a` for unary tuples).
struct PackedKeySet: TupleSet {
  private var keys: [UInt64] = Array(repeating: PackedKeySet.empty, count: 16)
  private var count = 0
  static let empty = UInt64.max

  @inline(__always) static func hash(_ key: UInt64) -> Int {
    var h = key &* 0x9E37_79B9_7F4A_7C15
    h ^= h >> 32
    return Int(truncatingIfNeeded: h)
  }

  @inline(__always) mutating func insert(_ tuple: UnsafeBufferPointer<TermID>) -> Bool {
    let key = tuple.count == 2 ? UInt64(tuple[0]) << 32 | UInt64(tuple[1]) : UInt64(tuple[0])
    return insert(key: key)
  }

  /// Whether a tuple is in the set.
  func contains(_ tuple: UnsafeBufferPointer<TermID>) -> Bool {
    let key = tuple.count == 2 ? UInt64(tuple[0]) << 32 | UInt64(tuple[1]) : UInt64(tuple[0])
    let mask = keys.count - 1
    var i = PackedKeySet.hash(key) & mask
    while true {
      let k = keys[i]
      if k == key { return true }
      if k == PackedKeySet.empty { return false }
      i = (i &+ 1) & mask
    }
  }

  mutating func insert(key: UInt64) -> Bool {
    var mask = keys.count - 1
    var i = PackedKeySet.hash(key) & mask
    while true {
      let k = keys[i]
      if k == key { return false }
      if k == PackedKeySet.empty { break }
      i = (i &+ 1) & mask
    }
    keys[i] = key
    count += 1
    if count * 2 > keys.count {
      let old = keys
      keys = Array(repeating: PackedKeySet.empty, count: old.count * 2)
      mask = keys.count - 1
      for k in old where k != PackedKeySet.empty {
        var j = PackedKeySet.hash(k) & mask
        while keys[j] != PackedKeySet.empty { j = (j &+ 1) & mask }
        keys[j] = k
      }
    }
    return true
  }
}
