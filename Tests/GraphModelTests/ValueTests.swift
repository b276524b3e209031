// Value equality and the documented total order; exact decimals; dates.

import Testing

@testable import GraphModel

@Suite struct ValueOrderTests {
  @Test func kindsDiffer() {
    #expect(Value.integer(1694) != Value.string("1694"))
    #expect(Value.integer(1694) != Value.decimal(DecimalValue(integer: 1694)))
    #expect(Value.integer(1694) != Value.date(DateValue(year: 1694)!))
    #expect(Value.entity("x") != Value.string("x"))
  }

  @Test func documentedOrder() {
    let sorted: [Value] = [
      .entity("a"), .entity("b"), .entity("英"),
      .string("a"), .string("a", language: "en"), .string("b"),
      .integer(-3), .decimal(DecimalValue(units: -25, scale: 1)), .integer(1), .decimal(DecimalValue(integer: 1)),
      .decimal(DecimalValue(units: 15, scale: 1)), .integer(2),
      .date(DateValue(year: 1694)!), .date(DateValue(year: 1694, month: 7)!), .date(DateValue(year: 1694, month: 7, day: 27)!),
      .date(DateValue(year: 1694, month: 8)!), .boolean(false), .boolean(true),
    ]
    for i in 0..<sorted.count {
      for j in 0..<sorted.count {
        #expect((sorted[i] < sorted[j]) == (i < j), "\(sorted[i]) vs \(sorted[j])")
      }
    }
  }

  @Test func codePointOrderForStrings() {
    // U+FF21 (fullwidth A) sorts after U+4E00 in code-point order.
    #expect(Value.string("一") < Value.string("Ａ"))
    #expect(Value.compareCodePoints("ab", "abc") < 0)
  }

  @Test func sortOrderAgreesWithCompare() {
    let pool: [Value] = [
      .entity(""), .entity("a"), .entity("ab"), .entity("英格兰银行"), .entity("英"),
      .string(""), .string("a"), .string("a", language: "en"), .string("a", language: "zh"), .string("Ａ"),
      .integer(-3), .integer(2), .decimal(DecimalValue(units: 15, scale: 1)), .decimal(DecimalValue(integer: 2)),
      .date(DateValue(year: 1694)!), .date(DateValue(year: 1694, month: 7, day: 27)!), .boolean(false), .boolean(true),
    ]
    // Every rotation and reversal of the pool, and the pool with duplicates, sorts the same way.
    for shift in 0..<pool.count {
      for values in [Array(pool[shift...] + pool[..<shift]), Array((pool[shift...] + pool[..<shift]).reversed()), pool + pool[..<shift]] {
        let sorted = Value.sortOrder(of: values).map { values[$0] }
        let expected = values.sorted { Value.compare($0, $1) < 0 }
        #expect(sorted == expected)
      }
    }
  }
}

@Suite struct DecimalValueTests {
  @Test func parsingAndNormalisation() throws {
    let d = try #require(DecimalValue(parsing: "1.50"))
    #expect(d == DecimalValue(units: 15, scale: 1))
    #expect(DecimalValue(parsing: "-0.001")?.description == "-0.001")
    #expect(DecimalValue(parsing: "12") == DecimalValue(integer: 12))
    #expect(DecimalValue(parsing: "1.") == nil)
    #expect(DecimalValue(parsing: ".5") == nil)
    #expect(DecimalValue(parsing: "1.2.3") == nil)
  }

  @Test func arithmetic() throws {
    let a = DecimalValue(units: 12, scale: 1)  // 1.2
    let b = DecimalValue(units: 8, scale: 2)  // 0.08
    #expect(DecimalValue.add(a, b)?.description == "1.28")
    #expect(DecimalValue.subtract(b, a)?.description == "-1.12")
    #expect(DecimalValue.multiply(a, b)?.description == "0.096")
    #expect(DecimalValue.divide(DecimalValue(integer: 1), DecimalValue(integer: 3))?.description == "0.333333333333")
    #expect(DecimalValue.divide(DecimalValue(integer: 2), DecimalValue(integer: 3))?.description == "0.666666666667")
    #expect(DecimalValue.divide(a, DecimalValue(integer: 0)) == nil)
    #expect(DecimalValue.add(DecimalValue(integer: Int64.max), DecimalValue(integer: 1)) == nil)
  }

  @Test func comparisonAcrossScales() {
    #expect(DecimalValue.compare(DecimalValue(units: 15, scale: 1), DecimalValue(integer: 1)) > 0)
    #expect(DecimalValue.compare(DecimalValue(units: -1, scale: 18), DecimalValue(integer: 0)) < 0)
    #expect(DecimalValue.compare(DecimalValue(integer: Int64.max), DecimalValue(units: Int64.max, scale: 18)) > 0)
  }
}

@Suite struct DateValueTests {
  @Test func validation() {
    #expect(DateValue(year: 2024, month: 2, day: 29) != nil)
    #expect(DateValue(year: 2023, month: 2, day: 29) == nil)
    #expect(DateValue(year: 1900, month: 2, day: 29) == nil)
    #expect(DateValue(year: 2000, month: 2, day: 29) != nil)
    #expect(DateValue(year: 2024, month: 4, day: 31) == nil)
    #expect(DateValue(year: 0) == nil)
    #expect(DateValue(year: 2024, month: nil, day: 3) == nil)
  }
}
