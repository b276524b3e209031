// The values a triple can hold, their equality and their one documented total order.

import Platform

/// A value in the graph: the object of a triple, or a constant in a query.
///
/// Equality is by kind and content: the integer `1694`, the decimal `1694.0`, the string
/// `"1694"` and the date `@1694` are four different values. The total order used for sorting
/// results is documented on ``Value/<(_:_:)``.
public enum Value: Hashable, Sendable {
  /// An entity, named by its identifier (`bank_of_england`, `'http://example.org/x'`).
  case entity(String)
  /// A string with an optional language tag (lower-case, such as `zh` or `en`).
  case string(String, language: String?)
  /// A 64-bit signed integer.
  case integer(Int64)
  /// An exact decimal number.
  case decimal(DecimalValue)
  /// `true` or `false`.
  case boolean(Bool)
  /// A calendar date with year, year-month or full precision.
  case date(DateValue)

  /// A plain string without a language tag.
  public static func string(_ text: String) -> Value { .string(text, language: nil) }

  /// The kind of value, in the order used for sorting across kinds.
  public enum Kind: UInt8, Hashable, Sendable, Comparable {
    case entity = 1
    case string = 2
    case integer = 3
    case decimal = 4
    case boolean = 5
    case date = 6

    /// The order of kinds in the total order of values (DataModel.md).
    public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.sortRank < rhs.sortRank }

    /// entity < string < number (integer and decimal together) < date < boolean.
    var sortRank: Int {
      switch self {
      case .entity: 0
      case .string: 1
      case .integer, .decimal: 2
      case .date: 3
      case .boolean: 4
      }
    }

    /// The kind's name as users see it (`entity`, `string`, ...).
    public var name: String {
      switch self {
      case .entity: "entity"
      case .string: "string"
      case .integer: "integer"
      case .decimal: "decimal"
      case .boolean: "boolean"
      case .date: "date"
      }
    }
  }

  /// This value's kind.
  public var kind: Kind {
    switch self {
    case .entity: .entity
    case .string: .string
    case .integer: .integer
    case .decimal: .decimal
    case .boolean: .boolean
    case .date: .date
    }
  }

  /// The entity identifier, when this is an entity.
  public var entityID: String? {
    if case .entity(let id) = self { return id }
    return nil
  }

  /// Whether the value is an integer or a decimal.
  public var isNumber: Bool {
    switch self {
    case .integer, .decimal: true
    default: false
    }
  }

  /// The value as a decimal, when it is a number.
  public var numericValue: DecimalValue? {
    switch self {
    case .integer(let i): DecimalValue(integer: i)
    case .decimal(let d): d
    default: nil
    }
  }
}

extension Value: Comparable {
  /// The total order used to sort results deterministically.
  ///
  /// Kinds come in the order entity, string, number, date, boolean. Entities compare by
  /// identifier and strings by text and then language tag (untagged first), both in Unicode
  /// code-point order. Integers and decimals compare by numeric value, and an integer comes
  /// before a decimal of equal value. Dates compare chronologically, a less precise date first
  /// (`@1694` < `@1694-07` < `@1694-07-27`). `false` < `true`.
  public static func < (lhs: Value, rhs: Value) -> Bool {
    compare(lhs, rhs) < 0
  }

  /// Three-way comparison in the order of ``<(_:_:)``: negative, zero or positive.
  public static func compare(_ lhs: Value, _ rhs: Value) -> Int {
    let lk = lhs.kind.sortRank
    let rk = rhs.kind.sortRank
    if lk != rk { return lk < rk ? -1 : 1 }
    switch (lhs, rhs) {
    case (.entity(let a), .entity(let b)):
      return compareCodePoints(a, b)
    case (.string(let a, let la), .string(let b, let lb)):
      let c = compareCodePoints(a, b)
      if c != 0 { return c }
      return compareCodePoints(la ?? "", lb ?? "")
    case (.boolean(let a), .boolean(let b)):
      return a == b ? 0 : (a ? 1 : -1)
    case (.date(let a), .date(let b)):
      return a == b ? 0 : (a < b ? -1 : 1)
    default:
      // Both are numbers.
      guard let a = lhs.numericValue, let b = rhs.numericValue else { return 0 }
      let c = DecimalValue.compare(a, b)
      if c != 0 { return c }
      if lhs.kind == rhs.kind { return 0 }
      return lhs.kind == .integer ? -1 : 1
    }
  }

  /// The permutation that sorts `values` in the value order of ``compare(_:_:)``: the indices
  /// of `values`, smallest first. Faster than sorting with ``compare(_:_:)`` when most values
  /// are entities or strings: their UTF-8 bytes are gathered once into one buffer and compared
  /// in place, without copying or retaining a value per comparison.
  public static func sortOrder(of values: [Value]) -> [Int] {
    var bytes: [UInt8] = []
    var starts = [Int](repeating: 0, count: values.count + 1)
    var ranks = [Int](repeating: 0, count: values.count)
    var isText = [Bool](repeating: false, count: values.count)
    for (i, value) in values.enumerated() {
      ranks[i] = value.kind.sortRank
      switch value {
      case .entity(let text), .string(let text, _):
        bytes.append(contentsOf: text.utf8)
        isText[i] = true
      default: break
      }
      starts[i + 1] = bytes.count
    }
    return bytes.withUnsafeBufferPointer { buffer in
      Array(values.indices).sorted { a, b in
        if ranks[a] != ranks[b] { return ranks[a] < ranks[b] }
        guard isText[a], isText[b], let base = buffer.baseAddress else { return compare(values[a], values[b]) < 0 }
        let lengthA = starts[a + 1] - starts[a]
        let lengthB = starts[b + 1] - starts[b]
        let c = memcmp(base + starts[a], base + starts[b], min(lengthA, lengthB))
        if c != 0 { return c < 0 }
        if lengthA != lengthB { return lengthA < lengthB }
        return compare(values[a], values[b]) < 0  // same text: strings differ by language tag
      }
    }
  }

  /// Compares strings by Unicode code points (which is UTF-8 byte order), not by Swift's
  /// locale-independent but normalisation-aware `<`, so that the order matches the index.
  public static func compareCodePoints(_ a: String, _ b: String) -> Int {
    // UTF-8 byte order is code-point order; compare the bytes in one call.
    var a = a
    var b = b
    return a.withUTF8 { pa in
      b.withUTF8 { pb in
        let n = min(pa.count, pb.count)
        if n > 0, let x = pa.baseAddress, let y = pb.baseAddress {
          let c = memcmp(x, y, n)
          if c != 0 { return c < 0 ? -1 : 1 }
        }
        return pa.count == pb.count ? 0 : (pa.count < pb.count ? -1 : 1)
      }
    }
  }
}

extension Value: CustomStringConvertible {
  /// The value in literal syntax, exactly as the query language and the log write it.
  public var description: String { LiteralSyntax.format(self) }
}
