// Exact decimal numbers: an integer count of units of 10^-scale, normalised so that equal
// numbers have equal representations.

/// An exact decimal number `units × 10^-scale` with up to 18 fractional digits.
///
/// Values are normalised (no trailing fractional zeros), so `1.50` and `1.5` are equal and hash
/// alike. Arithmetic reports overflow instead of trapping.
public struct DecimalValue: Hashable, Sendable, CustomStringConvertible {
  /// The value scaled by 10^scale.
  public private(set) var units: Int64
  /// The number of fractional digits, 0...18.
  public private(set) var scale: UInt8

  /// The largest number of fractional digits kept.
  public static let maxScale: UInt8 = 18
  /// The number of fractional digits a division rounds to.
  public static let divisionScale: UInt8 = 12

  /// Creates a decimal from units and a scale, normalising it.
  public init(units: Int64, scale: UInt8) {
    var u = units
    var s = min(scale, DecimalValue.maxScale)
    while s > 0, u % 10 == 0 {
      u /= 10
      s -= 1
    }
    self.units = u
    self.scale = s
  }

  /// Creates a decimal equal to an integer.
  public init(integer: Int64) {
    self.units = integer
    self.scale = 0
  }

  /// Parses `-?digits(.digits)?`; nil when malformed or out of range.
  public init?(parsing text: Substring) {
    var negative = false
    var rest = text
    if rest.first == "-" {
      negative = true
      rest = rest.dropFirst()
    }
    let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else {
      return nil
    }
    var fraction = parts.count > 1 ? parts[1] : ""
    if parts.count > 1, fraction.isEmpty { return nil }
    guard fraction.allSatisfy(\.isASCIIDigit) else { return nil }
    while fraction.count > 1, fraction.last == "0" { fraction = fraction.dropLast() }
    guard fraction.count <= Int(DecimalValue.maxScale) else { return nil }
    var units: Int64 = 0
    for digit in whole + fraction {
      guard let d = digit.wholeNumberValue else { return nil }
      let (m, o1) = units.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(Int64(d))
      if o1 || o2 { return nil }
      units = a
    }
    self.init(units: negative ? -units : units, scale: UInt8(fraction.count))
  }

  /// The canonical literal: always at least one fractional digit (`1.0`, `-0.25`).
  public var description: String {
    let negative = units < 0
    let magnitude = units.magnitude
    var digits = String(magnitude)
    let s = Int(scale)
    if digits.count <= s {
      digits = String(repeating: "0", count: s - digits.count + 1) + digits
    }
    let split = digits.index(digits.endIndex, offsetBy: -s)
    let whole = digits[..<split]
    let fraction = s == 0 ? "0" : String(digits[split...])
    return (negative ? "-" : "") + whole + "." + fraction
  }

  /// The nearest `Double`, for display and for regular statistics.
  public var doubleValue: Double {
    Double(units) / pow10(Int(scale))
  }

  /// Whether the value has no fractional part.
  public var isWhole: Bool { scale == 0 }

  /// Three-way numeric comparison.
  public static func compare(_ a: DecimalValue, _ b: DecimalValue) -> Int {
    if a.scale == b.scale { return a.units == b.units ? 0 : (a.units < b.units ? -1 : 1) }
    // Compare a.units * 10^(s - a.scale) with b.units * 10^(s - b.scale) in 128 bits.
    let s = max(a.scale, b.scale)
    let (ah, al) = widen(a.units, by: s - a.scale)
    let (bh, bl) = widen(b.units, by: s - b.scale)
    if ah != bh { return ah < bh ? -1 : 1 }
    if al != bl { return al < bl ? -1 : 1 }
    return 0
  }

  // MARK: - Arithmetic (nil on overflow)

  /// `a + b`, or nil on overflow.
  public static func add(_ a: DecimalValue, _ b: DecimalValue) -> DecimalValue? {
    guard let (x, y, s) = aligned(a, b) else { return nil }
    let (r, o) = x.addingReportingOverflow(y)
    return o ? nil : DecimalValue(units: r, scale: s)
  }

  /// `a - b`, or nil on overflow.
  public static func subtract(_ a: DecimalValue, _ b: DecimalValue) -> DecimalValue? {
    guard let (x, y, s) = aligned(a, b) else { return nil }
    let (r, o) = x.subtractingReportingOverflow(y)
    return o ? nil : DecimalValue(units: r, scale: s)
  }

  /// `a × b`, or nil on overflow; the product is rounded to 18 fractional digits.
  public static func multiply(_ a: DecimalValue, _ b: DecimalValue) -> DecimalValue? {
    var (r, o) = a.units.multipliedReportingOverflow(by: b.units)
    var s = Int(a.scale) + Int(b.scale)
    if o { return nil }
    while s > Int(maxScale) {
      r = roundedDivide(r, by: 10)
      s -= 1
    }
    return DecimalValue(units: r, scale: UInt8(s))
  }

  /// `a ÷ b` rounded half-to-even to 12 fractional digits, or nil on overflow or when `b` is 0.
  public static func divide(_ a: DecimalValue, _ b: DecimalValue) -> DecimalValue? {
    guard b.units != 0 else { return nil }
    // a/b = (a.units / b.units) * 10^(b.scale - a.scale); scale the numerator so that the
    // quotient has divisionScale fractional digits.
    let shift = Int(divisionScale) + Int(b.scale) - Int(a.scale)
    var numerator = Int64(a.units)
    var denominator = Int64(b.units)
    if shift >= 0 {
      for _ in 0..<shift {
        let (m, o) = numerator.multipliedReportingOverflow(by: 10)
        if o { return divideWide(a, b) }
        numerator = m
      }
    } else {
      for _ in 0..<(-shift) {
        let (m, o) = denominator.multipliedReportingOverflow(by: 10)
        if o { return DecimalValue(integer: 0) }
        denominator = m
      }
    }
    return DecimalValue(units: roundedDivide(numerator, by: denominator), scale: divisionScale)
  }

  /// Division through `Double` when the exact path would overflow 64 bits.
  private static func divideWide(_ a: DecimalValue, _ b: DecimalValue) -> DecimalValue? {
    let q = a.doubleValue / b.doubleValue
    guard q.isFinite, abs(q) < 9.0e18 else { return nil }
    var scale: UInt8 = 0
    var scaled = q
    while scale < 6, abs(scaled * 10) < 9.0e17 {
      scaled *= 10
      scale += 1
    }
    return DecimalValue(units: Int64(scaled.rounded()), scale: scale)
  }

  /// Integer division rounding half to even.
  static func roundedDivide(_ n: Int64, by d: Int64) -> Int64 {
    let q = n / d
    let r = n % d
    if r == 0 { return q }
    let twiceR = r.magnitude * 2
    let dm = d.magnitude
    let awayFromZero = (n < 0) != (d < 0) ? -1 : 1
    if twiceR > dm || (twiceR == dm && q % 2 != 0) {
      return q + Int64(awayFromZero)
    }
    return q
  }

  private static func aligned(_ a: DecimalValue, _ b: DecimalValue) -> (Int64, Int64, UInt8)? {
    let s = max(a.scale, b.scale)
    guard let x = scaleUp(a.units, by: s - a.scale), let y = scaleUp(b.units, by: s - b.scale)
    else { return nil }
    return (x, y, s)
  }

  private static func scaleUp(_ v: Int64, by digits: UInt8) -> Int64? {
    var r = v
    for _ in 0..<digits {
      let (m, o) = r.multipliedReportingOverflow(by: 10)
      if o { return nil }
      r = m
    }
    return r
  }

  /// `v × 10^digits` as a 128-bit (high, low) pair that compares correctly.
  private static func widen(_ v: Int64, by digits: UInt8) -> (Int64, UInt64) {
    var high: Int64 = v < 0 ? -1 : 0
    var low = UInt64(bitPattern: v)
    for _ in 0..<digits {
      // (high, low) *= 10 in two's complement 128-bit arithmetic.
      let lowProduct = low.multipliedFullWidth(by: 10)
      let highProduct = high.multipliedReportingOverflow(by: 10).partialValue
      high = highProduct &+ Int64(bitPattern: lowProduct.high)
      low = lowProduct.low
    }
    return (high, low)
  }

  private func pow10(_ n: Int) -> Double {
    var r = 1.0
    for _ in 0..<n { r *= 10 }
    return r
  }
}

extension Character {
  var isASCIIDigit: Bool { isASCII && isNumber }
}
