// `matches` through the `xinzhi` binary: patterns that make a backtracking matcher take
// exponential time answer correctly within the time limit, and invalid patterns are refused
// before evaluation with a caret inside the string.

import Testing
import TestSupport

@Suite struct RegularExpressionCommandTests {
  /// Subjects of 29 to 10,000 characters, each stored as `s(KEY, "TEXT")`.
  static let subjects: [(key: String, text: String)] = [
    ("a41", String(repeating: "a", count: 41)),
    ("a40b", String(repeating: "a", count: 40) + "b"),
    ("a40bang", String(repeating: "a", count: 40) + "!"),
    ("a29", String(repeating: "a", count: 29)),
    ("a30c", String(repeating: "a", count: 30) + "c"),
    ("a10000", String(repeating: "a", count: 10_000)),
    ("a9999bang", String(repeating: "a", count: 9_999) + "!"),
    ("a5000b", String(repeating: "a", count: 5_000) + "b" + String(repeating: "a", count: 4_999)),
    ("y9999x", String(repeating: "y", count: 9_999) + "x"),
    ("ab20", String(repeating: "ab", count: 20)),
  ]

  /// Issue 12 item 12 (the three reported patterns) and relatives, with what each means in
  /// plain terms; the expected keys are computed from that meaning, not from a matcher.
  static let patterns: [(pattern: String, meaning: @Sendable (String) -> Bool)] = [
    ("^(a|aa)+$", { !$0.isEmpty && $0.allSatisfy { $0 == "a" } }),
    ("(a+)+$", { $0.hasSuffix("a") }),
    ("(a*)*b", { $0.contains("b") }),
    ("(a|a)*b", { $0.contains("b") }),
    ("(.*)*x", { $0.contains("x") }),
    ("(a?){30}a{30}", { $0.contains(String(repeating: "a", count: 30)) }),
    ("^(a+)+!$", { $0.hasSuffix("!") && $0.dropLast().allSatisfy { $0 == "a" } && $0.count > 1 }),
    ("(a|ab)*c", { $0.contains("c") }),
  ]

  @Test func pathologicalPatternsAnswerWithinTheTimeLimit() throws {
    let dir = TemporaryDirectory()
    let g = dir.file("g")
    #expect(xinzhi(["init", g]).status == 0)
    let facts = Self.subjects.map { "s(\($0.key), \"\($0.text)\")." }.joined(separator: "\n")
    #expect(xinzhi(["--store", g, "assert", "-"], input: facts + "\n").status == 0)
    for (pattern, meaning) in Self.patterns {
      let query = "?- s(K, _S), matches(_S, \"\(pattern)\")."
      let clock = ContinuousClock()
      let started = clock.now
      let result = xinzhi(["--store", g, "query", query, "--format", "tsv", "--timeout", "2"])
      let elapsed = clock.now - started
      #expect(result.status == 0, "\(pattern): \(result.stderr)")
      let expected = Self.subjects.filter { meaning($0.text) }.map(\.key).sorted()
      let answered = result.stdout.split(separator: "\n").dropFirst().map { String($0) }.sorted()
      #expect(answered == expected, "\(pattern)")
      #expect(elapsed < .seconds(2), "\(pattern) took \(elapsed)")
    }
  }
}
