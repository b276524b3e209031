// A transaction as the log holds it: a number, a time, metadata, and assertions and retractions.

import GraphModel

/// One write: a numbered, timestamped group of assertions and retractions that is applied
/// entirely or not at all.
public struct Transaction: Hashable, Sendable {
  /// Whether an operation adds or removes a triple.
  public enum Action: Hashable, Sendable {
    /// Adds the triple (a no-op for the set of triples if it is already there, but it is
    /// recorded as another assertion of it, with its own provenance).
    case assert
    /// Removes the triple.
    case retract
  }

  /// One assertion or retraction.
  public struct Operation: Hashable, Sendable {
    /// Assert or retract.
    public var action: Action
    /// The triple.
    public var triple: Triple

    /// Creates an operation.
    public init(_ action: Action, _ triple: Triple) {
      self.action = action
      self.triple = triple
    }
  }

  /// Number, timestamp and metadata.
  public var info: TransactionInfo
  /// The operations, in the order they were written.
  public var operations: [Operation]

  /// Creates a transaction.
  public init(info: TransactionInfo, operations: [Operation]) {
    self.info = info
    self.operations = operations
  }

  /// The transaction number.
  public var number: TxNumber { info.number }
}
