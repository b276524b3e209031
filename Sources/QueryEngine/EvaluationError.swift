// Errors that stop an evaluation, with the rule and literal responsible so that the message can
// point at the source text.

import Diagnostics
import QueryIR

/// Why evaluation stopped.
struct EvaluationError: Error {
  enum Reason {
    case divisionByZero(String)
    case overflow(String)
    case invalidRegex(pattern: String, message: String, help: String?)
    case timeout(seconds: Double, growing: String?)
    case tooManyFacts(limit: Int, growing: String)
    case tooMuchMemory(limit: Int, growing: String)
    case cancelled
    /// A builtin the source cannot serve (`search` without a search).
    case unsupported(String)
  }

  var reason: Reason
  /// The rule being evaluated and the literal (body index) responsible, when known.
  var rule: IRRule?
  var literal: Int?
}

extension EvaluationError {
  /// The diagnostic users see.
  var diagnostic: Diagnostic {
    var location: SourceLocation?
    if let rule, let text = rule.origin.sourced?.source ?? rule.origin.querySource {
      if let literal, literal < rule.origin.literalSpans.count {
        location = text.location(of: rule.origin.literalSpans[literal])
      } else if let sourced = rule.origin.sourced {
        location = sourced.location
      }
    }
    switch reason {
    case .divisionByZero(let text):
      return Diagnostic(.error, .data, code: "division-by-zero", "division by zero in `\(text)`", at: location, help: "guard the division with a comparison such as `Y != 0`")
    case .overflow(let text):
      return Diagnostic(.error, .data, code: "overflow", "arithmetic overflow in `\(text)`", at: location, help: "integers are 64-bit and decimals hold at most 18 fractional digits")
    case .invalidRegex(let pattern, let message, let help):
      return Diagnostic(.error, .data, code: "invalid-regex", "invalid regular expression `\(pattern)`: \(message)", at: location, help: help)
    case .timeout(let seconds, let growing):
      let detail = growing.map { "; `\($0)` was still growing" } ?? ""
      return Diagnostic(.error, .data, code: "timeout", "the query was stopped after \(seconds) s (the time limit)\(detail)", at: location, help: "raise the limit with --timeout SECONDS (0 for none), or make the query more selective")
    case .tooManyFacts(let limit, let growing):
      return Diagnostic(.error, .data, code: "too-many-facts", "the query was stopped after deriving more than \(limit) facts; `\(growing)` was growing", at: location, help: "raise the limit with --max-facts N, or make the query more selective (a missing join condition makes a cartesian product)")
    case .tooMuchMemory(let limit, let growing):
      return Diagnostic(.error, .data, code: "too-much-memory", "the query was stopped after its derived facts and values took more than \(EvaluationError.size(limit)); `\(growing)` was growing", at: location, help: "raise the limit with --max-memory SIZE (such as 4G), or make the query more selective (a value that grows in every round, such as a string concatenated with itself, grows without end)")
    case .cancelled:
      return Diagnostic(.error, .data, code: "cancelled", "the query was cancelled", at: nil)
    case .unsupported(let text):
      return Diagnostic(.error, .data, code: "unsupported", text, at: location)
    }
  }
}

extension EvaluationError {
  /// A byte count as people write it: `64 MiB`, `2 GiB`, `1.5 GiB`, `300 bytes`.
  static func size(_ bytes: Int) -> String {
    let units = [(1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
    for (unit, name) in units where bytes >= unit {
      if bytes % unit == 0 { return "\(bytes / unit) \(name)" }
      let tenths = (bytes * 10 + unit / 2) / unit
      return "\(tenths / 10).\(tenths % 10) \(name)"
    }
    return "\(bytes) bytes"
  }
}
