// The linear-time matcher behind `matches`, checked against an engine we did not write: Swift's
// own backtracking `Regex` (what `matches` used before, and only a reference here) on thousands
// of generated patterns and short generated texts, where backtracking is still fast. Also: the
// evaluation's deadline and cancellation reach inside a long match, and the cache stays bounded.

import Diagnostics
import GraphModel
import Platform
@testable import QueryEngine
import QueryLanguage
import TestSupport
import Testing

/// Random patterns from the documented subset, written the way Swift's `Regex` reads them too.
struct RegexPatternGenerator {
  var random: SeededRandom

  /// Literal characters (no combining marks: Swift reads a pattern by characters).
  static let literals: [String] = ["a", "b", "c", "A", "z", "5", "_", " ", "é", "中", "٣", "½", "\n", "\t", "\u{85}", "😀", "-", "]", "}", ",", "<"]
  static let escapes: [String] = [
    "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\.", "\\*", "\\-", "\\t", "\\n", "\\r", "\\f", "\\\\", "\\(", "\\)", "\\|",
    "\\{", "\\}", "\\[", "\\]", "\\?", "\\+", "\\^", "\\$", "\\/", "\\<", "\\#", "\\ ", "\\_", "\\u{61}", "\\u{4E2D}",
  ]
  static let classMembers: [String] = ["a", "b", "z", "5", "_", " ", "é", "中", ".", "*", "$", "(", "|", "\\]", "\\-", "\\\\", "\\[", "\\^", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "\\n"]
  static let ranges: [String] = ["a-c", "a-z", "0-9", "A-Z", "à-ÿ", "一-龥", " -/", "\\u{61}-\\u{7A}", "\\--/"]

  mutating func pick(_ options: [String]) -> String { options[random.below(options.count)] }

  mutating func pattern(depth: Int = 0) -> String {
    let alternatives = random.chance(0.25) && depth < 3 ? 2 + random.below(2) : 1
    return (0..<alternatives).map { _ in sequence(depth: depth) }.joined(separator: "|")
  }

  mutating func sequence(depth: Int) -> String {
    var parts: [String] = []
    if random.chance(0.15) { parts.append("^") }
    for _ in 0..<random.below(4) { parts.append(quantified(depth: depth)) }
    if random.chance(0.15) { parts.append("$") }
    return parts.joined()
  }

  mutating func quantified(depth: Int) -> String {
    let item = atom(depth: depth)
    guard random.chance(0.45) else { return item }
    var q: String
    switch random.below(7) {
    case 0: q = "*"
    case 1: q = "+"
    case 2: q = "?"
    case 3: q = "{\(random.below(4))}"
    case 4: q = "{\(random.below(3)),}"
    case 5:
      let low = random.below(3)
      q = "{\(low),\(low + random.below(3))}"
    default: q = "{,\(1 + random.below(3))}"
    }
    if random.chance(0.15) { q += "?" }
    return item + q
  }

  mutating func atom(depth: Int) -> String {
    switch random.below(depth < 3 ? 10 : 7) {
    case 0, 1, 2: return pick(Self.literals)
    case 3: return "."
    case 4: return pick(Self.escapes)
    case 5, 6: return characterClass()
    default: return (random.chance(0.5) ? "(" : "(?:") + pattern(depth: depth + 1) + ")"
    }
  }

  mutating func characterClass() -> String {
    var text = random.chance(0.3) ? "[^" : "["
    if random.chance(0.1) { text += "-" }
    for _ in 0..<(1 + random.below(3)) {
      text += random.chance(0.3) ? pick(Self.ranges) : pick(Self.classMembers)
    }
    if random.chance(0.1) { text += "-" }
    return text + "]"
  }

  /// Texts over characters that are single scalars, chosen to sit on every class boundary.
  static let textCharacters: [String] = [
    "a", "b", "c", "A", "Z", "z", "5", "0", "_", " ", "-", ".", "*", "\\", "[", "]", "{", "}", "(", ")", "|", "$", "^", "/", "<", "#",
    "é", "à", "ÿ", "中", "龥", "٣", "½", "²", "Ⅷ", "ª", "\u{903}", "\u{2160}", "😀", "\n", "\r", "\t", "\u{0B}", "\u{0C}", "\u{85}",
    "\u{A0}", "\u{2028}", "\u{2029}", "\u{3000}", "\u{1C}", "\u{200B}", "\u{B7}",
  ]

  mutating func text() -> String {
    var text = ""
    for _ in 0..<random.below(9) { text += pick(Self.textCharacters) }
    return text
  }
}

@Suite struct RegexMachineTests {
  func matches(_ operations: ValueOperations, _ text: String, _ pattern: String) throws -> Bool {
    try operations.test(.matches, [.string(text), .string(pattern)], budget: Budget(.defaults))
  }

  /// Thousands of generated patterns, each on generated texts: `matches` answers exactly as
  /// Swift's `Regex` (`String.contains`, the implementation `matches` had before) wherever
  /// every character is one scalar. Both accept the same patterns, and the compiled program
  /// is as large as the parser said.
  @Test func agreesWithSwiftRegexOnGeneratedPatterns() throws {
    let operations = ValueOperations(dictionary: TermDictionary())
    var generator = RegexPatternGenerator(random: SeededRandom(seed: 0x5EED_12))
    var compared = 0
    var matched = 0
    for _ in 0..<4_000 {
      let pattern = generator.pattern()
      let reference: Regex<AnyRegexOutput>
      do {
        reference = try Regex(pattern)
      } catch {
        Issue.record("the generator wrote a pattern Swift refuses: \(pattern.debugDescription): \(error)")
        continue
      }
      let parsed: RegexPattern
      do {
        parsed = try RegexPattern(pattern)
      } catch {
        Issue.record("refused \(pattern.debugDescription): \(error.message)")
        continue
      }
      #expect(RegexMachine(parsed).program.count == parsed.size, "\(pattern.debugDescription)")
      for _ in 0..<25 {
        let text = generator.text()
        guard text.count == text.unicodeScalars.count else { continue }
        let expected = text.contains(reference)
        let answered = try matches(operations, text, pattern)
        #expect(answered == expected, "matches(\(text.debugDescription), \(pattern.debugDescription))")
        compared += 1
        if expected { matched += 1 }
      }
    }
    // The comparison means something only if both answers occur often.
    #expect(compared > 50_000)
    #expect(matched > compared / 5 && matched < compared * 4 / 5, "\(matched) of \(compared) matched")
    #expect(operations.cachedPatternCount == ValueOperations.regexCacheLimit)
  }

  /// Hand-picked cases, including the class boundaries the generator may miss.
  @Test(arguments: [
    ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "^(a|aa)+$", true),
    ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "^(a|aa)+$", false),
    ("Bank of England", "^B.*d$", true),
    ("a\n", "a$", false),
    ("x\ny", "^y", false),
    ("٣", "^\\d$", true),
    ("½", "^\\w$", true),
    ("\u{85}", "^\\s$", true),
    ("\u{85}", "^.$", false),
    ("\u{1C}", "\\s", false),
    ("", "", true),
    ("", "^$", true),
    ("abc", "(?:)", true),
    ("ab", "a{0}b", true),
    ("aaa", "^a{2,3}?$", true),
    ("x", "^(a*)*$", false),
    ("", "^(a*)*$", true),
    ("aaab", "(a|a)*b", true),
    ("😀", "^\\u{1F600}$", true),
    ("中文", "^[一-龥]{2}$", true),
  ])
  func knownAnswers(_ text: String, _ pattern: String, _ expected: Bool) throws {
    let operations = ValueOperations(dictionary: TermDictionary())
    #expect(try matches(operations, text, pattern) == expected)
    // The reference backtracks: on the 41-character cases it would take minutes (issue 12).
    if text.count <= 20 {
      #expect(text.contains(try Regex(pattern)) == expected, "the reference disagrees")
    }
  }

  /// Matching is over scalars: where a character is several scalars (a letter and a combining
  /// accent, CR LF), `.` and a class each take one scalar. Swift's `Regex` took a character.
  @Test func charactersOfSeveralScalarsAreMatchedScalarByScalar() throws {
    let operations = ValueOperations(dictionary: TermDictionary())
    #expect(try !matches(operations, "e\u{301}", "^.$"))
    #expect(try matches(operations, "e\u{301}", "^..$"))
    #expect(try matches(operations, "e\u{301}", "^e"))
    #expect(try matches(operations, "\r\n", "^\\r\\n$"))
    #expect(try !matches(operations, "\r\n", "^[^a]$"))
  }

  /// Runs one `matches` on a text of 2,000,000 scalars with about a thousand live threads per
  /// scalar (minutes of work in a debug build): the code of the error that stopped it, and the
  /// time it took.
  func stoppedLongMatch(_ limits: EvaluationLimits) throws -> (code: String?, elapsed: Duration) {
    let long = String(repeating: "a", count: 2_000_000)
    let clock = ContinuousClock()
    let started = clock.now
    do {
      _ = try rows("?- text(t, S), matches(S, \"a{1,1000}b\").", [Triple("t", "text", .string(long))], limits: limits)
      return (nil, clock.now - started)
    } catch let error as DiagnosticError {
      return (error.diagnostics.first?.code, clock.now - started)
    }
  }

  /// The deadline stops the match itself (the text is one value: no other loop is running).
  @Test func theDeadlineStopsALongMatch() throws {
    let (code, elapsed) = try stoppedLongMatch(EvaluationLimits(timeout: 0.5, maxDerivedFacts: 1_000))
    #expect(code == "timeout")
    #expect(elapsed < .seconds(3))
  }

  /// Cancellation (Ctrl-C in the REPL) also stops a long match. The flag is raised from an
  /// operating-system thread, as the REPL's signal handling does: a task could wait for a
  /// cooperative thread that the blocked test holds.
  @Test func cancellationStopsALongMatch() throws {
    let flag = CancellationFlag()
    let raiser = try #require(SystemThread {
      usleep(300_000)
      flag.cancel()
    })
    defer { raiser.join() }
    let (code, elapsed) = try stoppedLongMatch(EvaluationLimits(timeout: nil, maxDerivedFacts: 1_000, cancellation: flag))
    #expect(code == "cancelled")
    #expect(elapsed < .seconds(3))
  }

  /// Without a limit the same kind of text is matched in time linear in its length.
  @Test func longTextsMatchInLinearTime() throws {
    let operations = ValueOperations(dictionary: TermDictionary())
    let text = String(repeating: "a", count: 100_000)
    #expect(try !matches(operations, text, "(a*)*b"))
    #expect(try matches(operations, text, "^(a|aa)+$"))
    #expect(try !matches(operations, text + "!", "^(a|aa)+$"))
  }
}
