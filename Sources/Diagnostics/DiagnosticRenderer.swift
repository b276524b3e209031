// Renders diagnostics: the short `file:line:col: error: message` form, or the rich form with the
// source line and a caret underline aligned by display width (so Chinese text lines up).

/// Turns ``Diagnostic`` values into text. Messages, notes and help are single lines; control
/// characters in them (from a file name, an argument, a value) are shown as escapes, so a
/// diagnostic can never send escape sequences to the terminal.
public struct DiagnosticRenderer: Sendable {
  /// How much to show.
  public enum Style: Sendable {
    /// One line per diagnostic plus its notes and help.
    case short
    /// The short line, then the source line with a caret underline, then notes and help.
    case rich
  }

  /// The style.
  public var style: Style
  /// Whether to colour severity words and carets with ANSI escapes.
  public var color: Bool

  /// Creates a renderer.
  public init(style: Style = .rich, color: Bool = false) {
    self.style = style
    self.color = color
  }

  /// Lines longer than this many characters are shown as a window around the place.
  static let longLine = 200
  /// Characters shown on each side of the place in a long line.
  static let context = 60

  /// Renders one diagnostic, without a final newline.
  public func render(_ diagnostic: Diagnostic) -> String {
    var lines: [String] = []
    let severityWord = paint(diagnostic.severity.rawValue, diagnostic.severity)
    if let location = diagnostic.location {
      lines.append("\(location): \(severityWord): \(TerminalText.visible(diagnostic.message))")
      if style == .rich, let fullText = location.lineText {
        let number = String(location.line)
        let gutter = String(repeating: " ", count: number.count)
        // A very long line is shown as a window around the place, cut with `…`; a location
        // may hold only an excerpt of it already (see `SourceText.location(of:)`).
        var text = Substring(fullText)
        var column = location.column - (location.excerptColumn - 1)
        var cutStart = location.excerptColumn > 1
        var cutEnd = location.excerptIsCut
        if fullText.count > DiagnosticRenderer.longLine {
          let from = max(0, column - 1 - DiagnosticRenderer.context)
          text = text.dropFirst(from).prefix(2 * DiagnosticRenderer.context + location.length)
          cutStart = cutStart || from > 0
          cutEnd = cutEnd || from + text.count < fullText.count
          column -= from
        }
        if cutStart || cutEnd {
          text = (cutStart ? "…" : "") + text + (cutEnd ? "…" : "")
          column += cutStart ? 1 : 0
        }
        let shown = TerminalText.visible(String(text))
        let prefix = String(text.prefix(max(0, column - 1)))
        let covered = String(text.dropFirst(max(0, column - 1)).prefix(location.length))
        let indent = String(repeating: " ", count: DisplayWidth.of(TerminalText.visible(prefix)))
        let underlineWidth = max(1, DisplayWidth.of(TerminalText.visible(covered)))
        let underline = "^" + String(repeating: "~", count: underlineWidth - 1)
        lines.append(" \(number) | \(shown)")
        lines.append(" \(gutter) | \(indent)\(paint(underline, diagnostic.severity))")
      }
    } else {
      lines.append("\(severityWord): \(TerminalText.visible(diagnostic.message))")
    }
    for note in diagnostic.notes {
      lines.append("  \(paint("note", .note)): \(TerminalText.visible(note))")
    }
    if let help = diagnostic.help {
      lines.append("  help: \(TerminalText.visible(help))")
    }
    return lines.joined(separator: "\n")
  }

  /// Renders several diagnostics, one block each, separated by newlines.
  public func render(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map { render($0) }.joined(separator: "\n")
  }

  private func paint(_ text: String, _ severity: Diagnostic.Severity) -> String {
    guard color else { return text }
    let code: String
    switch severity {
    case .error: code = "1;31"
    case .warning: code = "1;33"
    case .note: code = "1;36"
    }
    return "\u{1B}[\(code)m\(text)\u{1B}[0m"
  }
}
