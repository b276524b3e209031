// The on-disk form of the log. Documentation/LogFormat.md is the canonical description; this
// file implements it. A log is UTF-8 text, one record per line:
//
//   log        = header { comment | blank | block }
//   header     = "xinzhi-log 1" LF
//   block      = "tx" SP number SP timestamp LF { meta LF } { record LF } commit LF
//   meta       = "@" key SP string                  @source "000:L146-L152"
//   record     = ("+" | "-") SP entity SP entity SP value
//   commit     = "commit" SP number SP count SP checksum
//   comment    = "#" { any } LF
//
// `count` is the number of records; `checksum` is XXH64 (seed 0) of the block's bytes from the
// `t` of `tx` through the LF before `commit`, as 16 lower-case hex digits.

import GraphModel

/// Writes transactions in log syntax.
public enum LogFormat {
  /// The first line of every log.
  public static let header = "xinzhi-log 1"

  /// The name of the log file inside a store directory.
  public static let fileName = "xinzhi.log"

  /// The bytes of one complete block, commit line included.
  public static func block(for transaction: Transaction) -> [UInt8] {
    var encoder = TransactionEncoder(info: transaction.info)
    for operation in transaction.operations {
      encoder.add(operation.action, operation.triple)
    }
    return encoder.finish()
  }

  /// Whether a metadata key is well formed: `[a-z][a-z0-9_]*`, at most 64 bytes.
  public static func isValidMetadataKey(_ key: String) -> Bool {
    guard let first = key.utf8.first, first >= 0x61, first <= 0x7A, key.utf8.count <= 64 else {
      return false
    }
    return key.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
  }

  /// A checksum as 16 lower-case hex digits.
  public static func hex16(_ value: UInt64) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }

  /// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
  public static func timestamp(secondsSinceEpoch: Int) -> String {
    // Civil-from-days (Howard Hinnant's algorithm), so no locale or time zone is involved.
    let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
    let secondsOfDay = secondsSinceEpoch - days * 86_400
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    func pad(_ n: Int, _ w: Int) -> String {
      let s = String(n)
      return String(repeating: "0", count: max(0, w - s.count)) + s
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondsOfDay / 3600, 2)):"
      + "\(pad(secondsOfDay / 60 % 60, 2)):\(pad(secondsOfDay % 60, 2))Z"
  }

  /// The latest time a timestamp can show: 9999-12-31T23:59:59Z.
  public static let latestTimestampSeconds = 253_402_300_799
  /// The earliest time a timestamp can show: 0000-01-01T00:00:00Z.
  public static let earliestTimestampSeconds = -62_167_219_200

  /// Whether text is a timestamp in the form ``timestamp(secondsSinceEpoch:)`` writes: the
  /// shape `YYYY-MM-DDTHH:MM:SSZ` and a real UTC time (month 01–12, a day that month has,
  /// hour 00–23, minute and second 00–59).
  public static func isValidTimestamp(_ bytes: ArraySlice<UInt8>) -> Bool {
    guard bytes.count == timestampPattern.count, isTimestampPrefix(bytes) else { return false }
    let digits = Array(bytes)
    func field(_ from: Int, _ count: Int) -> Int {
      digits[from..<(from + count)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
    let year = field(0, 4)
    let month = field(5, 2)
    let day = field(8, 2)
    guard (1...12).contains(month), day >= 1 else { return false }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return day <= days && field(11, 2) <= 23 && field(14, 2) <= 59 && field(17, 2) <= 59
  }

  private static let timestampPattern = Array("0000-00-00T00:00:00Z".utf8)

  /// Whether bytes are the beginning of a timestamp's shape (digits where digits go).
  static func isTimestampPrefix(_ bytes: ArraySlice<UInt8>) -> Bool {
    guard bytes.count <= timestampPattern.count else { return false }
    for (b, p) in zip(bytes, timestampPattern) {
      if p == 0x30 {
        if b < 0x30 || b > 0x39 { return false }
      } else if b != p {
        return false
      }
    }
    return true
  }

  /// A number as the grammar writes it: decimal digits, no sign, no leading zero (except `0`
  /// itself), in the range of a transaction number; nil otherwise.
  static func number(_ bytes: ArraySlice<UInt8>) -> TxNumber? {
    guard let first = bytes.first, bytes.count <= 18, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
    guard first != 0x30 || bytes.count == 1 else { return nil }
    let value = bytes.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
    return value <= UInt64(TxNumber.max) ? TxNumber(value) : nil
  }
}
