// Normalising and cutting text for search, without word segmentation: Han, Kana and Hangul are
// matched by substring, through overlapping character bigrams (and single characters, so a
// one-character query finds something); every other script by case-folded words.
//
//   normalise: full-width ASCII and the ideographic space folded to ASCII, apostrophes dropped,
//              lower case, every run of characters that are neither letters, digits nor CJK
//              turned into one space
//   tokens:    CJK run "中国人民银行" -> 中 国 人 民 银 行 中国 国人 人民 民银 银行
//              word run "people s bank" -> people, s, bank

/// What a piece of text is cut into.
public enum SearchToken: Hashable, Sendable {
  /// A case-folded word of a script written with spaces (Latin, Cyrillic, digits...).
  case word(String)
  /// One or two consecutive CJK characters.
  case characters(String)
}

/// Normalises text and cuts it into tokens.
public enum SearchTokenizer {
  /// Whether a scalar belongs to a script written without spaces between words.
  public static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x3040...0x30FF,  // Hiragana, Katakana
      0x3400...0x4DBF,  // CJK Extension A
      0x4E00...0x9FFF,  // CJK Unified Ideographs
      0xAC00...0xD7AF,  // Hangul syllables
      0x1100...0x11FF,  // Hangul Jamo
      0xF900...0xFAFF,  // CJK Compatibility Ideographs
      0x20000...0x3FFFF:  // CJK Extensions B and beyond
      return true
    default:
      return false
    }
  }

  /// The text as it is matched: folded, lower case, separators collapsed to single spaces and
  /// trimmed (`"People’s  Bank"` → `"peoples bank"`, `"ＰＢＯＣ"` → `"pboc"`).
  ///
  /// ASCII (most ids and English text) is handled byte by byte; only other scalars consult the
  /// Unicode properties.
  public static func normalise(_ text: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    var pendingSpace = false
    @inline(__always) func keep(_ bytes: some Sequence<UInt8>) {
      if pendingSpace, !out.isEmpty { out.append(0x20) }
      pendingSpace = false
      out.append(contentsOf: bytes)
    }
    for original in text.unicodeScalars {
      var scalar = original
      if (0xFF01...0xFF5E).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) { scalar = ascii }
      let v = scalar.value
      if v < 0x80 {
        switch v {
        case 0x41...0x5A: keep(CollectionOfOne(UInt8(v + 0x20)))
        case 0x61...0x7A, 0x30...0x39: keep(CollectionOfOne(UInt8(v)))
        case 0x27: continue  // an apostrophe joins: "People's" is the word "peoples"
        default: pendingSpace = true
        }
      } else if v == 0x2019 {
        continue
      } else if isCJK(scalar) {
        keep(String(scalar).utf8)
      } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
        keep(String(scalar).lowercased().utf8)
      } else if scalar.properties.generalCategory == .nonspacingMark || scalar.properties.generalCategory == .spacingMark {
        out.append(contentsOf: String(scalar).utf8)  // combining marks stay with their letter
      } else {
        pendingSpace = true
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// The tokens of normalised text, each once, in order of first appearance.
  public static func tokens(ofNormalised text: String) -> [SearchToken] {
    var result: [SearchToken] = []
    var seen = Set<SearchToken>()
    func add(_ token: SearchToken) {
      // Short texts (names) are checked by a scan; a set only for long ones (descriptions).
      if result.count < 16 {
        if !result.contains(token) { result.append(token) }
        if result.count == 16 { seen = Set(result) }
      } else if seen.insert(token).inserted {
        result.append(token)
      }
    }
    var word: [UInt8] = []
    var previousCJK: Unicode.Scalar?
    func endWord() {
      if !word.isEmpty { add(.word(String(decoding: word, as: UTF8.self))) }
      word.removeAll(keepingCapacity: true)
    }
    for scalar in text.unicodeScalars {
      if scalar.value < 0x80 {
        previousCJK = nil
        if scalar == " " { endWord() } else { word.append(UInt8(scalar.value)) }
      } else if isCJK(scalar) {
        endWord()
        add(.characters(String(scalar)))
        if let previous = previousCJK {
          var pair = String.UnicodeScalarView()
          pair.append(previous)
          pair.append(scalar)
          add(.characters(String(pair)))
        }
        previousCJK = scalar
      } else {
        previousCJK = nil
        word.append(contentsOf: String(scalar).utf8)
      }
    }
    endWord()
    return result
  }

  /// The words of normalised text (CJK runs are not words).
  public static func words(ofNormalised text: String) -> [Substring] {
    text.split(separator: " ").flatMap { part -> [Substring] in
      // A part may mix a CJK run with letters or digits ("2023年会议"): its non-CJK pieces are words.
      guard part.unicodeScalars.contains(where: isCJK) else { return [part] }
      var pieces: [Substring] = []
      var start: String.Index?
      var index = part.startIndex
      while index < part.endIndex {
        let isCJKCharacter = part[index].unicodeScalars.contains(where: isCJK)
        if isCJKCharacter {
          if let s = start { pieces.append(part[s..<index]) }
          start = nil
        } else if start == nil {
          start = index
        }
        index = part.index(after: index)
      }
      if let s = start { pieces.append(part[s..<part.endIndex]) }
      return pieces
    }
  }
}
