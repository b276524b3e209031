// Resource limits for one stage of work (reading and checking a text, or answering one query):
// a deadline, caps on derived facts and on the bytes they and the values computed for them take,
// and cancellation (Ctrl-C in the REPL). Checked cheaply from the inner loops.

import Diagnostics
import GraphModel
import Platform
import Synchronization

/// A flag another thread or a signal handler can raise to stop an evaluation.
public final class CancellationFlag: Sendable {
  private let raised = Atomic<Bool>(false)

  /// Creates a lowered flag.
  public init() {}

  /// Raises the flag.
  public func cancel() { raised.store(true, ordering: .relaxed) }
  /// Lowers the flag.
  public func reset() { raised.store(false, ordering: .relaxed) }
  /// Whether it is raised.
  public var isCancelled: Bool { raised.load(ordering: .relaxed) }
}

/// Limits on one evaluation.
public struct EvaluationLimits: Sendable {
  /// Seconds before the evaluation stops; nil for no limit.
  public var timeout: Double?
  /// The most facts the evaluation may derive (all relations together, results included).
  public var maxDerivedFacts: Int
  /// The most bytes the evaluation may add: the values it computes (a concatenated string, a
  /// sum) and the tuples it derives (4 bytes a column plus 12 of bookkeeping).
  public var maxMemory: Int
  /// Raised to cancel.
  public var cancellation: CancellationFlag?

  /// The default byte budget: an eighth of physical memory, at least 256 MiB and at most
  /// 2 GiB. The process needs about three times what the budget counts (a value is built, then
  /// copied into the dictionary; relations keep indexes), on top of the store itself; an eighth
  /// leaves room for that and for the rest of the machine, and 2 GiB of derived data is far
  /// beyond any query a store of this kind answers usefully.
  public static let defaultMaxMemory: Int = {
    let physical = PhysicalMemory.bytes ?? 8 << 30
    return min(max(physical / 8, 256 << 20), 2 << 30)
  }()

  /// The defaults: 60 s, 20,000,000 derived facts and ``defaultMaxMemory`` bytes.
  public static let defaults = EvaluationLimits(timeout: 60, maxDerivedFacts: 20_000_000, cancellation: nil)

  /// Creates limits.
  public init(timeout: Double?, maxDerivedFacts: Int, maxMemory: Int = EvaluationLimits.defaultMaxMemory, cancellation: CancellationFlag? = nil) {
    self.timeout = timeout
    self.maxDerivedFacts = maxDerivedFacts
    self.maxMemory = maxMemory
    self.cancellation = cancellation
  }
}

/// Tracks one stage of work (reading and checking a text, or one query) against its limits.
public final class Budget {
  let limits: EvaluationLimits
  let started: Double
  private let deadline: Double?
  /// Facts derived so far.
  var derived = 0
  /// Bytes of derived tuples and computed values so far.
  var bytes = 0
  /// The predicate most recently growing, named in limit errors.
  var growing: String?

  /// Starts the clock of a stage.
  public init(_ limits: EvaluationLimits) {
    self.limits = limits
    let now = Budget.now()
    started = now
    deadline = limits.timeout.flatMap { $0 > 0 ? now + $0 : nil }
  }

  static func now() -> Double { MonotonicClock.seconds() }

  /// Whether the work is cancelled or past its deadline; for loops that cannot throw, such as
  /// the parser's and the checker's (see `StopRequest`).
  public var isExhausted: Bool {
    if let flag = limits.cancellation, flag.isCancelled { return true }
    if let deadline, Budget.now() > deadline { return true }
    return false
  }

  /// Checks the clock and the cancellation flag.
  func check() throws(EvaluationError) {
    if let flag = limits.cancellation, flag.isCancelled {
      throw EvaluationError(reason: .cancelled)
    }
    if let deadline, Budget.now() > deadline {
      throw EvaluationError(reason: .timeout(seconds: limits.timeout ?? 0, growing: growing))
    }
  }

  /// Checks the clock and the cancellation flag between stages, with the message users see.
  public func checkStage() throws(DiagnosticError) {
    do throws(EvaluationError) {
      try check()
    } catch {
      throw DiagnosticError(error.diagnostic)
    }
  }

  /// The bytes a derived tuple of `arity` columns counts: its ids, its round and a hash slot.
  @inline(__always) static func tupleBytes(arity: Int) -> Int { arity &* 4 &+ 12 }

  /// Counts one newly derived fact of a predicate and its bytes.
  @inline(__always) func derivedOne(_ predicate: @autoclosure () -> String, arity: Int) throws(EvaluationError) {
    derived &+= 1
    if derived > limits.maxDerivedFacts {
      throw EvaluationError(reason: .tooManyFacts(limit: limits.maxDerivedFacts, growing: predicate()))
    }
    try allocated(Budget.tupleBytes(arity: arity), predicate())
  }

  /// Counts bytes added by the evaluation (values created, tuples derived).
  @inline(__always) func allocated(_ count: Int, _ predicate: @autoclosure () -> String) throws(EvaluationError) {
    bytes &+= count
    if bytes > limits.maxMemory {
      throw EvaluationError(reason: .tooMuchMemory(limit: limits.maxMemory, growing: predicate()))
    }
  }

  /// Refuses, before it is built, a value of about `count` bytes that would pass the limit (or
  /// that the dictionary of computed values, which addresses at most 4 GiB, could not hold).
  func wouldAllocate(_ count: Int, in dictionary: TermDictionary, _ predicate: @autoclosure () -> String) throws(EvaluationError) {
    if count > limits.maxMemory &- bytes || count > TermDictionary.maximumOwnBytes &- dictionary.ownByteCount {
      throw EvaluationError(reason: .tooMuchMemory(limit: min(limits.maxMemory, TermDictionary.maximumOwnBytes), growing: predicate()))
    }
  }

  /// Interns a computed value, counting the bytes it adds to the dictionary (nothing when the
  /// value is known already).
  func intern(_ value: Value, in dictionary: TermDictionary, _ predicate: @autoclosure () -> String) throws(EvaluationError) -> TermID {
    let before = dictionary.ownByteCount
    let id = dictionary.intern(value)
    let added = dictionary.ownByteCount &- before
    if added > 0 { try allocated(added &+ Budget.entryBytes, predicate()) }
    return id
  }

  /// The bookkeeping of one dictionary entry: kind, offset, hash and a table slot.
  static let entryBytes = 17
}
