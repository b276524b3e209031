// A `matches` pattern written for RE2 (DuckDB's regexp_matches) and Java (Spark's RLIKE) with
// the meaning Xinzhi gives it: every scalar as \x{…}, `.` as the explicit set of everything
// but the line breaks, `^`/`$` as \A/\z (Java's `$` would also match before a final line
// break), groups as (?:…). Only whether the pattern occurs somewhere in the text matters, so the
// engines' different choices among matches cannot change an answer.

import QueryLanguage

enum RegexTranslation {
  /// The pattern in the portable syntax; nil when it uses a builtin class (\d, \w, \s), which
  /// Xinzhi defines over all of Unicode and RE2 and Java over ASCII.
  static func portable(_ node: RegexNode) -> String? {
    switch node {
    case .empty: return "(?:)"
    case .start: return "\\A"
    case .end: return "\\z"
    case .scalar(let set):
      guard set.classes.isEmpty else { return nil }
      if let single = set.singleScalar { return scalar(single) }
      let ranges = set.ranges.map { $0.lowerBound == $0.upperBound ? scalar($0.lowerBound) : scalar($0.lowerBound) + "-" + scalar($0.upperBound) }
      if ranges.isEmpty { return set.negated ? "[\\x{0}-\\x{10FFFF}]" : "[^\\x{0}-\\x{10FFFF}]" }
      return "[" + (set.negated ? "^" : "") + ranges.joined() + "]"
    case .sequence(let parts):
      var out = ""
      for part in parts {
        guard let p = portable(part) else { return nil }
        out += p
      }
      return "(?:" + out + ")"
    case .alternation(let branches):
      var out: [String] = []
      for branch in branches {
        guard let b = portable(branch) else { return nil }
        out.append(b)
      }
      return "(?:" + out.joined(separator: "|") + ")"
    case .repetition(let inner, let min, let max):
      guard let p = portable(inner) else { return nil }
      let bound = max.map { $0 == min ? "{\(min)}" : "{\(min),\($0)}" } ?? (min == 0 ? "*" : min == 1 ? "+" : "{\(min),}")
      return "(?:" + p + ")" + bound
    }
  }

  private static func scalar(_ value: UInt32) -> String {
    "\\x{" + String(value, radix: 16) + "}"
  }
}
