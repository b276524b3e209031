// Scripts that state their expected results, for `xinzhi test`. Right after a `?-` query, lines
// starting with `%=` hold the expected answer in TSV (the output of `--format tsv`): the header
// of column names, then one row per line in literal syntax. Being comments, they change nothing
// when the script is run; `xinzhi test --update` writes them from the actual answers.
//
//   ?- type(X, central_bank), founded_in(X, Y).
//   %= X	Y
//   %= bank_of_england	1694

import Diagnostics
import GraphModel

/// Runs scripts and compares their answers with the results they expect.
public enum ScriptTest {
  /// The prefix of an expected-result line.
  public static let marker = "%="

  /// One query of a script: where it is, what it expects and what it got.
  public struct Check: Sendable {
    /// The 1-based line of the query's start.
    public var line: Int
    /// The query's text.
    public var query: String
    /// The line just after which the expected lines go (the query's last line).
    public var lastLine: Int
    /// The expected lines (without the marker), nil when the query states none.
    public var expected: [String]?
    /// The 1-based line range the expected lines occupy.
    public var expectedLines: ClosedRange<Int>?
    /// The answer, as expected lines.
    public var actual: [String]

    /// Whether the query states a result and got exactly it.
    public var passed: Bool { expected == actual }
  }

  /// The outcome of one script.
  public struct Outcome: Sendable {
    /// The script's path.
    public var path: String
    /// Every query, in order.
    public var checks: [Check]
    /// Whether every query that states a result got it, and at least one states a result.
    public var passed: Bool {
      checks.contains { $0.expected != nil } && !checks.contains { $0.expected != nil && !$0.passed }
    }
  }

  /// A result as TSV lines: the header of column names, then one line per row in literal
  /// syntax (strings escape tabs and line breaks, so a row is always one line). A query
  /// without variables gives `true` or `false`.
  public static func tsvLines(_ result: QueryResult) -> [String] {
    if result.columns.isEmpty { return [result.rows.isEmpty ? "false" : "true"] }
    return [tsvHeader(result.columns)] + result.rows.map { row in row.map(tsvCell).joined(separator: "\t") }
  }

  /// The header line of TSV output: the column names, tab-separated.
  public static func tsvHeader(_ columns: [String]) -> String { columns.joined(separator: "\t") }

  /// One value in TSV output: its literal syntax (which escapes tabs and line breaks).
  public static func tsvCell(_ value: Value) -> String { LiteralSyntax.format(value) }

  /// Runs a script in a session and pairs each query's answer with the lines it expects.
  ///
  /// - Throws: `DiagnosticError` for errors in the script (parse, check, evaluation).
  public static func run(_ text: String, path: String, in session: QuerySession) throws(DiagnosticError) -> Outcome {
    let lines = TextFile.lines(text)
    var checks: [Check] = []
    _ = try session.run(text, name: path, each: { outcome in
      guard case .answer(let result) = outcome else { return }
      let source = result.query.source
      let span = result.query.query.span
      let first = source.location(of: SourceSpan(start: span.start, end: span.start + 1)).line
      let last = source.location(of: SourceSpan(start: max(span.start, span.end - 1), end: max(span.start, span.end - 1) + 1)).line
      var expected: [String]?
      var range: ClosedRange<Int>?
      var next = last + 1
      while next - 1 < lines.count, lines[next - 1].hasPrefix(marker) {
        var content = lines[next - 1].dropFirst(marker.count)
        if content.first == " " { content = content.dropFirst() }
        if content.last == "\r" { content = content.dropLast() }
        expected = (expected ?? []) + [String(content)]
        range = (last + 1)...next
        next += 1
      }
      checks.append(Check(
        line: first, query: source.slice(span), lastLine: last, expected: expected, expectedLines: range, actual: tsvLines(result)))
    })
    return Outcome(path: path, checks: checks)
  }

  /// The script with every query's expected lines replaced by (or set to) its actual answer.
  public static func updated(_ text: String, _ outcome: Outcome) -> String {
    var lines = TextFile.lines(text).map(String.init)
    for check in outcome.checks.reversed() {
      let block = check.actual.map { $0.isEmpty ? marker : marker + " " + $0 }
      if let range = check.expectedLines {
        lines.replaceSubrange((range.lowerBound - 1)...(range.upperBound - 1), with: block)
      } else {
        lines.insert(contentsOf: block, at: min(check.lastLine, lines.count))
      }
    }
    return lines.joined(separator: "\n")
  }

  /// A line diff of expected against actual: unchanged lines prefixed with two spaces, removed
  /// with `- `, added with `+ ` (longest common subsequence; long inputs are shown whole).
  public static func diff(_ expected: [String], _ actual: [String]) -> [String] {
    let n = expected.count
    let m = actual.count
    guard n * m <= 4_000_000 else { return expected.map { "- " + $0 } + actual.map { "+ " + $0 } }
    // lengths[i][j]: LCS of expected[i...] and actual[j...].
    var lengths = [[Int32]](repeating: [Int32](repeating: 0, count: m + 1), count: n + 1)
    for i in stride(from: n - 1, through: 0, by: -1) {
      for j in stride(from: m - 1, through: 0, by: -1) {
        lengths[i][j] = expected[i] == actual[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
      }
    }
    var out: [String] = []
    var i = 0
    var j = 0
    while i < n || j < m {
      if i < n, j < m, expected[i] == actual[j] {
        out.append("  " + expected[i])
        i += 1
        j += 1
      } else if i < n, j == m || lengths[i + 1][j] >= lengths[i][j + 1] {
        out.append("- " + expected[i])
        i += 1
      } else {
        out.append("+ " + actual[j])
        j += 1
      }
    }
    return out
  }
}
