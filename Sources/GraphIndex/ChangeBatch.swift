// The net effect of one or more transactions, collected before it is merged into the index, so
// that replaying a long log costs one merge instead of one per transaction.

import GraphModel

/// Assertions and retractions in the order they were made, merged into an index in one pass.
public struct ChangeBatch {
  /// The operations: a transaction number for an assertion, 0 for a retraction.
  private(set) var operations: [(triple: IDTriple, tx: TxNumber)] = []
  private(set) var hasRetractions = false
  /// The transactions whose operations the batch holds.
  public private(set) var transactions: [TransactionInfo] = []

  /// Creates an empty batch.
  public init() {}

  /// The number of operations recorded.
  public var operationCount: Int { operations.count }

  /// Records a transaction's information (call once per transaction, in order).
  public mutating func begin(_ info: TransactionInfo) {
    transactions.append(info)
  }

  /// Records an assertion by a transaction.
  public mutating func assert(_ triple: IDTriple, by tx: TxNumber) {
    operations.append((triple, tx))
  }

  /// Records a retraction.
  public mutating func retract(_ triple: IDTriple) {
    operations.append((triple, 0))
    hasRetractions = true
  }

  /// The final state of a changed triple.
  enum Change: Equatable {
    /// Present after the batch, asserted by these transactions. When `replacesEarlier` is true
    /// the triple was retracted within the batch, so provenance from before it is dropped.
    case asserted([TxNumber], replacesEarlier: Bool)
    /// Absent after the batch.
    case retracted
  }

  /// The final state of every changed triple, in triple order.
  ///
  /// - Complexity: O(k log k) for k operations.
  func netChanges() -> [(IDTriple, Change)] {
    if !hasRetractions {
      // Only assertions: sort, then group the transactions of each triple.
      let sorted = operations.sorted { ($0.triple.s, $0.triple.p, $0.triple.o, $0.tx) < ($1.triple.s, $1.triple.p, $1.triple.o, $1.tx) }
      var result: [(IDTriple, Change)] = []
      result.reserveCapacity(sorted.count)
      var i = 0
      while i < sorted.count {
        let triple = sorted[i].triple
        var txs: [TxNumber] = []
        while i < sorted.count, sorted[i].triple == triple {
          if txs.last != sorted[i].tx { txs.append(sorted[i].tx) }
          i += 1
        }
        result.append((triple, .asserted(txs, replacesEarlier: false)))
      }
      return result
    }
    var states: [IDTriple: Change] = [:]
    for (triple, tx) in operations {
      if tx == 0 {
        states[triple] = .retracted
        continue
      }
      switch states[triple] {
      case nil:
        states[triple] = .asserted([tx], replacesEarlier: false)
      case .asserted(var txs, let replaces)?:
        if txs.last != tx { txs.append(tx) }
        states[triple] = .asserted(txs, replacesEarlier: replaces)
      case .retracted?:
        states[triple] = .asserted([tx], replacesEarlier: true)
      }
    }
    return states.sorted { ($0.key.s, $0.key.p, $0.key.o) < ($1.key.s, $1.key.p, $1.key.o) }.map { ($0.key, $0.value) }
  }
}
