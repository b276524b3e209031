// A list of diagnostics that keeps the first few and counts the rest: a text with ten thousand
// mistakes gets fifty messages and a count, not ten thousand messages (and their memory).

/// Diagnostics collected up to a maximum; past it they are counted, never built.
public struct BoundedDiagnostics: Sendable {
  /// How many diagnostics are kept.
  public static let maximum = 50

  /// The diagnostics kept, in the order reported.
  public private(set) var kept: [Diagnostic] = []
  /// How many errors were dropped.
  public private(set) var droppedErrors = 0
  /// How many other diagnostics (warnings, notes) were dropped.
  public private(set) var droppedOthers = 0

  /// Creates an empty list.
  public init() {}

  /// How many diagnostics were reported, kept or not.
  public var count: Int { kept.count + droppedErrors + droppedOthers }

  /// Whether any error was reported, kept or not.
  public var hasErrors: Bool { droppedErrors > 0 || kept.contains { $0.severity == .error } }

  /// Reports a diagnostic of a severity; it is built only when kept.
  public mutating func append(_ make: @autoclosure () -> Diagnostic, severity: Diagnostic.Severity = .error) {
    if kept.count < BoundedDiagnostics.maximum {
      kept.append(make())
    } else if severity == .error {
      droppedErrors += 1
    } else {
      droppedOthers += 1
    }
  }

  /// The diagnostics kept, then one saying how many more there were (an error when any dropped
  /// diagnostic was one, so that dropping never turns a failing text into a passing one).
  public var all: [Diagnostic] {
    guard droppedErrors + droppedOthers > 0 else { return kept }
    var parts: [String] = []
    if droppedErrors > 0 { parts.append("\(droppedErrors) more error\(droppedErrors == 1 ? "" : "s")") }
    if droppedOthers > 0 { parts.append("\(droppedOthers) more warning\(droppedOthers == 1 ? "" : "s")") }
    return kept + [
      Diagnostic(
        droppedErrors > 0 ? .error : .warning, .data, code: "more-diagnostics", "… and \(parts.joined(separator: " and "))",
        help: "only the first \(BoundedDiagnostics.maximum) are shown; fix these and run again"),
    ]
  }
}
