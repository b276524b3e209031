// Literal syntax: every value writes and reads back unchanged; malformed literals fail with a
// message and an offset.

import Testing
import TestSupport

@testable import GraphModel

@Suite struct LiteralSyntaxTests {
  static let samples: [Value] = [
    .entity("bank_of_england"), .entity("英格兰银行"), .entity("http://example.org/a b"), .entity("Bank"),
    .entity("true"), .entity("with'quote"), .entity("_:b0"),
    .string("plain"), .string("英格兰银行", language: "zh"), .string("say \"hi\"\n\ttab\\", language: "en"),
    .string("", language: nil), .string("\u{0}\u{1B}\u{7F}\u{2028}"), .string("emoji 🙂 and é"),
    .integer(0), .integer(-42), .integer(Int64.max), .integer(Int64.min),
    .decimal(DecimalValue(units: 12, scale: 1)), .decimal(DecimalValue(units: -5, scale: 3)),
    .decimal(DecimalValue(integer: 8)), .boolean(true), .boolean(false),
    .date(DateValue(year: 1694)!), .date(DateValue(year: 2024, month: 2)!), .date(DateValue(year: 2024, month: 2, day: 29)!),
  ]

  @Test(arguments: samples)
  func valuesRoundTrip(value: Value) throws {
    let text = LiteralSyntax.format(value)
    let parsed = try #require(LiteralSyntax.parseValue(text), "could not read back \(text)")
    #expect(parsed == value, "\(text)")
  }

  @Test func canonicalForms() {
    #expect(Value.entity("bank_of_england").description == "bank_of_england")
    #expect(Value.entity("Bank").description == "'Bank'")
    #expect(Value.entity("true").description == "'true'")
    #expect(Value.string("英", language: "zh").description == "\"英\"@zh")
    #expect(Value.decimal(DecimalValue(integer: 8)).description == "8.0")
    #expect(Value.decimal(DecimalValue(units: 150, scale: 2)).description == "1.5")
    #expect(Value.date(DateValue(year: 1694, month: 7, day: 27)!).description == "@1694-07-27")
    #expect(Value.string("a\u{1}b").description == "\"a\\u0001b\"")
  }

  @Test(arguments: [
    ("\"abc", "unterminated string"), ("\"a\\qb\"", "unknown escape"), ("@2023-02-29", "impossible date"),
    ("@2023-13", "impossible date"), ("99999999999999999999", "does not fit in 64 bits"),
    ("1.1234567890123456789", "too many digits"), ("\"\\u12\"", "hex digits"), ("\"\\uD800\"", "not a Unicode scalar"),
    ("''", "cannot be empty"), ("@12", "expected a date"),
  ])
  func malformedLiteralsFail(text: String, message: String) {
    let bytes = Array(text.utf8)
    do {
      _ = try LiteralSyntax.scanValue(bytes, at: 0)
      Issue.record("`\(text)` was accepted")
    } catch {
      #expect(error.message.contains(message), "\(text): \(error.message)")
    }
  }

  @Test func languageTagsAreLowerCased() throws {
    #expect(LiteralSyntax.parseValue("\"x\"@ZH-Hans") == .string("x", language: "zh-hans"))
  }

  @Test func invalidUTF8IsRejected() {
    let bytes: [UInt8] = [0x22, 0xFF, 0x22]
    #expect(throws: LiteralSyntax.Failure.self) { try LiteralSyntax.scanValue(bytes, at: 0) }
    #expect(throws: LiteralSyntax.Failure.self) { try LiteralSyntax.scanIdentifier([0xE4, 0xB8], at: 0) }
  }

  @Test func identifierClasses() {
    #expect(LiteralSyntax.isBareIdentifier("bank_of_england"))
    #expect(LiteralSyntax.isBareIdentifier("英格兰银行"))
    #expect(LiteralSyntax.isBareIdentifier("été2"))
    #expect(!LiteralSyntax.isBareIdentifier("Bank"))
    #expect(!LiteralSyntax.isBareIdentifier("_x"))
    #expect(!LiteralSyntax.isBareIdentifier("a-b"))
    #expect(!LiteralSyntax.isBareIdentifier("not"))
    #expect(!LiteralSyntax.isBareIdentifier(""))
  }

  @Test func randomStringsRoundTrip() throws {
    var random = SeededRandom(seed: 11)
    let pool: [Unicode.Scalar] = ["a", "\"", "'", "\\", "\n", "\t", "\u{0}", "英", "🙂", " ", "@", "%", "\u{7F}", "\u{85}"]
    for _ in 0..<500 {
      var text = ""
      for _ in 0..<random.below(12) { text.unicodeScalars.append(pool[random.below(pool.count)]) }
      for value in [Value.string(text), .string(text, language: "en"), .entity(text.isEmpty ? "x" : text)] {
        let written = LiteralSyntax.format(value)
        #expect(LiteralSyntax.parseValue(written) == value, "\(written)")
      }
    }
  }
}
