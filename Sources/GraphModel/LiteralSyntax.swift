// The literal syntax of values, shared by the log, the query language and the importers, so that
// a value is written and read the same way everywhere:
//
//   entity   = identifier | "'" chars "'"          bank_of_england, 英格兰银行, 'http://x.org/a'
//   string   = '"' chars '"' [ "@" langtag ]       "英格兰银行"@zh, "plain"
//   integer  = [ "-" ] digit+                      1694
//   decimal  = [ "-" ] digit+ "." digit+           1.2
//   boolean  = "true" | "false"
//   date     = "@" yyyy [ "-" mm [ "-" dd ] ]      @1694, @1694-07, @1694-07-27
//   escapes  = \" \' \\ \n \t \r \uXXXX \UXXXXXXXX

/// Reads and writes values in literal syntax.
public enum LiteralSyntax {
  /// A literal that could not be read: what is wrong, and at which byte offset.
  public struct Failure: Error, Hashable, Sendable {
    /// One-line message in the project's style.
    public var message: String
    /// Byte offset of the problem in the scanned buffer.
    public var offset: Int
    /// Number of bytes the problem covers (at least 1).
    public var length: Int

    /// Creates a failure.
    public init(_ message: String, offset: Int, length: Int = 1) {
      self.message = message
      self.offset = offset
      self.length = max(1, length)
    }
  }

  /// Words that look like identifiers but are not entities: `true`, `false` and `not`.
  public static let reservedWords: Set<String> = ["true", "false", "not"]

  // MARK: - Character classes

  /// Whether a scalar can start an entity identifier: a letter that is not upper-case.
  ///
  /// `bank_of_england`, `英格兰银行` and `été` are identifiers; `Bank` and `_x` are variables.
  public static func isIdentifierStart(_ s: Unicode.Scalar) -> Bool {
    if s.isASCII { return s.value >= 0x61 && s.value <= 0x7A }
    switch s.properties.generalCategory {
    case .lowercaseLetter, .modifierLetter, .otherLetter, .letterNumber: return true
    default: return false
    }
  }

  /// Whether a scalar can continue an identifier or a variable name.
  public static func isIdentifierContinue(_ s: Unicode.Scalar) -> Bool {
    if s.isASCII {
      let v = s.value
      return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39)
        || v == 0x5F
    }
    switch s.properties.generalCategory {
    case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
      .letterNumber, .decimalNumber, .nonspacingMark, .spacingMark:
      return true
    default:
      return false
    }
  }

  /// Whether a scalar starts a variable: `_` or an upper-case letter.
  public static func isVariableStart(_ s: Unicode.Scalar) -> Bool {
    if s.isASCII { return s == "_" || (s.value >= 0x41 && s.value <= 0x5A) }
    switch s.properties.generalCategory {
    case .uppercaseLetter, .titlecaseLetter: return true
    default: return false
    }
  }

  /// Whether an entity identifier can be written bare, without quotes.
  public static func isBareIdentifier(_ text: String) -> Bool {
    var scalars = text.unicodeScalars.makeIterator()
    guard let first = scalars.next(), isIdentifierStart(first) else { return false }
    while let s = scalars.next() {
      if !isIdentifierContinue(s) { return false }
    }
    return !reservedWords.contains(text)
  }

  // MARK: - Formatting

  /// Writes a value in literal syntax.
  public static func format(_ value: Value) -> String {
    switch value {
    case .entity(let id): return formatEntity(id)
    case .string(let text, let language): return formatString(text, language: language)
    case .integer(let i): return String(i)
    case .decimal(let d): return d.description
    case .boolean(let b): return b ? "true" : "false"
    case .date(let d): return d.description
    }
  }

  /// Writes an entity identifier, bare when possible, otherwise in single quotes.
  public static func formatEntity(_ id: String) -> String {
    isBareIdentifier(id) ? id : quote(id, with: "'")
  }

  /// Writes a string in double quotes with its language tag.
  public static func formatString(_ text: String, language: String?) -> String {
    let quoted = quote(text, with: "\"")
    guard let language, !language.isEmpty else { return quoted }
    return quoted + "@" + language
  }

  /// Quotes text, escaping the quote character, backslashes and control characters.
  public static func quote(_ text: String, with quoteCharacter: Character) -> String {
    quote(text, with: quoteCharacter) { value in
      value < 0x20 || value == 0x7F || (0x80..<0xA0).contains(value) || value == 0x2028 || value == 0x2029
    }
  }

  /// Quotes text the way C-family formats do (literal syntax, JSON, N-Triples): backslash,
  /// quote, `\n`, `\t` and `\r` are escaped with a backslash, and the scalars `escapesAsUnicode`
  /// picks are written `\uXXXX`.
  public static func quote(
    _ text: String, with quoteCharacter: Character, uppercaseHex: Bool = true, escapesAsUnicode: (UInt32) -> Bool
  ) -> String {
    var out = String(quoteCharacter)
    out.reserveCapacity(text.utf8.count + 2)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if Character(scalar) == quoteCharacter {
          out += "\\" + String(quoteCharacter)
        } else if escapesAsUnicode(scalar.value) {
          let digits = hex(scalar.value, digits: 4)
          out += "\\u" + (uppercaseHex ? digits : digits.lowercased())
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out.append(quoteCharacter)
    return out
  }

  static func hex(_ value: UInt32, digits: Int) -> String {
    let s = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
  }

  // MARK: - Scanning

  /// Parses a whole string as one literal value (surrounding spaces allowed); nil otherwise.
  public static func parseValue(_ text: String) -> Value? {
    let bytes = Array(text.utf8)
    var i = skipSpaces(bytes, 0)
    guard let (value, end) = try? scanValue(bytes, at: i) else { return nil }
    i = skipSpaces(bytes, end)
    return i == bytes.count ? value : nil
  }

  /// Skips ASCII spaces and tabs.
  public static func skipSpaces(_ bytes: [UInt8], _ start: Int) -> Int {
    var i = start
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
    return i
  }

  /// Scans any literal value starting at `start`.
  ///
  /// - Returns: The value and the offset just past it.
  /// - Throws: ``Failure`` when no literal starts there or it is malformed.
  public static func scanValue(_ bytes: [UInt8], at start: Int) throws(Failure) -> (Value, Int) {
    guard start < bytes.count else { throw Failure("expected a value, found end of line", offset: start) }
    let b = bytes[start]
    switch b {
    case UInt8(ascii: "\""):
      let (text, end) = try scanQuoted(bytes, at: start)
      if end < bytes.count, bytes[end] == UInt8(ascii: "@") {
        let (tag, tagEnd) = try scanLanguageTag(bytes, at: end)
        return (.string(text, language: tag), tagEnd)
      }
      return (.string(text, language: nil), end)
    case UInt8(ascii: "'"):
      let (id, end) = try scanQuoted(bytes, at: start)
      if id.isEmpty { throw Failure("an entity identifier cannot be empty", offset: start, length: 2) }
      return (.entity(id), end)
    case UInt8(ascii: "@"):
      let (date, end) = try scanDate(bytes, at: start)
      return (.date(date), end)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return try scanNumber(bytes, at: start)
    default:
      let end = try scanIdentifier(bytes, at: start)
      if end == start {
        throw Failure("expected a value, found `\(describeByte(bytes, start))`", offset: start)
      }
      let word = String(decoding: bytes[start..<end], as: UTF8.self)
      if word == "true" { return (.boolean(true), end) }
      if word == "false" { return (.boolean(false), end) }
      return (.entity(word), end)
    }
  }

  /// Scans an entity: a bare identifier or a single-quoted identifier.
  public static func scanEntity(_ bytes: [UInt8], at start: Int) throws(Failure) -> (String, Int) {
    guard start < bytes.count else {
      throw Failure("expected an entity, found end of line", offset: start)
    }
    if bytes[start] == UInt8(ascii: "'") {
      let (id, end) = try scanQuoted(bytes, at: start)
      if id.isEmpty { throw Failure("an entity identifier cannot be empty", offset: start, length: 2) }
      return (id, end)
    }
    let end = try scanIdentifier(bytes, at: start)
    guard end > start else {
      throw Failure("expected an entity, found `\(describeByte(bytes, start))`", offset: start)
    }
    let word = String(decoding: bytes[start..<end], as: UTF8.self)
    if reservedWords.contains(word) {
      throw Failure("`\(word)` is a reserved word; write the entity as '\(word)'", offset: start, length: end - start)
    }
    return (word, end)
  }

  /// Scans an identifier (entity start character, then continue characters).
  ///
  /// - Returns: The end offset; equal to `start` when no identifier starts there.
  public static func scanIdentifier(_ bytes: [UInt8], at start: Int) throws(Failure) -> Int {
    var i = start
    var first = true
    while i < bytes.count {
      let (scalar, length) = try decodeScalar(bytes, at: i)
      let ok = first ? isIdentifierStart(scalar) : isIdentifierContinue(scalar)
      if !ok { break }
      first = false
      i += length
    }
    return i
  }

  /// Scans a variable-style name (`_` or upper-case start); returns `start` if none.
  public static func scanVariableName(_ bytes: [UInt8], at start: Int) throws(Failure) -> Int {
    guard start < bytes.count else { return start }
    let (scalar, length) = try decodeScalar(bytes, at: start)
    guard isVariableStart(scalar) else { return start }
    var i = start + length
    while i < bytes.count {
      let (s, l) = try decodeScalar(bytes, at: i)
      if !isIdentifierContinue(s) { break }
      i += l
    }
    return i
  }

  /// Scans text in double or single quotes with escapes; `bytes[start]` is the quote.
  public static func scanQuoted(_ bytes: [UInt8], at start: Int) throws(Failure) -> (String, Int) {
    let quote = bytes[start]
    var i = start + 1
    var plainStart = i
    var out = [UInt8]()
    let what = quote == UInt8(ascii: "\"") ? "string" : "quoted entity"
    while true {
      guard i < bytes.count else {
        throw Failure("unterminated \(what): missing closing \(Character(Unicode.Scalar(quote)))", offset: start)
      }
      let b = bytes[i]
      if b == quote {
        out.append(contentsOf: bytes[plainStart..<i])
        guard let text = String(validating: out, as: UTF8.self) else {
          throw Failure("invalid UTF-8 in \(what)", offset: start, length: i + 1 - start)
        }
        return (text, i + 1)
      }
      if b == 0x0A || b == 0x0D {
        throw Failure(
          "unterminated \(what): line ends before the closing \(Character(Unicode.Scalar(quote)))",
          offset: start, length: i - start)
      }
      if b == UInt8(ascii: "\\") {
        out.append(contentsOf: bytes[plainStart..<i])
        guard i + 1 < bytes.count else { throw Failure("unterminated escape", offset: i) }
        let e = bytes[i + 1]
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A); i += 2
        case UInt8(ascii: "t"): out.append(0x09); i += 2
        case UInt8(ascii: "r"): out.append(0x0D); i += 2
        case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): out.append(e); i += 2
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
          let digits = e == UInt8(ascii: "u") ? 4 : 8
          guard i + 2 + digits <= bytes.count else {
            throw Failure("incomplete escape `\\\(Character(Unicode.Scalar(e)))`: expected \(digits) hex digits", offset: i, length: 2)
          }
          var value: UInt32 = 0
          for k in 0..<digits {
            guard let d = hexDigit(bytes[i + 2 + k]) else {
              throw Failure("invalid escape: expected \(digits) hex digits after `\\\(Character(Unicode.Scalar(e)))`", offset: i, length: 2 + digits)
            }
            value = value * 16 + d
          }
          guard let scalar = Unicode.Scalar(value) else {
            throw Failure("escape `\\\(Character(Unicode.Scalar(e)))\(hex(value, digits: digits))` is not a Unicode scalar", offset: i, length: 2 + digits)
          }
          out.append(contentsOf: Array(String(Character(scalar)).utf8))
          i += 2 + digits
        default:
          let shown = (try? decodeScalar(bytes, at: i + 1)).map { String(Character($0.0)) } ?? "?"
          throw Failure("unknown escape `\\\(shown)`; use \\\" \\' \\\\ \\n \\t \\r or \\uXXXX", offset: i, length: 2)
        }
        plainStart = i
        continue
      }
      i += 1
    }
  }

  /// Scans `@tag` after a string; the tag is lower-cased.
  public static func scanLanguageTag(_ bytes: [UInt8], at start: Int) throws(Failure) -> (String, Int) {
    var i = start + 1
    var part = 0
    var partLength = 0
    while i < bytes.count {
      let b = bytes[i]
      let isLetter = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
      let isDigit = b >= 0x30 && b <= 0x39
      if isLetter || (isDigit && part > 0) {
        partLength += 1
        if partLength > 8 { throw Failure("language tag part longer than 8 characters", offset: start, length: i - start + 1) }
      } else if b == UInt8(ascii: "-"), partLength > 0, i + 1 < bytes.count,
        (bytes[i + 1] >= 0x30 && bytes[i + 1] <= 0x39) || (bytes[i + 1] | 0x20 >= 0x61 && bytes[i + 1] | 0x20 <= 0x7A)
      {
        part += 1
        partLength = 0
      } else {
        break
      }
      i += 1
    }
    guard i > start + 1 else { throw Failure("expected a language tag such as `zh` or `en` after `@`", offset: start) }
    return (String(decoding: bytes[(start + 1)..<i], as: UTF8.self).lowercased(), i)
  }

  /// Scans an integer or decimal, with an optional leading `-`.
  public static func scanNumber(_ bytes: [UInt8], at start: Int) throws(Failure) -> (Value, Int) {
    var i = start
    if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
    let digitsStart = i
    while i < bytes.count, isDigit(bytes[i]) { i += 1 }
    guard i > digitsStart else { throw Failure("expected a number", offset: start) }
    var isDecimal = false
    if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "."), isDigit(bytes[i + 1]) {
      isDecimal = true
      i += 1
      while i < bytes.count, isDigit(bytes[i]) { i += 1 }
    }
    let text = String(decoding: bytes[start..<i], as: UTF8.self)
    // In messages, a number of hundreds of digits is shortened to its start and its length.
    let shown = text.count <= 40 ? "`\(text)`" : "`\(text.prefix(30))…` (\(text.count) characters)"
    if isDecimal {
      guard let d = DecimalValue(parsing: Substring(text)) else {
        throw Failure("decimal \(shown) has too many digits (at most 18 significant digits)", offset: start, length: i - start)
      }
      return (.decimal(d), i)
    }
    guard let n = Int64(text) else {
      throw Failure("integer \(shown) does not fit in 64 bits", offset: start, length: i - start)
    }
    return (.integer(n), i)
  }

  /// Scans a date `@YYYY`, `@YYYY-MM` or `@YYYY-MM-DD`; `bytes[start]` is `@`.
  public static func scanDate(_ bytes: [UInt8], at start: Int) throws(Failure) -> (DateValue, Int) {
    var i = start + 1
    func digits(_ n: Int) -> Int? {
      guard i + n <= bytes.count else { return nil }
      var v = 0
      for k in 0..<n {
        guard isDigit(bytes[i + k]) else { return nil }
        v = v * 10 + Int(bytes[i + k] - 0x30)
      }
      if i + n < bytes.count, isDigit(bytes[i + n]) { return nil }
      i += n
      return v
    }
    guard let year = digits(4) else {
      throw Failure("expected a date `@YYYY`, `@YYYY-MM` or `@YYYY-MM-DD`", offset: start, length: 1)
    }
    var month: Int?
    var day: Int?
    if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "-"), isDigit(bytes[i + 1]) {
      i += 1
      guard let m = digits(2) else { throw Failure("expected a two-digit month in date", offset: start, length: i - start) }
      month = m
      if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "-"), isDigit(bytes[i + 1]) {
        i += 1
        guard let d = digits(2) else { throw Failure("expected a two-digit day in date", offset: start, length: i - start) }
        day = d
      }
    }
    guard let date = DateValue(year: year, month: month, day: day) else {
      let text = String(decoding: bytes[start..<i], as: UTF8.self)
      throw Failure("impossible date `\(text)`", offset: start, length: i - start)
    }
    return (date, i)
  }

  // MARK: - UTF-8

  /// Decodes one Unicode scalar at a byte offset, rejecting invalid UTF-8.
  public static func decodeScalar(_ bytes: [UInt8], at i: Int) throws(Failure) -> (Unicode.Scalar, Int) {
    let b0 = bytes[i]
    if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
    let length: Int
    var value: UInt32
    switch b0 {
    case 0xC2...0xDF: length = 2; value = UInt32(b0 & 0x1F)
    case 0xE0...0xEF: length = 3; value = UInt32(b0 & 0x0F)
    case 0xF0...0xF4: length = 4; value = UInt32(b0 & 0x07)
    default: throw Failure("invalid UTF-8 byte 0x\(hex(UInt32(b0), digits: 2))", offset: i)
    }
    guard i + length <= bytes.count else { throw Failure("invalid UTF-8: truncated sequence", offset: i) }
    for k in 1..<length {
      let b = bytes[i + k]
      guard b & 0xC0 == 0x80 else { throw Failure("invalid UTF-8 byte 0x\(hex(UInt32(b), digits: 2))", offset: i + k) }
      value = (value << 6) | UInt32(b & 0x3F)
    }
    let minimum: UInt32 = length == 2 ? 0x80 : (length == 3 ? 0x800 : 0x10000)
    guard value >= minimum, let scalar = Unicode.Scalar(value) else {
      throw Failure("invalid UTF-8 sequence", offset: i, length: length)
    }
    return (scalar, length)
  }

  static func describeByte(_ bytes: [UInt8], _ i: Int) -> String {
    guard i < bytes.count else { return "end of input" }
    if let (s, _) = try? decodeScalar(bytes, at: i) {
      return s.value < 0x20 ? "\\u" + hex(s.value, digits: 4) : String(Character(s))
    }
    return "0x" + hex(UInt32(bytes[i]), digits: 2)
  }

  @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

  static func hexDigit(_ b: UInt8) -> UInt32? {
    switch b {
    case 0x30...0x39: UInt32(b - 0x30)
    case 0x41...0x46: UInt32(b - 0x41 + 10)
    case 0x61...0x66: UInt32(b - 0x61 + 10)
    default: nil
    }
  }
}
