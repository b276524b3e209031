// Calendar dates at three precisions: a year, a year and month, or a full date.

/// A proleptic Gregorian date with year, year-month or full-date precision (years 1–9999).
///
/// Written `@1694`, `@1694-07` or `@1694-07-27`. Dates order chronologically; when one date is
/// a less precise prefix of another, the less precise one comes first.
public struct DateValue: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The year, 1...9999.
  public let year: Int
  /// The month 1...12, or nil for a year.
  public let month: Int?
  /// The day of the month, or nil for a year or a year-month.
  public let day: Int?

  /// Creates a date, or nil when the parts do not name a real day (`@2023-02-29` is nil).
  public init?(year: Int, month: Int? = nil, day: Int? = nil) {
    guard (1...9999).contains(year) else { return nil }
    if let month {
      guard (1...12).contains(month) else { return nil }
    } else if day != nil {
      return nil
    }
    if let day, let month {
      guard day >= 1, day <= DateValue.daysIn(month: month, year: year) else { return nil }
    }
    self.year = year
    self.month = month
    self.day = day
  }

  /// The number of days in a month of a year.
  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2:
      let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
      return leap ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// `@YYYY`, `@YYYY-MM` or `@YYYY-MM-DD`.
  public var description: String {
    var text = "@" + pad(year, 4)
    if let month { text += "-" + pad(month, 2) }
    if let day { text += "-" + pad(day, 2) }
    return text
  }

  /// The ISO 8601 form without the `@` (`1694-07-27`).
  public var isoText: String { String(description.dropFirst()) }

  /// Earlier first; a coarser date before the finer dates it contains (1694 < 1694-07).
  public static func < (lhs: DateValue, rhs: DateValue) -> Bool {
    if lhs.year != rhs.year { return lhs.year < rhs.year }
    if lhs.month != rhs.month { return (lhs.month ?? 0) < (rhs.month ?? 0) }
    return (lhs.day ?? 0) < (rhs.day ?? 0)
  }

  private func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
  }
}
