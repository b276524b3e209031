// Constant patterns of `matches` are parsed when the program is checked, so a broken pattern is
// refused before evaluation starts, with a caret on the offending part inside the string.

import Diagnostics
import GraphModel

extension ProgramChecker {
  /// The error for a constant pattern argument that does not parse; nil when it does (or when
  /// the constant has no text, which makes the test false rather than wrong).
  static func patternDiagnostic(_ value: Value, at span: SourceSpan, in source: SourceText) -> Diagnostic? {
    let pattern: String
    switch value {
    case .string(let s, _): pattern = s
    case .entity(let e): pattern = e
    default: return nil
    }
    do throws(RegexPattern.SyntaxError) {
      _ = try RegexPattern(pattern)
      return nil
    } catch {
      let inside = sourceSpan(ofValueBytes: error.range, in: span, of: source, valueLength: pattern.utf8.count) ?? span
      return .error(
        code: "invalid-regex", "invalid regular expression `\(RegexPattern.shown(pattern))`: \(error.message)",
        in: source, at: inside, help: error.help)
    }
  }

  /// Where bytes of a literal's value are in the source: the literal's escapes (`\\`, `\"`,
  /// `\u00E9`) take more source bytes than value bytes. Nil when the literal's text does not
  /// spell the value (a `$parameter`, for instance). An empty range at the end of the value is
  /// the closing quote.
  static func sourceSpan(ofValueBytes range: Range<Int>, in span: SourceSpan, of source: SourceText, valueLength: Int) -> SourceSpan? {
    let bytes = source.utf8
    guard span.start < span.end, span.end <= bytes.count else { return nil }
    let quote = bytes[span.start]
    guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
      // An identifier: its bytes are the value's.
      guard span.end - span.start == valueLength else { return nil }
      return SourceSpan(start: span.start + range.lowerBound, end: span.start + max(range.upperBound, range.lowerBound + 1))
    }
    // For each value byte, the source bytes that produced it.
    var starts: [Int] = []
    var ends: [Int] = []
    var i = span.start + 1
    while i < span.end, bytes[i] != quote {
      var length = 1
      var produced = 1
      if bytes[i] == UInt8(ascii: "\\"), i + 1 < span.end {
        switch bytes[i + 1] {
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
          length = bytes[i + 1] == UInt8(ascii: "u") ? 6 : 10
          let hex = i + 2 < span.end ? String(decoding: bytes[(i + 2)..<min(i + length, span.end)], as: UTF8.self) : ""
          guard let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else { return nil }
          produced = UTF8.width(scalar)
        default:
          length = 2
        }
      }
      for _ in 0..<produced {
        starts.append(i)
        ends.append(i + length)
      }
      i += length
    }
    guard i < span.end, starts.count == valueLength else { return nil }
    if range.lowerBound >= starts.count { return SourceSpan(start: i, end: i + 1) }
    let last = max(range.lowerBound, min(range.upperBound, starts.count) - 1)
    return SourceSpan(start: starts[range.lowerBound], end: ends[last])
  }
}
