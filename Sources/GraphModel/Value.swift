// The values a triple can hold, their equality and their one documented total order.

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

  /// Compares strings by Unicode code points (which is UTF-8 byte order), not by Swift's
  /// locale-independent but normalisation-aware `<`, so that the order matches the index.
  public static func compareCodePoints(_ a: String, _ b: String) -> Int {
    var ai = a.utf8.makeIterator()
    var bi = b.utf8.makeIterator()
    while true {
      switch (ai.next(), bi.next()) {
      case (nil, nil): return 0
      case (nil, _): return -1
      case (_, nil): return 1
      case (let x?, let y?):
        if x != y { return x < y ? -1 : 1 }
      }
    }
  }
}

extension Value: CustomStringConvertible {
  /// The value in literal syntax, exactly as the query language and the log write it.
  public var description: String { LiteralSyntax.format(self) }
}
