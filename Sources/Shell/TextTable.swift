// Aligned text tables: columns padded by display width, so Chinese text (two cells per
// character) lines up with ASCII; numbers can be right-aligned.

import Diagnostics

/// A table rendered as aligned columns of text.
struct TextTable {
  /// Column alignment.
  enum Alignment { case left, right }

  var headers: [String]
  var alignments: [Alignment]
  var rows: [[String]] = []
  /// Spaces between columns.
  var gap = 2

  init(headers: [String], alignments: [Alignment]? = nil) {
    self.headers = headers
    self.alignments = alignments ?? Array(repeating: .left, count: headers.count)
  }

  mutating func add(_ row: [String]) {
    rows.append(row)
  }

  /// The rendered lines, header first, then a rule of dashes when `rule` is true.
  func render(rule: Bool = true, style: Style = Style(enabled: false)) -> [String] {
    let cells = ([headers] + rows).map { $0.map { TerminalText.visible($0) } }
    var widths = [Int](repeating: 0, count: headers.count)
    for row in cells {
      for (i, cell) in row.enumerated() where i < widths.count {
        widths[i] = max(widths[i], DisplayWidth.of(cell))
      }
    }
    func line(_ row: [String], bold: Bool) -> String {
      var parts: [String] = []
      for (i, cell) in row.enumerated() where i < widths.count {
        let padding = String(repeating: " ", count: widths[i] - DisplayWidth.of(cell))
        let isLast = i == row.count - 1
        let text: String
        if alignments[i] == .right {
          text = padding + cell
        } else {
          text = isLast ? cell : cell + padding
        }
        parts.append(bold ? style.bold(text) : text)
      }
      var text = parts.joined(separator: String(repeating: " ", count: gap))
      while text.last == " " { text.removeLast() }
      return text
    }
    var lines = [line(cells[0], bold: true)]
    if rule {
      lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: String(repeating: " ", count: gap)))
    }
    for row in cells.dropFirst() { lines.append(line(row, bold: false)) }
    return lines
  }
}

/// Number and size formatting for human-readable output.
enum Format {
  /// `1234567` as `1,234,567`.
  static func count(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0, (digits.count - i) % 3 == 0 { out += "," }
      out.append(c)
    }
    return (n < 0 ? "-" : "") + out
  }

  /// Bytes as `512 B`, `1.2 KB`, `3.4 MB`, `1.1 GB`.
  static func bytes(_ n: Int) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(n)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return unit == 0 ? "\(n) B" : fixed(value, 1) + " " + units[unit]
  }

  /// Seconds as `850 µs`, `12.3 ms` or `1.25 s`.
  static func duration(_ seconds: Double) -> String {
    if seconds < 0.001 { return fixed(seconds * 1e6, 0) + " µs" }
    if seconds < 1 { return fixed(seconds * 1e3, 1) + " ms" }
    return fixed(seconds, 2) + " s"
  }

  /// A number with a fixed count of decimals, without Foundation.
  static func fixed(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    let whole = Int(rounded)
    if decimals == 0 { return String(whole) }
    var fraction = Int(((abs(rounded) - Double(abs(whole))) * scale).rounded())
    if fraction >= Int(scale) { fraction = Int(scale) - 1 }
    let text = String(fraction)
    let sign = rounded < 0 && whole == 0 ? "-" : ""
    return sign + String(whole) + "." + String(repeating: "0", count: decimals - text.count) + text
  }
}
