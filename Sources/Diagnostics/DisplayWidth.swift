// How many terminal cells text occupies: CJK and other East Asian wide characters take two,
// combining marks none. Tables, the line editor and caret underlines all align with this.

/// Display width of text in a monospaced terminal, after Unicode East Asian Width (UAX #11).
public enum DisplayWidth {
  /// The number of terminal cells a string occupies.
  ///
  /// - Complexity: O(n) in the number of scalars.
  public static func of(_ text: some StringProtocol) -> Int {
    var total = 0
    for character in text {
      total += of(character)
    }
    return total
  }

  /// The number of cells one character (grapheme cluster) occupies: 0, 1 or 2.
  public static func of(_ character: Character) -> Int {
    var width = 0
    var sawBase = false
    for scalar in character.unicodeScalars {
      if scalar.value == 0xFE0F, sawBase {
        return 2  // emoji presentation selector
      }
      let w = of(scalar)
      if !sawBase, w > 0 {
        width = w
        sawBase = true
      }
    }
    return width
  }

  /// The number of cells one scalar occupies on its own: 0, 1 or 2.
  public static func of(_ scalar: Unicode.Scalar) -> Int {
    let v = scalar.value
    if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
    if v < 0x300 { return 1 }
    switch scalar.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format:
      return 0
    default:
      break
    }
    if v >= 0x1160 && v <= 0x11FF { return 0 }  // Hangul medial vowels and final consonants
    if isWide(v) { return 2 }
    if v >= 0x1F000, scalar.properties.isEmojiPresentation { return 2 }
    return 1
  }

  private static func isWide(_ v: UInt32) -> Bool {
    // East Asian Wide (W) and Fullwidth (F) blocks.
    switch v {
    case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
      0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1,
      0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA,
      0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C,
      0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C,
      0x2B50, 0x2B55, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
      0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
      0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x17000...0x18CFF,
      0x1B000...0x1B2FF, 0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251,
      0x1F300...0x1F320, 0x1F32D...0x1F335, 0x1F337...0x1F37C, 0x1F37E...0x1F393,
      0x1F3A0...0x1F3CA, 0x1F3CF...0x1F3D3, 0x1F3E0...0x1F3F0, 0x1F3F4, 0x1F3F8...0x1F43E,
      0x1F440, 0x1F442...0x1F4FC, 0x1F4FF...0x1F53D, 0x1F54B...0x1F54E, 0x1F550...0x1F567,
      0x1F57A, 0x1F595...0x1F596, 0x1F5A4, 0x1F5FB...0x1F64F, 0x1F680...0x1F6C5, 0x1F6CC,
      0x1F6D0...0x1F6D2, 0x1F6D5...0x1F6D7, 0x1F6EB...0x1F6EC, 0x1F6F4...0x1F6FC,
      0x1F7E0...0x1F7EB, 0x1F90C...0x1F93A, 0x1F93C...0x1F945, 0x1F947...0x1F9FF,
      0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
      return true
    default:
      return false
    }
  }

  /// The longest prefix of `text` that fits in `cells` terminal cells.
  public static func prefix(of text: String, fitting cells: Int) -> (text: String, width: Int) {
    var used = 0
    var end = text.startIndex
    for index in text.indices {
      let w = of(text[index])
      if used + w > cells { break }
      used += w
      end = text.index(after: index)
    }
    return (String(text[..<end]), used)
  }

  /// `text` when it fits in `cells`; otherwise its longest prefix that fits in `cells - 1`
  /// followed by `…` (never splitting a wide character).
  public static func clip(_ text: String, toWidth cells: Int) -> String {
    guard of(text) > cells else { return text }
    guard cells > 0 else { return "" }
    return prefix(of: text, fitting: cells - 1).text + "…"
  }
}

/// Makes text safe to print on a terminal: control characters become visible escapes, so a
/// value holding a newline or an escape sequence cannot break a table or a caret line.
public enum TerminalText {
  /// Replaces tabs, line breaks and other control characters with `\t`, `\n`, `\u{1B}` forms.
  public static func visible(_ text: String) -> String {
    var needs = false
    for scalar in text.unicodeScalars where isControl(scalar) {
      needs = true
      break
    }
    guard needs else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if isControl(scalar) {
        switch scalar {
        case "\t": out.append(contentsOf: "\\t".unicodeScalars)
        case "\n": out.append(contentsOf: "\\n".unicodeScalars)
        case "\r": out.append(contentsOf: "\\r".unicodeScalars)
        default:
          let hex = String(scalar.value, radix: 16, uppercase: true)
          out.append(contentsOf: "\\u{\(hex)}".unicodeScalars)
        }
      } else {
        out.append(scalar)
      }
    }
    return String(out)
  }

  private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
  }
}
