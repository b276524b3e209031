// The text form of a value that SQL engines store, join and compare: one string per value, a
// kind letter followed by the payload, so that equal values have equal keys and the kind is
// never lost across the boundary (the integer 1, the decimal 1.0, the string "1" and the entity
// `1` are four keys). Documentation/ScaleOut.md gives the format to the engines' users.

/// A value as a key string: `e` entity, `s` string, `i` integer, `d` decimal, `t` date,
/// `b` boolean.
///
/// | value | key |
/// |---|---|
/// | `bank_of_england` | `ebank_of_england` |
/// | `"英格兰银行"@zh` | `szh\|英格兰银行` (language, a bar, then the text) |
/// | `"plain"` | `s\|plain` |
/// | `42` | `i42` |
/// | `1.5` | `d1.5` (the canonical literal: normalised, at least one fractional digit) |
/// | `@1694-07` | `t1694-07` |
/// | `true` | `btrue` |
///
/// Keys of one kind other than strings and numbers order as their values do, byte by byte
/// (dates are zero-padded ISO text, coarser first; `bfalse` < `btrue`; entities by code point).
public enum ValueKey {
  /// The key of a value.
  public static func key(_ value: Value) -> String {
    switch value {
    case .entity(let name): "e" + name
    case .string(let text, let language): "s" + (language ?? "") + "|" + text
    case .integer(let i): "i" + String(i)
    case .decimal(let d): "d" + d.description
    case .date(let d): "t" + d.isoText
    case .boolean(let b): b ? "btrue" : "bfalse"
    }
  }

  /// The text builtins read: a string's text or an entity's identifier; nil for other kinds.
  public static func text(of value: Value) -> String? {
    switch value {
    case .string(let text, _): text
    case .entity(let name): name
    default: nil
    }
  }

  /// The value of a key; nil when the text is not a key.
  public static func value(_ key: String) -> Value? {
    guard let kind = key.first else { return nil }
    let payload = key.dropFirst()
    switch kind {
    case "e": return .entity(String(payload))
    case "s":
      guard let bar = payload.firstIndex(of: "|") else { return nil }
      let language = payload[..<bar]
      return .string(String(payload[payload.index(after: bar)...]), language: language.isEmpty ? nil : String(language))
    case "i": return Int64(payload).map { .integer($0) }
    case "d": return DecimalValue(parsing: payload).map { .decimal($0) }
    case "t":
      let fields = payload.split(separator: "-", omittingEmptySubsequences: false)
      let parts = fields.compactMap { Int($0) }
      guard let year = parts.first, parts.count == fields.count, parts.count <= 3 else { return nil }
      let month = parts.count > 1 ? parts[1] : nil
      let day = parts.count > 2 ? parts[2] : nil
      return DateValue(year: year, month: month, day: day).map { .date($0) }
    case "b":
      switch payload {
      case "true": return .boolean(true)
      case "false": return .boolean(false)
      default: return nil
      }
    default: return nil
    }
  }
}
