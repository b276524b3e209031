// Resource limits for one evaluation: a deadline, a cap on derived facts, and cancellation
// (Ctrl-C in the REPL). Checked cheaply from the inner loops.

import Glibc
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
  /// Raised to cancel.
  public var cancellation: CancellationFlag?

  /// The defaults: 60 s and 20,000,000 derived facts.
  public static let defaults = EvaluationLimits(timeout: 60, maxDerivedFacts: 20_000_000, cancellation: nil)

  /// Creates limits.
  public init(timeout: Double?, maxDerivedFacts: Int, cancellation: CancellationFlag? = nil) {
    self.timeout = timeout
    self.maxDerivedFacts = maxDerivedFacts
    self.cancellation = cancellation
  }
}

/// Tracks an evaluation against its limits.
final class Budget {
  let limits: EvaluationLimits
  let started: Double
  private let deadline: Double?
  /// Facts derived so far.
  var derived = 0
  /// The predicate most recently growing, named in limit errors.
  var growing: String?

  init(_ limits: EvaluationLimits) {
    self.limits = limits
    let now = Budget.now()
    started = now
    deadline = limits.timeout.flatMap { $0 > 0 ? now + $0 : nil }
  }

  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
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

  /// Counts one newly derived fact of a predicate.
  @inline(__always) func derivedOne(_ predicate: @autoclosure () -> String) throws(EvaluationError) {
    derived &+= 1
    if derived > limits.maxDerivedFacts {
      throw EvaluationError(reason: .tooManyFacts(limit: limits.maxDerivedFacts, growing: predicate()))
    }
  }
}
