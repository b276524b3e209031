// An answer as it leaves the engine: rows of dictionary ids in answer order, decoded only at the
// edge. The distinct terms of the answer are decoded once each and ranked in value order; rows
// refer to terms by rank, so ordering rows compares integers (packed into one 64-bit key per row
// and radix-sorted when the ranks fit), never decoded values. A dense closure's bit matrix is
// answered without building rows at all: its rows and bits are walked in rank order.

import GraphModel

/// The rows of one answer, in order, as ranks of the answer's distinct terms.
public final class AnswerRows: @unchecked Sendable {
  /// The number of columns.
  public let arity: Int
  /// The number of rows (after `limit`).
  public let count: Int
  /// The answer's distinct terms in value order (a term's index is its rank).
  let terms: [TermID]
  /// The decoded terms, by rank.
  public let values: [Value]

  enum Storage {
    case empty
    /// One key per row: the ranks of the row's columns, `bits` bits each, first column highest.
    case packed(keys: [UInt64], bits: Int)
    /// `arity` ranks per row.
    case ranks([Int32])
    /// A bit matrix, walked in rank order of its first column and then of its second.
    case dense(DenseMatrix)
  }

  let storage: Storage

  init(arity: Int, count: Int, terms: [TermID], values: [Value], storage: Storage) {
    self.arity = arity
    self.count = count
    self.terms = terms
    self.values = values
    self.storage = storage
  }

  /// An answer with no rows.
  static func empty(arity: Int) -> AnswerRows {
    AnswerRows(arity: arity, count: 0, terms: [], values: [], storage: .empty)
  }

  /// The term id of a rank.
  public func term(rank: Int32) -> TermID { terms[Int(rank)] }

  /// Calls `body` with each row's ranks in order, until it returns false.
  ///
  /// - Complexity: O(rows × arity), plus O(n²) bit tests for a dense matrix over n terms.
  public func forEachRow(_ body: (UnsafeBufferPointer<Int32>) throws -> Bool) rethrows {
    guard count > 0 else { return }
    let row = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, arity))
    defer { row.deallocate() }
    let buffer = UnsafeBufferPointer(start: row, count: arity)
    switch storage {
    case .empty:
      return
    case .packed(let keys, let bits):
      let mask: UInt64 = bits >= 64 ? ~0 : (1 << UInt64(bits)) - 1
      for k in 0..<count {
        let key = keys[k]
        for c in 0..<arity {
          row[c] = Int32(truncatingIfNeeded: (key >> UInt64((arity - 1 - c) * bits)) & mask)
        }
        guard try body(buffer) else { return }
      }
    case .ranks(let ranks):
      try ranks.withUnsafeBufferPointer { ranks in
        for k in 0..<count {
          guard try body(UnsafeBufferPointer(rebasing: ranks[(k * arity)..<((k + 1) * arity)])) else { return }
        }
      }
    case .dense(let matrix):
      // Ranks are the positions in `terms` (the matrix is keyed by the first column, see
      // AnswerBuilder): walk keys in rank order and, within a key's row, test the bit of every
      // term in rank order.
      let words = matrix.words
      let bits = matrix.bits
      let size = matrix.size
      var emitted = 0
      try terms.withUnsafeBufferPointer { terms in
        for a in 0..<terms.count {
          let key = Int(terms[a])
          guard key < size else { continue }
          let line = bits + key &* words
          var any: UInt64 = 0
          for w in 0..<words { any |= line[w] }
          if any == 0 { continue }
          row[0] = Int32(truncatingIfNeeded: a)
          for b in 0..<terms.count {
            let bit = Int(terms[b])
            if bit < size, line[bit >> 6] & (1 << UInt64(bit & 63)) != 0 {
              row[1] = Int32(truncatingIfNeeded: b)
              guard try body(buffer) else { return }
              emitted &+= 1
              if emitted == count { return }
            }
          }
        }
      }
    }
  }

  /// Every row decoded (for library callers and tests; writers stream with ``forEachRow(_:)``).
  public func decoded() -> [[Value]] {
    var rows: [[Value]] = []
    rows.reserveCapacity(count)
    forEachRow { ranks in
      rows.append(ranks.map { values[Int($0)] })
      return true
    }
    return rows
  }
}

/// Builds ``AnswerRows`` from a relation or a dense matrix.
struct AnswerBuilder {
  let operations: ValueOperations

  /// Ranks terms: decodes each once and sorts the decoded values once.
  private func rank(_ ids: [TermID]) -> (terms: [TermID], values: [Value], rankOfLocal: [Int32]) {
    let values = ids.map { operations.value($0) }
    let order = Value.sortOrder(of: values)
    var rankOfLocal = [Int32](repeating: 0, count: ids.count)
    var terms: [TermID] = []
    var sorted: [Value] = []
    terms.reserveCapacity(ids.count)
    sorted.reserveCapacity(ids.count)
    for (rank, local) in order.enumerated() {
      rankOfLocal[local] = Int32(rank)
      terms.append(ids[local])
      sorted.append(values[local])
    }
    return (terms, sorted, rankOfLocal)
  }

  /// The rows of a relation, sorted by `ordering` (column, descending) and then by every column.
  func rows(of relation: Relation?, arity: Int, ordering: [(Int, Bool)], limit: Int?) -> AnswerRows {
    guard let relation, relation.count > 0 else { return .empty(arity: arity) }
    return rows(of: relation.data, count: relation.count, arity: arity, ordering: ordering, limit: limit)
  }

  /// The rows of `n` distinct tuples stored flat in `data` (`arity` ids each), sorted as above.
  func rows(of data: [TermID], count n: Int, arity: Int, ordering: [(Int, Bool)], limit: Int?) -> AnswerRows {
    guard n > 0 else { return .empty(arity: arity) }
    guard arity > 0 else {
      return AnswerRows(arity: 0, count: limit.map { min($0, 1) } ?? 1, terms: [], values: [], storage: .ranks([]))
    }
    // Number the distinct terms in order of appearance: a flat table by id when the answer is
    // large beside the id space (so zeroing the table costs less than hashing every cell), else
    // a hash map.
    var ids: [TermID] = []
    var cells = [Int32](repeating: 0, count: n * arity)
    let space = operations.dictionary.count
    if space <= 1 << 26, space <= n &* arity &* 8 {
      var local = [Int32](repeating: -1, count: space + 1)
      data.withUnsafeBufferPointer { data in
        cells.withUnsafeMutableBufferPointer { cells in
          for i in 0..<(n * arity) {
            let id = data[i]
            let slot = Int(id) < local.count ? Int(id) : space
            if slot == space {
              // Outside the table (cannot happen for ids of this dictionary): append as new.
              cells[i] = Int32(ids.count)
              ids.append(id)
              continue
            }
            var known = local[slot]
            if known < 0 {
              known = Int32(ids.count)
              local[slot] = known
              ids.append(id)
            }
            cells[i] = known
          }
        }
      }
    } else {
      var local: [TermID: Int32] = [:]
      for i in 0..<(n * arity) {
        let id = data[i]
        if let known = local[id] {
          cells[i] = known
        } else {
          let next = Int32(ids.count)
          local[id] = next
          ids.append(id)
          cells[i] = next
        }
      }
    }
    let (terms, values, rankOfLocal) = rank(ids)
    for i in cells.indices { cells[i] = rankOfLocal[Int(cells[i])] }
    let shown = limit.map { min($0, n) } ?? n
    // One key per row when the ordering columns and the row fit in 64 bits.
    var bits = 1
    while (1 << bits) < terms.count { bits += 1 }
    let fields = ordering.count + arity
    if fields * bits <= 64 {
      var keys = [UInt64](repeating: 0, count: n)
      let top = UInt64(terms.count - 1)
      cells.withUnsafeBufferPointer { cells in
        for r in 0..<n {
          var key: UInt64 = 0
          for (column, descending) in ordering {
            let rank = UInt64(cells[r * arity + column])
            key = key << UInt64(bits) | (descending ? top - rank : rank)
          }
          for c in 0..<arity { key = key << UInt64(bits) | UInt64(cells[r * arity + c]) }
          keys[r] = key
        }
      }
      RadixSort.sort(&keys, significantBits: fields * bits)
      if shown < n { keys.removeLast(n - shown) }
      return AnswerRows(arity: arity, count: shown, terms: terms, values: values, storage: .packed(keys: keys, bits: bits))
    }
    let order = Array(0..<n).sorted { a, b in
      for (column, descending) in ordering {
        let x = cells[a * arity + column]
        let y = cells[b * arity + column]
        if x != y { return descending ? x > y : x < y }
      }
      for column in 0..<arity {
        let x = cells[a * arity + column]
        let y = cells[b * arity + column]
        if x != y { return x < y }
      }
      return false
    }
    var sorted = [Int32]()
    sorted.reserveCapacity(shown * arity)
    for r in order.prefix(shown) { sorted.append(contentsOf: cells[(r * arity)..<((r + 1) * arity)]) }
    return AnswerRows(arity: arity, count: shown, terms: terms, values: values, storage: .ranks(sorted))
  }

  /// The rows of a dense matrix in default order (first column, then second), walked in place
  /// (a matrix keyed by its second column is transposed first).
  func rows(of denseMatrix: DenseMatrix, limit: Int?) -> AnswerRows {
    guard denseMatrix.count > 0 else { return .empty(arity: 2) }
    let matrix = denseMatrix.keyedBySecond ? denseMatrix.transposed() : denseMatrix
    let words = matrix.words
    let bits = matrix.bits
    // The ids in use: keys with a bit, and every bit of any row.
    var union = [UInt64](repeating: 0, count: words)
    var keys: [TermID] = []
    for key in 0..<matrix.size {
      let row = bits + key * words
      var any: UInt64 = 0
      for w in 0..<words {
        union[w] |= row[w]
        any |= row[w]
      }
      if any != 0 { keys.append(TermID(key)) }
    }
    var used = Set<TermID>(keys)
    for w in 0..<words {
      var word = union[w]
      while word != 0 {
        used.insert(TermID(w * 64 + word.trailingZeroBitCount))
        word &= word - 1
      }
    }
    let (terms, values, _) = rank(used.sorted())
    let shown = limit.map { min($0, matrix.count) } ?? matrix.count
    return AnswerRows(arity: 2, count: shown, terms: terms, values: values, storage: .dense(matrix))
  }
}

/// Least-significant-digit radix sort of 64-bit keys, 11 bits a pass, only over the bits used.
enum RadixSort {
  static func sort(_ keys: inout [UInt64], significantBits: Int) {
    let n = keys.count
    guard n > 1 else { return }
    if n < 256 {
      keys.sort()
      return
    }
    let digitBits = 11
    let buckets = 1 << digitBits
    var scratch = [UInt64](repeating: 0, count: n)
    var counts = [Int](repeating: 0, count: buckets)
    var shift = 0
    var inScratch = false
    while shift < significantBits {
      for i in 0..<buckets { counts[i] = 0 }
      let s = UInt64(shift)
      let mask = UInt64(buckets - 1)
      keys.withUnsafeMutableBufferPointer { keys in
        scratch.withUnsafeMutableBufferPointer { scratch in
          counts.withUnsafeMutableBufferPointer { counts in
            let from = inScratch ? scratch : keys
            let to = inScratch ? keys : scratch
            for i in 0..<n { counts[Int((from[i] >> s) & mask)] &+= 1 }
            var total = 0
            for b in 0..<buckets {
              let c = counts[b]
              counts[b] = total
              total &+= c
            }
            for i in 0..<n {
              let k = from[i]
              let b = Int((k >> s) & mask)
              to[counts[b]] = k
              counts[b] &+= 1
            }
          }
        }
      }
      inScratch.toggle()
      shift += digitBits
    }
    if inScratch { swap(&keys, &scratch) }
  }
}
