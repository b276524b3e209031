// Inputs the fuzzers found (fuzz/, Documentation/Hardening.md), kept as regression tests.

import Diagnostics
import QueryLanguage
import Testing
import TestSupport

@Suite struct FuzzRegressionTests {
  static let directory: String = {
    var path = #filePath
    while let last = path.last, last != "/" { path.removeLast() }
    return path + "FuzzCrashes"
  }()

  /// fuzz-parser, 2026-11-24: a long run of characters that are not tokens made the lexer
  /// recurse once per character and overflow the stack (300,000 `!` crashed the release
  /// binary with SIGSEGV). Now it loops, and stops after 50 errors.
  @Test func aLongRunOfBadCharactersIsReportedNotACrash() throws {
    let bytes = try #require(readFile(FuzzRegressionTests.directory + "/parser-stack-overflow-bad-characters.bin"))
    let (_, found) = Parser.parse(SourceText(name: "crash.dl", text: String(decoding: bytes, as: UTF8.self)))
    #expect(!found.isEmpty)
    let text = "?- " + String(repeating: "!", count: 300_000) + " edge(a, X)."
    let (_, diagnostics) = Parser.parse(SourceText(name: "bangs.dl", text: text))
    #expect(diagnostics.count <= Lexer.maximumErrors + 2)
    #expect(diagnostics.contains { $0.message == "too many errors; stopped reading after 50" })
  }

  /// The same limit for the parser: 100,000 broken clauses give 51 diagnostics, not 100,000
  /// (each holds its line's text).
  @Test func manyBrokenClausesStopAfterTheLimit() {
    let text = String(repeating: "?- x(.\n", count: 100_000)
    let (_, diagnostics) = Parser.parse(SourceText(name: "many.dl", text: text))
    #expect(diagnostics.count <= Lexer.maximumErrors + 2)
    #expect(diagnostics.contains { $0.message == "too many errors; stopped reading after 50" })
  }
}
