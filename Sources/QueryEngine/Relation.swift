// The tuples of one derived predicate. Rows are only ever appended during evaluation, so the
// semi-naive sets are row ranges (see SemiNaive): stable = [0, stableEnd), recent =
// [stableEnd, recentEnd), new = [recentEnd, count). Duplicates are rejected by an
// open-addressing set over rows; hash indexes on column subsets are built on first use and kept
// up to date incrementally.

import GraphModel

/// A set of fixed-arity tuples of ids, in insertion order.
///
/// Invariant: no two rows are equal; `rounds[r]` is the evaluation round in which row `r` was
/// first derived (0 for facts copied from the store), so rounds never decrease along rows.
final class Relation {
  /// The number of columns.
  let arity: Int
  /// Rows, flattened: row `r` is `data[r * arity ..< (r + 1) * arity]`.
  private(set) var data: [TermID] = []
  /// The round in which each row was derived.
  private(set) var rounds: [UInt32] = []
  /// Row numbers by tuple, for relations wider than two columns (and for `find`).
  private var slots: [UInt32]
  private var indexes: [UInt32: HashIndex] = [:]
  /// Duplicate detection for unary and binary relations (nil: use `slots`).
  private var narrow: BitMatrixSet?
  private var packed: PackedKeySet?

  /// End of the stable rows (semi-naive bookkeeping, managed by the evaluator).
  var stableEnd = 0
  /// End of the recent rows.
  var recentEnd = 0

  /// Creates an empty relation; `idSpace` (the dictionary's size) decides whether a unary or
  /// binary relation gets a bit matrix.
  init(arity: Int, idSpace: Int = 0) {
    self.arity = arity
    slots = Array(repeating: 0, count: 16)
    if arity == 1, idSpace > 0, idSpace <= BitMatrixSet.maximumUnarySize {
      narrow = BitMatrixSet(size: idSpace, arity: 1)
    } else if arity == 2, idSpace > 0, idSpace <= BitMatrixSet.maximumBinarySize {
      narrow = BitMatrixSet(size: idSpace, arity: 2)
    } else if arity == 1 || arity == 2 {
      packed = PackedKeySet()
    }
  }

  /// The number of rows.
  var count: Int { rounds.count }

  /// One value of a row.
  @inline(__always) func value(row: Int, column: Int) -> TermID {
    data[row &* arity &+ column]
  }

  /// A row as an array.
  func row(_ r: Int) -> [TermID] {
    Array(data[(r * arity)..<((r + 1) * arity)])
  }

  @inline(__always) static func hash(_ tuple: UnsafeBufferPointer<TermID>) -> Int {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15
    for v in tuple {
      h = (h ^ UInt64(v)) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 29
    }
    return Int(truncatingIfNeeded: h ^ (h >> 32))
  }

  /// Adds a tuple unless present.
  ///
  /// - Returns: Whether it was new.
  /// - Complexity: O(1) expected.
  @discardableResult
  func insert(_ tuple: UnsafeBufferPointer<TermID>, round: UInt32) -> Bool {
    if narrow != nil || packed != nil {
      let new = narrow?.insert(tuple) ?? packed!.insert(tuple)
      if new {
        data.append(tuple[0])
        if arity == 2 { data.append(tuple[1]) }
        rounds.append(round)
      }
      return new
    }
    let h = Relation.hash(tuple)
    var mask = slots.count - 1
    var i = h & mask
    let found: Bool = slots.withUnsafeBufferPointer { slots in
      data.withUnsafeBufferPointer { data in
        while true {
          let slot = slots[i]
          if slot == 0 { return false }
          let base = Int(slot - 1) &* arity
          var equal = true
          for c in 0..<arity where data[base &+ c] != tuple[c] {
            equal = false
            break
          }
          if equal { return true }
          i = (i &+ 1) & mask
        }
      }
    }
    if found { return false }
    let row = rounds.count
    data.append(contentsOf: tuple)
    rounds.append(round)
    slots[i] = UInt32(row + 1)
    if (row + 1) * 2 > slots.count {
      grow()
      mask = slots.count - 1
    }
    return true
  }

  /// Adds a tuple given as an array.
  @discardableResult
  func insert(_ tuple: [TermID], round: UInt32) -> Bool {
    tuple.withUnsafeBufferPointer { insert($0, round: round) }
  }

  /// Whether a tuple is present, and at which row.
  func find(_ tuple: UnsafeBufferPointer<TermID>) -> Int? {
    if narrow != nil || packed != nil {
      // Narrow relations keep no row numbers by tuple; an index on every column finds rows.
      let index = self.index(on: (1 << UInt32(arity)) - 1)
      let row = index.first(tuple, self)
      return row >= 0 ? row : nil
    }
    let mask = slots.count - 1
    var i = Relation.hash(tuple) & mask
    return slots.withUnsafeBufferPointer { slots in
      data.withUnsafeBufferPointer { data in
        while true {
          let slot = slots[i]
          if slot == 0 { return nil }
          let row = Int(slot - 1)
          let base = row &* arity
          var equal = true
          for c in 0..<arity where data[base &+ c] != tuple[c] {
            equal = false
            break
          }
          if equal { return row }
          i = (i &+ 1) & mask
        }
      }
    }
  }

  /// Whether a tuple given as an array is present.
  func contains(_ tuple: [TermID]) -> Bool {
    tuple.withUnsafeBufferPointer { contains($0) }
  }

  /// Whether a tuple is present (a bit test or a hash probe; no row number needed).
  @inline(__always) func contains(_ tuple: UnsafeBufferPointer<TermID>) -> Bool {
    if let narrow { return narrow.contains(tuple) }
    if let packed { return packed.contains(tuple) }
    return find(tuple) != nil
  }

  private func grow() {
    slots = Array(repeating: 0, count: slots.count * 2)
    let mask = slots.count - 1
    let arity = self.arity
    data.withUnsafeBufferPointer { data in
      slots.withUnsafeMutableBufferPointer { slots in
        for row in 0..<rounds.count {
          let tuple = UnsafeBufferPointer(rebasing: data[(row * arity)..<((row + 1) * arity)])
          var i = Relation.hash(tuple) & mask
          while slots[i] != 0 { i = (i &+ 1) & mask }
          slots[i] = UInt32(row + 1)
        }
      }
    }
  }

  /// The hash index on a set of columns (a bit mask), brought up to date with all rows.
  func index(on columns: UInt32) -> HashIndex {
    let index: HashIndex
    if let existing = indexes[columns] {
      index = existing
    } else {
      index = HashIndex(columns: (0..<arity).filter { columns & (1 << UInt32($0)) != 0 })
      indexes[columns] = index
    }
    index.catchUp(self)
    return index
  }

}

/// A hash index of a relation on some of its columns: key -> the rows with that key, newest
/// first, chained through `next`.
final class HashIndex {
  /// The indexed columns, ascending.
  let columns: [Int]
  private var slots: [UInt32] = Array(repeating: 0, count: 16)
  /// For each row, the previous row with the same key plus one (0 ends the chain).
  private(set) var next: [UInt32] = []
  private var distinct = 0

  init(columns: [Int]) {
    self.columns = columns
  }

  /// Indexes the rows added to the relation since the last call.
  func catchUp(_ relation: Relation) {
    let start = next.count
    let end = relation.count
    guard start < end else { return }
    next.reserveCapacity(end)
    for row in start..<end {
      add(row: row, relation)
    }
  }

  private func keyHash(row: Int, _ relation: Relation) -> Int {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15
    for c in columns {
      h = (h ^ UInt64(relation.value(row: row, column: c))) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 29
    }
    return Int(truncatingIfNeeded: h ^ (h >> 32))
  }

  @inline(__always) static func keyHash(_ key: UnsafeBufferPointer<TermID>) -> Int {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15
    for v in key {
      h = (h ^ UInt64(v)) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 29
    }
    return Int(truncatingIfNeeded: h ^ (h >> 32))
  }

  private func add(row: Int, _ relation: Relation) {
    let mask = slots.count - 1
    var i = keyHash(row: row, relation) & mask
    while true {
      let slot = slots[i]
      if slot == 0 {
        next.append(0)
        slots[i] = UInt32(row + 1)
        distinct += 1
        if distinct * 2 > slots.count { rehash(relation) }
        return
      }
      let other = Int(slot - 1)
      if sameKey(row, other, relation) {
        next.append(slot)
        slots[i] = UInt32(row + 1)
        return
      }
      i = (i &+ 1) & mask
    }
  }

  private func sameKey(_ a: Int, _ b: Int, _ relation: Relation) -> Bool {
    for c in columns where relation.value(row: a, column: c) != relation.value(row: b, column: c) {
      return false
    }
    return true
  }

  private func rehash(_ relation: Relation) {
    let old = slots
    slots = Array(repeating: 0, count: old.count * 2)
    let mask = slots.count - 1
    for slot in old where slot != 0 {
      var i = keyHash(row: Int(slot - 1), relation) & mask
      while slots[i] != 0 { i = (i &+ 1) & mask }
      slots[i] = slot
    }
  }

  /// The newest row whose indexed columns equal `key` (one value per indexed column, in
  /// column order), or -1.
  ///
  /// - Complexity: O(1) expected.
  func first(_ key: UnsafeBufferPointer<TermID>, _ relation: Relation) -> Int {
    let mask = slots.count - 1
    var i = HashIndex.keyHash(key) & mask
    while true {
      let slot = slots[i]
      if slot == 0 { return -1 }
      let row = Int(slot - 1)
      var equal = true
      for (k, c) in columns.enumerated() where relation.value(row: row, column: c) != key[k] {
        equal = false
        break
      }
      if equal { return row }
      i = (i &+ 1) & mask
    }
  }

  /// The next older row with the same key, or -1.
  @inline(__always) func older(_ row: Int) -> Int {
    Int(next[row]) - 1
  }
}
