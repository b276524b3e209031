// The regular expression subset of `matches`: what parses, what is refused with which message
// and which part of the pattern, and the bounds on nesting, counts and size.

import Diagnostics
import GraphModel
import Testing

@testable import QueryLanguage

@Suite struct RegexPatternTests {
  @Test(arguments: [
    "", "abc", "a|b|", "(a|aa)+$", "^(?:x|y){2,5}?z*?$", "[a-z0-9_]", "[^\\]\\-]", "[-a]", "[a-]",
    "\\d\\D\\w\\W\\s\\S\\t\\n\\r\\f\\.\\*\\\\\\/\\-\\{\\}", "\\u{1F600}", "()", "(?:)", "a{0}", "a{,3}",
    "a{3,}", "a{1000}", "}", "]", "x{2}?", "中文.", "[\\u{4E00}-\\u{9FFF}]+", "(((a)))",
  ])
  func validPatternsParse(_ pattern: String) throws {
    let parsed = try RegexPattern(pattern)
    #expect(parsed.size >= 1 && parsed.size <= RegexPattern.maximumSize)
  }

  /// Each refused pattern: the message, the part of the pattern it points at, and advice.
  @Test(arguments: [
    ("(", "missing `)` to close this group", "("),
    ("ab(c|(d)", "missing `)` to close this group", "("),
    ("a)", "unmatched `)`", ")"),
    ("[abc", "missing `]` to close this class", "["),
    ("[]a]", "a class cannot start with `]`", "]"),
    ("[z-a]", "range `z-a` runs backwards", "z-a"),
    ("[a-\\d]", "needs a single character at each end", "a-\\d"),
    ("[a--b]", "class operations `--` are not supported", "--"),
    ("[a&&b]", "class operations `&&` are not supported", "&&"),
    ("[[:alpha:]]", "`[` inside a class is not supported", "["),
    ("[a-z-9]", "a `-` in a class must be first, last or escaped", "-"),
    ("*a", "`*` follows nothing that can repeat", "*"),
    ("a|+", "`+` follows nothing that can repeat", "+"),
    ("(?)", "`(?` (inline options) is not supported", "(?"),
    ("(*)", "`*` follows nothing that can repeat", "*"),
    ("a**", "a repetition cannot repeat directly", "*"),
    ("a{2}{3}", "a repetition cannot repeat directly", "{"),
    ("a*+", "possessive repetition `*+` is not supported", "*+"),
    ("^*", "an anchor cannot repeat", "*"),
    ("a{2,1}", "has its minimum above its maximum", "{2,1}"),
    ("a{1001}", "repetition count above 1000", "{1001}"),
    ("a{99999999999999999999}", "repetition count above 1000", "{99999999999999999999}"),
    ("a{", "`{` does not start a repetition count", "{"),
    ("a{x}", "`{` does not start a repetition count", "{"),
    ("\\", "the pattern ends with a lone backslash", "\\"),
    ("x\\q", "unknown escape `\\q`", "\\q"),
    ("\\b", "word boundaries `\\b` are not supported", "\\b"),
    ("(a)\\1", "backreferences `\\1` are not supported", "\\1"),
    ("\\A", "the anchor `\\A` is not supported", "\\A"),
    ("\\u{110000}", "is not a Unicode scalar value", "\\u{110000}"),
    ("\\u41", "`\\u` needs a hexadecimal scalar value in braces", "\\u"),
    ("(?=a)", "`(?=` (lookahead) is not supported", "(?="),
    ("(?<!a)", "`(?<!` (lookbehind) is not supported", "(?<!"),
    ("(?<name>a)", "`(?<` (a named group) is not supported", "(?<"),
    ("(?i)a", "`(?` (inline options) is not supported", "(?"),
    ("é(", "missing `)`", "("),
  ])
  func invalidPatternsSayWhatAndWhere(_ pattern: String, _ message: String, _ part: String) {
    #expect {
      _ = try RegexPattern(pattern)
    } throws: { error in
      guard let error = error as? RegexPattern.SyntaxError else { return false }
      let bytes = Array(pattern.utf8)
      let shown = String(decoding: bytes[error.range.clamped(to: 0..<bytes.count)], as: UTF8.self)
      #expect(error.message.contains(message), "\(pattern): \(error.message)")
      #expect(shown == part, "\(pattern): points at `\(shown)`")
      #expect(error.help != nil, "\(pattern): no advice")
      return true
    }
  }

  @Test func nestingIsBoundedWithoutRecursion() throws {
    let deep = String(repeating: "(", count: 100_000) + "a" + String(repeating: ")", count: 100_000)
    #expect(throws: RegexPattern.SyntaxError.self) { try RegexPattern(deep) }
    let limit = RegexPattern.maximumNesting
    let atLimit = String(repeating: "(", count: limit) + "a" + String(repeating: ")", count: limit)
    #expect(try RegexPattern(atLimit).size == 2)
    let over = String(repeating: "(", count: limit + 1) + "a" + String(repeating: ")", count: limit + 1)
    do {
      _ = try RegexPattern(over)
      Issue.record("nesting \(limit + 1) deep was accepted")
    } catch {
      #expect(error.message == "groups nest more than \(limit) deep")
      #expect(error.range == limit..<(limit + 1))
    }
  }

  @Test func expandedSizeIsBounded() throws {
    for pattern in ["(a{1000}){1000}", "((a{100}){100}){100}", "(?:(?:x?){1000}){21}", String(repeating: "ab|", count: 10_000)] {
      do {
        _ = try RegexPattern(pattern)
        Issue.record("\(pattern.prefix(30)) was accepted")
      } catch {
        #expect(error.message.contains("the pattern is too large"), "\(error.message)")
      }
    }
    // A long pattern is refused as soon as it is too large, not after reading all of it.
    let clock = ContinuousClock()
    let started = clock.now
    #expect(throws: RegexPattern.SyntaxError.self) { try RegexPattern(String(repeating: "a", count: 2_000_000)) }
    #expect(clock.now - started < .seconds(5))
    #expect(try RegexPattern("(a?){30}a{30}").size == 30 * 2 + 30 + 1)
  }

  /// A constant pattern is checked with the program: an error at check time with a caret on
  /// the offending part inside the string, through the literal's escapes.
  @Test func constantPatternsAreCheckedWithTheProgram() throws {
    let cases: [(query: String, column: Int, length: Int)] = [
      (#"?- p(X, S), matches(S, "(a")."#, 25, 1),
      (#"?- p(X, S), matches(S, "a\\d{3,2}")."#, 29, 5),
      (#"?- p(X, S), matches(S, "\u00e9\"[z-a]")."#, 34, 3),
      (#"?- p(X, S), not matches(S, "\\q")."#, 29, 3),
      (#"q(X) :- p(X, S), matches(S, "a[")."#, 31, 1),
      (#"?- p(X, S), matches(S, 'x{')."#, 26, 1),
      (#"?- p(X, S), matches(S, "abc\\")."#, 28, 2),
    ]
    for c in cases {
      let source = SourceText(name: "t.dl", text: c.query)
      let (program, parse) = Parser.parse(source)
      #expect(parse.isEmpty, "\(parse)")
      let (_, diagnostics) = ProgramChecker(storedPredicates: ["p"]).check(rules: program.sourcedRules, queries: program.sourcedQueries)
      let errors = diagnostics.filter { $0.severity == .error }
      #expect(errors.count == 1, "\(c.query): \(diagnostics)")
      let error = try #require(errors.first)
      #expect(error.code == "invalid-regex")
      #expect(error.category == .data)
      #expect(error.location?.column == c.column, "\(c.query): \(String(describing: error.location))")
      #expect(error.location?.length == c.length, "\(c.query): \(String(describing: error.location))")
    }
    // Valid patterns and patterns that are not constants draw no error.
    let fine = SourceText(name: "t.dl", text: #"?- p(X, S), matches(S, "^a\\.b$"), P = concat("(", S), not matches(S, P)."#)
    let (program, _) = Parser.parse(fine)
    let (_, diagnostics) = ProgramChecker(storedPredicates: ["p"]).check(rules: [], queries: program.sourcedQueries)
    #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
  }
}
