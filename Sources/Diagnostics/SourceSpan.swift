// Byte ranges into a SourceText and their rendered form (file, line, column).

/// A half-open range of UTF-8 byte offsets into a ``SourceText``.
public struct SourceSpan: Hashable, Sendable {
  /// The offset of the first byte.
  public var start: Int
  /// The offset just past the last byte.
  public var end: Int

  /// Creates a span.
  public init(start: Int, end: Int) {
    self.start = start
    self.end = max(start, end)
  }

  /// The smallest span covering both.
  public func union(_ other: SourceSpan) -> SourceSpan {
    SourceSpan(start: min(start, other.start), end: max(end, other.end))
  }
}

/// Where a diagnostic points: a file, a 1-based line and a 1-based column counted in characters.
///
/// The line's text and the span's width in characters are kept so that a renderer can draw the
/// line with a caret underline without reopening the file (which would fail for REPL input).
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The file path or pseudo-name.
  public var file: String
  /// The 1-based line.
  public var line: Int
  /// The 1-based column, counted in characters (not bytes, not display cells).
  public var column: Int
  /// The text of the line, when known: the whole line, or for a long line only an excerpt
  /// around the place (so that a thousand errors on one long line do not hold a thousand copies
  /// of it).
  public var lineText: String?
  /// How many characters the underline covers (at least 1).
  public var length: Int
  /// The column at which `lineText` starts: 1 when it is the whole line or begins with it.
  public var excerptColumn: Int
  /// Whether the line goes on after `lineText`.
  public var excerptIsCut: Bool

  /// Creates a location.
  public init(
    file: String, line: Int, column: Int = 1, lineText: String? = nil, length: Int = 1,
    excerptColumn: Int = 1, excerptIsCut: Bool = false
  ) {
    self.file = file
    self.line = line
    self.column = column
    self.lineText = lineText
    self.length = max(1, length)
    self.excerptColumn = max(1, excerptColumn)
    self.excerptIsCut = excerptIsCut
  }

  /// `file:line:column`, with control characters in the file name shown as escapes (a file
  /// name is user input and must not send escape sequences to a terminal).
  public var description: String { "\(TerminalText.visible(file)):\(line):\(column)" }

  /// By file, then line, then column.
  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
  }
}
