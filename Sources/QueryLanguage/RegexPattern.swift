// The regular expressions `matches` accepts: a documented subset of the usual syntax (see
// Documentation/QueryLanguage.md, section 5) parsed into a small syntax tree. The parser keeps an
// explicit stack of open groups, so the pattern cannot choose the depth of any recursion; the
// nesting, every repetition count and the size of the expanded program are bounded, and each
// refusal names the offending part of the pattern (as a UTF-8 byte range) and what to write
// instead. The engine compiles the tree to a linear-time matcher (QueryEngine/RegexMachine).

/// A parsed regular expression.
public struct RegexPattern: Sendable, Hashable {
  /// The pattern as written.
  public let text: String
  /// Its syntax tree.
  public let root: RegexNode
  /// How many matcher instructions the compiled pattern takes (at most ``maximumSize``).
  public let size: Int

  /// Groups nest at most this deep.
  public static let maximumNesting = 100
  /// Repetition counts (`{m,n}`) are at most this.
  public static let maximumCount = 1_000
  /// The compiled program has at most this many instructions (repetitions expanded).
  public static let maximumSize = 20_000

  /// Why a pattern was refused.
  public struct SyntaxError: Error, Hashable, Sendable {
    /// What is wrong, one line.
    public var message: String
    /// What to write instead, when there is advice.
    public var help: String?
    /// The UTF-8 byte range of the pattern responsible (empty at the end of the pattern).
    public var range: Range<Int>
  }

  /// A pattern for a message: at most 40 characters, then `…`.
  public static func shown(_ text: String) -> String {
    text.count <= 40 ? text : String(text.prefix(39)) + "…"
  }

  /// Parses a pattern.
  public init(_ text: String) throws(SyntaxError) {
    var parser = RegexParser(text)
    let (root, size) = try parser.parse()
    self.text = text
    self.root = root
    self.size = size
  }
}

/// A node of a pattern's syntax tree. Its depth is at most a few times
/// ``RegexPattern/maximumNesting``.
public indirect enum RegexNode: Sendable, Hashable {
  /// Matches the empty string.
  case empty
  /// One scalar from a set.
  case scalar(RegexScalarSet)
  /// `^`: the start of the text.
  case start
  /// `$`: the end of the text.
  case end
  /// Each part in turn.
  case sequence([RegexNode])
  /// Any one of the alternatives.
  case alternation([RegexNode])
  /// The node at least `min` and at most `max` times (no upper bound when nil).
  case repetition(RegexNode, min: Int, max: Int?)
}

/// A set of Unicode scalars: explicit ranges and builtin classes, possibly negated.
public struct RegexScalarSet: Sendable, Hashable {
  /// A builtin class (`\d`, `\w`, `\s`), with its negation (`\D`, `\W`, `\S`).
  public struct ClassItem: Sendable, Hashable {
    /// Which class.
    public var kind: RegexClassKind
    /// Whether it is the complement (`\D`).
    public var negated: Bool
  }

  /// Scalar value ranges in the set.
  public var ranges: [ClosedRange<UInt32>] = []
  /// Builtin classes in the set.
  public var classes: [ClassItem] = []
  /// Whether the set is the complement of the ranges and classes (`[^...]`, `.`).
  public var negated = false

  /// Whether a scalar is in the set.
  public func contains(_ scalar: Unicode.Scalar) -> Bool {
    var found = false
    let v = scalar.value
    for r in ranges where r.contains(v) {
      found = true
      break
    }
    if !found {
      for c in classes where c.kind.contains(scalar) != c.negated {
        found = true
        break
      }
    }
    return found != negated
  }

  /// The set holding one scalar.
  public static func single(_ scalar: Unicode.Scalar) -> RegexScalarSet {
    RegexScalarSet(ranges: [scalar.value...scalar.value])
  }

  /// `.`: every scalar but the line breaks.
  public static let dot = RegexScalarSet(
    ranges: [0x0A...0x0D, 0x85...0x85, 0x2028...0x2029], negated: true)

  /// The scalar, when the set is exactly one scalar.
  public var singleScalar: UInt32? {
    guard !negated, classes.isEmpty, ranges.count == 1, ranges[0].lowerBound == ranges[0].upperBound else { return nil }
    return ranges[0].lowerBound
  }
}

/// The builtin classes, defined per scalar as Swift's `Regex` defines them per character (so
/// patterns keep the meaning they had before the linear-time matcher).
public enum RegexClassKind: Sendable, Hashable {
  /// `\d`: a number in any script (Unicode `Numeric_Type` is set: 7, ٣, ², ½, Ⅷ).
  case digit
  /// `\w`: a letter (Unicode `Alphabetic`), a number as for `\d`, or `_`.
  case word
  /// `\s`: Unicode `White_Space`.
  case space

  /// Whether a scalar belongs to the class.
  @inline(__always) public func contains(_ scalar: Unicode.Scalar) -> Bool {
    let v = scalar.value
    if v < 0x80 {
      switch self {
      case .digit: return v >= 0x30 && v <= 0x39
      case .word: return (v >= 0x30 && v <= 0x39) || ((v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A) || v == 0x5F
      case .space: return v == 0x20 || (v >= 0x09 && v <= 0x0D)
      }
    }
    let properties = scalar.properties
    switch self {
    case .digit: return properties.numericType != nil
    case .word: return properties.isAlphabetic || properties.numericType != nil
    case .space: return properties.isWhitespace
    }
  }
}

/// The parser behind ``RegexPattern/init(_:)``: one pass over the scalars with an explicit
/// stack of open groups.
private struct RegexParser {
  typealias SyntaxError = RegexPattern.SyntaxError

  /// The scalars with their UTF-8 offsets; `offsets` has one more entry, the end.
  let scalars: [Unicode.Scalar]
  let offsets: [Int]
  var i = 0

  /// A group being read (the whole pattern at the bottom of the stack): its finished
  /// alternatives and the sequence being built, with the compiled size of each part.
  struct Frame {
    var alternatives: [RegexNode] = []
    var alternativesSize = 0
    var sequence: [RegexNode] = []
    var sizes: [Int] = []
    var sequenceSize = 0
    /// Where the group opened (scalar index of `(`), nil for the whole pattern.
    var openedAt: Int?
    /// Where the last part of `sequence` starts, when it may take a quantifier.
    var quantifiable: Int?

    /// The compiled size of the group so far.
    var size: Int {
      RegexParser.alternationSize(alternatives.count + 1, alternativesSize + sequenceSize)
    }

    /// The group as one node, with its compiled size.
    func finished() -> (RegexNode, Int) {
      let last = sequence.count == 1 ? sequence[0] : sequence.isEmpty ? .empty : .sequence(sequence)
      if alternatives.isEmpty { return (last, size) }
      return (.alternation(alternatives + [last]), size)
    }
  }

  init(_ text: String) {
    var scalars: [Unicode.Scalar] = []
    var offsets: [Int] = []
    var offset = 0
    for s in text.unicodeScalars {
      scalars.append(s)
      offsets.append(offset)
      offset += UTF8.width(s)
    }
    offsets.append(offset)
    self.scalars = scalars
    self.offsets = offsets
  }

  func error(_ message: String, from start: Int, to end: Int, help: String? = nil) -> SyntaxError {
    SyntaxError(message: message, help: help, range: offsets[min(start, scalars.count)]..<offsets[min(end, scalars.count)])
  }

  func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
    i + ahead < scalars.count ? scalars[i + ahead] : nil
  }

  func text(_ start: Int, _ end: Int) -> String {
    String(String.UnicodeScalarView(scalars[start..<Swift.min(end, scalars.count)]))
  }

  // Compiled sizes, kept in step with RegexMachine's compiler.

  /// n alternatives: a split and a jump between each two.
  static func alternationSize(_ count: Int, _ partsSize: Int) -> Int {
    partsSize + 2 * (count - 1)
  }

  /// `min` copies, then `max - min` optional copies (a split each) or one loop (a split and a
  /// jump, or just a split after a last mandatory copy).
  static func repetitionSize(_ child: Int, min: Int, max: Int?) -> Int {
    if let max { return child * max + (max - min) }
    return min == 0 ? child + 2 : child * min + 1
  }

  mutating func parse() throws(SyntaxError) -> (RegexNode, Int) {
    var stack = [Frame()]
    while i < scalars.count {
      let c = scalars[i]
      let start = i
      switch c {
      case "(":
        if stack.count > RegexPattern.maximumNesting {
          throw error("groups nest more than \(RegexPattern.maximumNesting) deep", from: i, to: i + 1, help: "simplify the pattern")
        }
        i += 1
        if peek() == "?" {
          guard peek(1) == ":" else { throw unsupportedGroup(at: start) }
          i += 2
        }
        stack.append(Frame(openedAt: start))
      case ")":
        guard stack.count > 1 else {
          throw error("unmatched `)`", from: i, to: i + 1, help: "write \\) for a literal parenthesis")
        }
        i += 1
        let (node, size) = stack.removeLast().finished()
        try append(node, size, to: &stack[stack.count - 1], from: start, quantifiable: true)
      case "|":
        i += 1
        let (node, size) = Frame(sequence: stack[stack.count - 1].sequence, sequenceSize: stack[stack.count - 1].sequenceSize).finished()
        stack[stack.count - 1].alternatives.append(node)
        stack[stack.count - 1].alternativesSize += size
        stack[stack.count - 1].sequence = []
        stack[stack.count - 1].sizes = []
        stack[stack.count - 1].sequenceSize = 0
        stack[stack.count - 1].quantifiable = nil
      case "*", "+", "?", "{":
        try quantify(&stack[stack.count - 1])
      case "^", "$":
        i += 1
        try append(c == "^" ? .start : .end, 1, to: &stack[stack.count - 1], from: start, quantifiable: false)
      case ".":
        i += 1
        try append(.scalar(.dot), 1, to: &stack[stack.count - 1], from: start, quantifiable: true)
      case "[":
        let set = try parseClass()
        try append(.scalar(set), 1, to: &stack[stack.count - 1], from: start, quantifiable: true)
      case "\\":
        let set = try parseEscape()
        try append(.scalar(set), 1, to: &stack[stack.count - 1], from: start, quantifiable: true)
      default:
        i += 1
        try append(.scalar(.single(c)), 1, to: &stack[stack.count - 1], from: start, quantifiable: true)
      }
      try checkSize(stack, from: start)
    }
    if let opened = stack[stack.count - 1].openedAt {
      throw error("missing `)` to close this group", from: opened, to: opened + 1, help: "close the group with `)`, or write \\( for a literal parenthesis")
    }
    let (root, size) = stack[0].finished()
    // One more instruction: the final match.
    return (root, size + 1)
  }

  /// Refuses `(?` other than `(?:`, naming what it would have been.
  func unsupportedGroup(at start: Int) -> SyntaxError {
    let a = start + 2 < scalars.count ? scalars[start + 2] : nil
    let b = start + 3 < scalars.count ? scalars[start + 3] : nil
    let what: String
    var end = start + 3
    switch (a, b) {
    case ("=", _), ("!", _): what = "lookahead"
    case ("<", "="), ("<", "!"):
      what = "lookbehind"
      end += 1
    case ("<", _), ("\'", _), ("P", _): what = "a named group"
    case ("#", _): what = "a comment"
    default:
      what = "inline options"
      end = start + 2
    }
    return error("`\(text(start, end))` (\(what)) is not supported", from: start, to: end, help: "use ( ) or (?: ) for a group; matches supports no lookaround, backreferences or options")
  }

  /// The size of everything open on the stack, checked against the bound.
  func checkSize(_ stack: [Frame], from start: Int) throws(SyntaxError) {
    // Each open group will add its parts to the frame below it.
    var total = 0
    for frame in stack { total += frame.size }
    if total + 1 > RegexPattern.maximumSize {
      throw error("the pattern is too large: with its repetitions expanded it needs more than \(RegexPattern.maximumSize) steps", from: start, to: i, help: "use smaller repetition counts, or * and + instead of large {m,n}")
    }
  }

  mutating func append(_ node: RegexNode, _ size: Int, to frame: inout Frame, from start: Int, quantifiable: Bool) throws(SyntaxError) {
    frame.sequence.append(node)
    frame.sizes.append(size)
    frame.sequenceSize += size
    frame.quantifiable = quantifiable ? start : nil
  }

  /// Reads `{m}`, `{m,}`, `{,n}` or `{m,n}` (ASCII digits) at `i` without consuming it: the
  /// bounds and the index after `}`; nil when the text there is not of that form. A count
  /// above the maximum reads as one more than it.
  func quantifierBounds() -> (min: Int, max: Int?, end: Int)? {
    var j = i + 1
    func number(_ j: inout Int) -> Int? {
      var value = 0
      let first = j
      while j < scalars.count, scalars[j].value >= 0x30, scalars[j].value <= 0x39 {
        value = Swift.min(value * 10 + Int(scalars[j].value - 0x30), RegexPattern.maximumCount + 1)
        j += 1
      }
      return j > first ? value : nil
    }
    let low = number(&j)
    var high: Int?
    var comma = false
    if j < scalars.count, scalars[j] == "," {
      comma = true
      j += 1
      high = number(&j)
    }
    guard j < scalars.count, scalars[j] == "}", low != nil || high != nil else { return nil }
    let min = low ?? 0
    return (min, comma ? high : min, j + 1)
  }

  func isQuantifier(at index: Int) -> Bool {
    guard index < scalars.count else { return false }
    let c = scalars[index]
    return c == "*" || c == "+" || c == "?" || c == "{"
  }

  mutating func quantify(_ frame: inout Frame) throws(SyntaxError) {
    let start = i
    let c = scalars[i]
    var min = 0
    var max: Int?
    if c == "{" {
      guard let bounds = quantifierBounds() else {
        throw error("`{` does not start a repetition count", from: i, to: i + 1, help: "write {m}, {m,}, {,n} or {m,n} after what repeats, or \\{ for a literal brace")
      }
      i = bounds.end
      if bounds.min > RegexPattern.maximumCount || (bounds.max ?? 0) > RegexPattern.maximumCount {
        throw error("repetition count above \(RegexPattern.maximumCount)", from: start, to: i, help: "use * or + for an unbounded repetition")
      }
      if let high = bounds.max, high < bounds.min {
        throw error("repetition `\(text(start, i))` has its minimum above its maximum", from: start, to: i, help: "write the smaller count first")
      }
      min = bounds.min
      max = bounds.max
    } else {
      i += 1
      switch c {
      case "*": break
      case "+": min = 1
      default: max = 1
      }
    }
    guard frame.quantifiable != nil, let node = frame.sequence.popLast(), let childSize = frame.sizes.popLast() else {
      if frame.sequence.last == .start || frame.sequence.last == .end {
        throw error("an anchor cannot repeat", from: start, to: i, help: "remove `\(text(start, i))`")
      }
      throw error("`\(text(start, i))` follows nothing that can repeat", from: start, to: i, help: "write \\\(Character(c)) for a literal \(Character(c))")
    }
    // A lazy marker changes which match is found, never whether one is: accept it.
    if peek() == "?" {
      i += 1
    } else if peek() == "+" {
      throw error("possessive repetition `\(text(start, i + 1))` is not supported", from: start, to: i + 1, help: "remove the final `+`")
    }
    if isQuantifier(at: i) {
      throw error("a repetition cannot repeat directly", from: i, to: i + 1, help: "put the repeated part in a group first, as in (?:a*)+, or escape the character")
    }
    let size = Self.repetitionSize(childSize, min: min, max: max)
    frame.sequence.append(.repetition(node, min: min, max: max))
    frame.sizes.append(size)
    frame.sequenceSize += size - childSize
    frame.quantifiable = nil
  }

  // MARK: Escapes and classes

  /// An escape at `i` (the backslash): a set of scalars.
  mutating func parseEscape() throws(SyntaxError) -> RegexScalarSet {
    let start = i
    guard i + 1 < scalars.count else {
      throw error("the pattern ends with a lone backslash", from: i, to: i + 1, help: "write \\\\ for a literal backslash")
    }
    let e = scalars[i + 1]
    i += 2
    switch e {
    case "d", "D": return RegexScalarSet(classes: [.init(kind: .digit, negated: e == "D")])
    case "w", "W": return RegexScalarSet(classes: [.init(kind: .word, negated: e == "W")])
    case "s", "S": return RegexScalarSet(classes: [.init(kind: .space, negated: e == "S")])
    case "t": return .single("\t")
    case "n": return .single("\n")
    case "r": return .single("\r")
    case "f": return .single("\u{0C}")
    case "u":
      guard peek() == "{" else {
        throw error("`\\u` needs a hexadecimal scalar value in braces", from: start, to: i, help: "write \\u{41} for A")
      }
      var j = i + 1
      var value: UInt32 = 0
      while j < scalars.count, j - i <= 7, let d = scalars[j].hexDigitValue {
        value = value * 16 + d
        j += 1
      }
      guard j < scalars.count, scalars[j] == "}", j > i + 1, j - i <= 7 else {
        throw error("`\\u{...}` takes 1 to 6 hexadecimal digits and a closing `}`", from: start, to: Swift.min(j + 1, scalars.count), help: "write \\u{41} for A")
      }
      i = j + 1
      guard let scalar = Unicode.Scalar(value) else {
        throw error("`\(text(start, i))` is not a Unicode scalar value", from: start, to: i, help: "scalar values run from 0 to 10FFFF, without the surrogates D800 to DFFF")
      }
      return .single(scalar)
    default:
      if e.isASCII, !e.properties.isAlphabetic, !(e.value >= 0x30 && e.value <= 0x39), e.value >= 0x20, e.value < 0x7F {
        return .single(e)
      }
      let what: String
      let help: String
      switch e {
      case "b", "B":
        what = "word boundaries `\\\(Character(e))` are not supported"
        help = "match the neighbouring characters instead, for example (^|\\W)word(\\W|$)"
      case "1"..."9":
        what = "backreferences `\\\(Character(e))` are not supported"
        help = "matches supports no backreferences; compare captured values with separate literals instead"
      case "A", "z", "Z", "G":
        what = "the anchor `\\\(Character(e))` is not supported"
        help = "use ^ for the start and $ for the end of the text"
      default:
        what = "unknown escape `\\\(Character(e))`"
        help = "the escapes are \\d \\D \\w \\W \\s \\S \\t \\n \\r \\f \\u{HEX} and \\ before punctuation; in a query string the backslash itself is written \\\\"
      }
      throw error(what, from: start, to: i, help: help)
    }
  }

  /// A bracketed class at `i` (the `[`).
  mutating func parseClass() throws(SyntaxError) -> RegexScalarSet {
    let open = i
    i += 1
    var set = RegexScalarSet()
    if peek() == "^" {
      set.negated = true
      i += 1
    }
    if peek() == "]" {
      throw error("a class cannot start with `]`", from: i, to: i + 1, help: "write \\] for a literal bracket; [] and [^] are not classes")
    }
    var first = true
    while true {
      guard let c = peek() else {
        throw error("missing `]` to close this class", from: open, to: open + 1, help: "close the class with `]`, or write \\[ for a literal bracket")
      }
      let start = i
      if c == "]" {
        i += 1
        return set
      }
      if c == "[" {
        throw error("`[` inside a class is not supported", from: i, to: i + 1, help: "write \\[ for a literal bracket; nested classes and [:name:] are not supported")
      }
      if let next = peek(1), next == c, c == "-" || c == "&" || c == "~" {
        throw error("class operations `\(text(i, i + 2))` are not supported", from: i, to: i + 2, help: "escape the character: \\\(Character(c))")
      }
      // One member: a scalar or an escape.
      let low = try classMember()
      if peek() == "-", let after = peek(1), after != "]" {
        // A range `low-high`.
        let dash = i
        i += 1
        if after == "-" {
          throw error("class operations `--` are not supported", from: dash, to: dash + 2, help: "escape the character: \\-")
        }
        if after == "[" {
          throw error("`[` inside a class is not supported", from: i, to: i + 1, help: "write \\[ for a literal bracket")
        }
        let high = try classMember()
        guard let lo = low.singleScalar, let hi = high.singleScalar else {
          throw error("a range `\(text(start, i))` needs a single character at each end", from: start, to: i, help: "write \\- for a literal dash")
        }
        guard lo <= hi else {
          throw error("range `\(text(start, i))` runs backwards", from: start, to: i, help: "write the smaller character first")
        }
        set.ranges.append(lo...hi)
      } else if c == "-" && !first && peek() != "]" {
        throw error("a `-` in a class must be first, last or escaped", from: start, to: start + 1, help: "write \\- for a literal dash")
      } else {
        set.ranges.append(contentsOf: low.ranges)
        set.classes.append(contentsOf: low.classes)
      }
      first = false
    }
  }

  /// One member of a class: a literal scalar or an escape.
  mutating func classMember() throws(SyntaxError) -> RegexScalarSet {
    guard let c = peek() else {
      throw error("missing `]` to close this class", from: i, to: i, help: "close the class with `]`")
    }
    if c == "\\" { return try parseEscape() }
    i += 1
    return .single(c)
  }
}

extension Unicode.Scalar {
  /// The value of an ASCII hexadecimal digit.
  fileprivate var hexDigitValue: UInt32? {
    switch value {
    case 0x30...0x39: value - 0x30
    case 0x41...0x46: value - 0x41 + 10
    case 0x61...0x66: value - 0x61 + 10
    default: nil
    }
  }
}
