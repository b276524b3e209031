// Keeps a piece of input text (a file, a query, a REPL line) in memory so that every later stage
// can turn a UTF-8 byte span into a 1-based line and column, and draw a caret under it.

/// A named piece of input text with precomputed line starts.
///
/// Spans point into ``utf8`` by byte offset; ``location(of:)`` derives the line and column only
/// when a diagnostic is rendered. REPL input gets a name such as `<repl:3>` so that it renders
/// exactly like a file.
public struct SourceText: Sendable {
  /// The file path or pseudo-name (`<query>`, `<repl:3>`) shown in diagnostics.
  public let name: String
  /// The text itself.
  public let text: String
  /// The text as UTF-8 bytes; spans are offsets into this array.
  public let utf8: [UInt8]
  /// The byte offset at which each line starts; `lineStarts[0] == 0`.
  public let lineStarts: [Int]
  /// The line number of the first line (1 for a file; larger when the text is a fragment).
  public let firstLine: Int

  /// Creates a source text.
  ///
  /// - Parameters:
  ///   - name: The path or pseudo-name used in diagnostics.
  ///   - text: The input.
  ///   - firstLine: The number of the first line, for fragments cut out of a larger file.
  public init(name: String, text: String, firstLine: Int = 1) {
    self.name = name
    self.text = text
    self.firstLine = firstLine
    let bytes = Array(text.utf8)
    self.utf8 = bytes
    var starts = [0]
    bytes.withUnsafeBufferPointer { buffer in
      for offset in buffer.indices where buffer[offset] == UInt8(ascii: "\n") {
        starts.append(offset + 1)
      }
    }
    self.lineStarts = starts
  }

  /// The 0-based index of the line holding a byte offset.
  ///
  /// - Complexity: O(log n) in the number of lines.
  public func lineIndex(ofOffset offset: Int) -> Int {
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
    }
    return low
  }

  /// The span of a whole line (numbered as in diagnostics, from `firstLine`), without its line
  /// break; an empty span at the end of the text when there is no such line.
  public func lineSpan(_ line: Int) -> SourceSpan {
    let index = line - firstLine
    guard index >= 0, index < lineStarts.count else { return SourceSpan(start: utf8.count, end: utf8.count) }
    let start = lineStarts[index]
    var end = index + 1 < lineStarts.count ? lineStarts[index + 1] : utf8.count
    while end > start, utf8[end - 1] == UInt8(ascii: "\n") || utf8[end - 1] == UInt8(ascii: "\r") {
      end -= 1
    }
    return SourceSpan(start: start, end: end)
  }

  /// The text of a 0-based line, without its line break.
  public func lineText(index: Int) -> String {
    guard index >= 0, index < lineStarts.count else { return "" }
    let start = lineStarts[index]
    var end = index + 1 < lineStarts.count ? lineStarts[index + 1] : utf8.count
    while end > start, utf8[end - 1] == UInt8(ascii: "\n") || utf8[end - 1] == UInt8(ascii: "\r") {
      end -= 1
    }
    return String(decoding: utf8[start..<end], as: UTF8.self)
  }

  /// The location of a span: file, 1-based line and column (in characters), the line's text and
  /// the span's width in characters on that line (at least 1).
  ///
  /// A line longer than ``DiagnosticRenderer/longLine`` characters is kept only as an excerpt
  /// around the span (the renderer shows no more), so a location costs little memory however
  /// long its line is.
  public func location(of span: SourceSpan) -> SourceLocation {
    let clampedStart = min(max(span.start, 0), utf8.count)
    let index = lineIndex(ofOffset: clampedStart)
    let lineStart = lineStarts[index]
    let lineEnd = lineSpan(firstLine + index).end
    let column = String(decoding: utf8[lineStart..<clampedStart], as: UTF8.self).count + 1
    let clampedEnd = min(max(span.end, clampedStart), lineEnd)
    let length = max(1, String(decoding: utf8[clampedStart..<max(clampedStart, clampedEnd)], as: UTF8.self).count)
    var location = SourceLocation(file: name, line: firstLine + index, column: column, length: length)
    // Characters never outnumber bytes: a short line in bytes is short in characters.
    let line = String(decoding: utf8[lineStart..<lineEnd], as: UTF8.self)
    let total = lineEnd - lineStart <= DiagnosticRenderer.longLine ? 0 : line.count
    if total <= DiagnosticRenderer.longLine {
      location.lineText = line
      return location
    }
    let from = max(0, column - 1 - DiagnosticRenderer.context)
    let upTo = min(total, column - 1 + min(length, DiagnosticRenderer.longLine) + DiagnosticRenderer.context)
    location.lineText = String(line.dropFirst(from).prefix(upTo - from))
    location.excerptColumn = from + 1
    location.excerptIsCut = upTo < total
    return location
  }

  /// The text covered by a span.
  public func slice(_ span: SourceSpan) -> String {
    let start = min(max(span.start, 0), utf8.count)
    let end = min(max(span.end, start), utf8.count)
    return String(decoding: utf8[start..<end], as: UTF8.self)
  }
}
