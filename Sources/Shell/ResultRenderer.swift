// Writes query results as an aligned table (display-width aware), CSV (RFC 4180), TSV (literal
// syntax, readable back), JSON (typed values, readable back) or Markdown.
//
// Answers arrive as rows of ranks (see AnswerRows): each distinct term is formatted once, and
// rows are written as bytes into a buffer that goes out in 64 KB chunks, so printing millions
// of rows costs copying bytes. Tables read only the rows they show; every format checks for
// Ctrl-C and for a failed output every few thousand rows.

import Diagnostics
import KnowledgeGraph

/// The output formats of query results.
enum OutputFormat: String, CaseIterable {
  /// Aligned columns; `box` draws them in a frame, `line` prints one field per line.
  case table, box, line, csv, tsv, json, markdown
}

/// Turns a query result into text.
struct ResultRenderer {
  var format: OutputFormat = .table
  /// The most rows a table shows (nil: all).
  var maxRows: Int?
  /// A label to show beside an entity in tables and Markdown, if any.
  var label: ((String) -> String?)?
  var style = Style(enabled: false)
  /// The widest a table may be, in cells (the terminal's width); wider columns are cut with `…`.
  /// Nil: tables are as wide as their cells (files, pipes).
  var maxWidth: Int?
  /// Whether the column names are printed (tables, CSV and TSV).
  var headers = true
  /// The widest each table column may be, in cells, in column order (`.width`); 0 or missing:
  /// as wide as its cells. Wider cells are cut with `…`, in pipes and files too.
  var columnWidths: [Int] = []
  /// Asked every few thousand rows; true stops the writing (Ctrl-C in the REPL).
  var shouldStop: (() -> Bool)?

  /// How a write ended.
  struct Written {
    /// Rows written.
    var rows: Int
    /// Whether `shouldStop` ended it early.
    var stopped: Bool
  }

  /// The rendered result, ending with a newline.
  func render(_ result: QueryResult) -> String {
    let sink = StringSink()
    write(result, to: sink)
    return sink.text
  }

  /// Writes a result to a sink, streaming its rows.
  @discardableResult
  func write(_ result: QueryResult, to sink: TextSink) -> Written {
    var writer = ByteWriter(sink: sink, shouldStop: shouldStop)
    let written: Written
    switch format {
    case .table: written = table(result, &writer, box: false)
    case .box: written = table(result, &writer, box: true)
    case .line: written = lines(result, &writer)
    case .csv: written = delimited(result, &writer, csv: true)
    case .tsv: written = delimited(result, &writer, csv: false)
    case .json: written = json(result, &writer)
    case .markdown: written = markdown(result, &writer)
    }
    writer.flush()
    return written
  }

  /// A value as shown in tables: literal syntax, with the entity's label beside it (the id
  /// padded to `idWidth` cells, so that labels in a column line up).
  func display(_ value: Value, idWidth: Int = 0) -> String {
    if case .entity(let id) = value, let label, let text = label(id) {
      let shownID = LiteralSyntax.formatEntity(id)
      let padding = max(0, idWidth - DisplayWidth.of(TerminalText.visible(shownID)))
      return shownID + String(repeating: " ", count: padding) + "  " + text
    }
    return LiteralSyntax.format(value)
  }

  /// Each rank's text, formatted once, as bytes.
  private final class Cells {
    private let bytes: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int>

    init(_ values: [Value], _ format: (Value) -> String) {
      var all: [UInt8] = []
      starts = .allocate(capacity: values.count + 1)
      starts[0] = 0
      for (i, value) in values.enumerated() {
        all.append(contentsOf: format(value).utf8)
        starts[i + 1] = all.count
      }
      bytes = .allocate(capacity: max(1, all.count))
      all.withUnsafeBufferPointer { if let base = $0.baseAddress { bytes.update(from: base, count: all.count) } }
    }

    deinit {
      bytes.deallocate()
      starts.deallocate()
    }

    @inline(__always) func write(_ rank: Int32, _ writer: inout ByteWriter) {
      let r = Int(rank)
      writer.append(UnsafeBufferPointer(start: bytes + starts[r], count: starts[r &+ 1] &- starts[r]))
    }
  }

  /// Runs `body` for each row, checking every 4,096 rows whether to stop.
  private func eachRow(_ result: QueryResult, _ writer: inout ByteWriter, limit: Int? = nil, _ body: (UnsafeBufferPointer<Int32>, inout ByteWriter) -> Void) -> Written {
    var rows = 0
    var stopped = false
    result.answer.forEachRow { ranks in
      if let limit, rows >= limit { return false }
      if rows & 0xFFF == 0xFFF, writer.shouldStopNow() {
        stopped = true
        return false
      }
      body(ranks, &writer)
      rows += 1
      return true
    }
    return Written(rows: rows, stopped: stopped)
  }

  private func delimited(_ result: QueryResult, _ writer: inout ByteWriter, csv: Bool) -> Written {
    if result.columns.isEmpty {
      // The same line a script states as its expected result (see ScriptTest).
      writer.append((result.totalRows > 0 ? "true" : "false") + (csv ? "\r\n" : "\n"))
      return Written(rows: 0, stopped: false)
    }
    let separator: UInt8 = csv ? UInt8(ascii: ",") : UInt8(ascii: "\t")
    let lineEnd = csv ? "\r\n" : "\n"
    // TSV is the lines a script states as its expected results (see ScriptTest).
    if headers {
      writer.append((csv ? result.columns.map(ResultRenderer.csvField).joined(separator: ",") : ScriptTest.tsvHeader(result.columns)) + lineEnd)
    }
    let cells = Cells(result.answer.values) { csv ? ResultRenderer.csvField(ResultRenderer.plain($0)) : ScriptTest.tsvCell($0) }
    let end = Array(lineEnd.utf8)
    return eachRow(result, &writer) { ranks, writer in
      for (c, rank) in ranks.enumerated() {
        if c > 0 { writer.append(byte: separator) }
        cells.write(rank, &writer)
      }
      end.withUnsafeBufferPointer { writer.append($0) }
    }
  }

  private func json(_ result: QueryResult, _ writer: inout ByteWriter) -> Written {
    writer.append("{\"columns\":[" + result.columns.map(ResultRenderer.jsonString).joined(separator: ",") + "],\"rows\":[")
    let cells = Cells(result.answer.values, ResultRenderer.jsonValue)
    var first = true
    let written = eachRow(result, &writer) { ranks, writer in
      if !first { writer.append(byte: UInt8(ascii: ",")) }
      writer.append(byte: UInt8(ascii: "["))
      first = false
      for (c, rank) in ranks.enumerated() {
        if c > 0 { writer.append(byte: UInt8(ascii: ",")) }
        cells.write(rank, &writer)
      }
      writer.append(byte: UInt8(ascii: "]"))
    }
    writer.append("]}\n")
    return written
  }

  private func markdown(_ result: QueryResult, _ writer: inout ByteWriter) -> Written {
    func cell(_ text: String) -> String {
      text.replacingAll("\\", with: "\\\\").replacingAll("|", with: "\\|").replacingAll("\r\n", with: "<br>")
        .replacingAll("\n", with: "<br>").replacingAll("\r", with: "<br>")
    }
    writer.append("| " + result.columns.map(cell).joined(separator: " | ") + " |\n")
    writer.append("|" + result.columns.map { _ in "---|" }.joined() + "\n")
    let cells = Cells(result.answer.values) { cell(display($0)) }
    let plain = Cells(result.answer.values) { cell(LiteralSyntax.format($0)) }
    let labelled = labelledColumns(result.answer, arity: result.columns.count, limit: nil)
    return eachRow(result, &writer) { ranks, writer in
      writer.append("| ")
      for (c, rank) in ranks.enumerated() {
        if c > 0 { writer.append(" | ") }
        (labelled[c] ? cells : plain).write(rank, &writer)
      }
      writer.append(" |\n")
    }
  }

  /// One field per line, `name = value`, names right-aligned, a blank line between rows (for
  /// narrow screens and wide values).
  private func lines(_ result: QueryResult, _ writer: inout ByteWriter) -> Written {
    if result.columns.isEmpty {
      writer.append(result.totalRows > 0 ? "true\n" : "false\n")
      return Written(rows: 0, stopped: false)
    }
    let names = result.columns.map { TerminalText.visible($0) }
    let width = names.map { DisplayWidth.of($0) }.max() ?? 0
    let prefixes = names.map { String(repeating: " ", count: width - DisplayWidth.of($0)) + $0 + " = " }
    let cells = Cells(result.answer.values) { TerminalText.visible(display($0)) }
    let plain = Cells(result.answer.values) { TerminalText.visible(LiteralSyntax.format($0)) }
    let labelled = labelledColumns(result.answer, arity: result.columns.count, limit: maxRows)
    var first = true
    let written = eachRow(result, &writer, limit: maxRows) { ranks, writer in
      if !first { writer.append(byte: UInt8(ascii: "\n")) }
      first = false
      for (c, rank) in ranks.enumerated() {
        writer.append(style.bold(prefixes[c]))
        (labelled[c] ? cells : plain).write(rank, &writer)
        writer.append(byte: UInt8(ascii: "\n"))
      }
    }
    if written.stopped { return written }
    let total = result.totalRows
    writer.append(style.dim("\n(\(Format.count(total)) row\(total == 1 ? "" : "s")" + (written.rows < total ? "; showing the first \(written.rows)" : "") + ")") + "\n")
    return written
  }

  /// Which columns show labels beside their entities. Labels are shown once: an entity column
  /// whose label another column already holds, row by row (`?- type(X, bank), label(X, L).`),
  /// shows ids only.
  private func labelledColumns(_ answer: AnswerRows, arity: Int, limit: Int?) -> [Bool] {
    guard let label else { return [Bool](repeating: false, count: arity) }
    var sameText = [[Bool]](repeating: [Bool](repeating: true, count: arity), count: arity)
    var labelRows = [Int](repeating: 0, count: arity)
    // Each distinct term's label is looked up once, not once per cell.
    var labels = [String??](repeating: nil, count: answer.values.count)
    func labelOf(_ r: Int) -> String? {
      if let known = labels[r] { return known }
      var text: String?
      if case .entity(let id) = answer.values[r] { text = label(id) }
      labels[r] = .some(text)
      return text
    }
    var seen = 0
    answer.forEachRow { ranks in
      if let limit, seen >= limit { return false }
      seen += 1
      for (c, rank) in ranks.enumerated() {
        guard let text = labelOf(Int(rank)) else { continue }
        labelRows[c] += 1
        for (d, other) in ranks.enumerated() where d != c && sameText[c][d] {
          if case .string(let s, _) = answer.values[Int(other)], s == text { continue }
          sameText[c][d] = false
        }
      }
      return true
    }
    return (0..<arity).map { c in labelRows[c] > 0 && !(0..<arity).contains { d in d != c && sameText[c][d] } }
  }

  private func table(_ result: QueryResult, _ writer: inout ByteWriter, box: Bool) -> Written {
    if result.columns.isEmpty {
      writer.append(result.totalRows > 0 ? "true\n" : "false\n")
      return Written(rows: 0, stopped: false)
    }
    let answer = result.answer
    let shownCount = maxRows.map { min($0, answer.count) } ?? answer.count
    let arity = result.columns.count
    // Per rank, only for the ranks the shown rows use: the visible literal, its width, and the
    // label with its width when the term is an entity that has one.
    var literal = [String?](repeating: nil, count: answer.values.count)
    var literalWidth = [Int](repeating: 0, count: answer.values.count)
    var labelText = [String?](repeating: nil, count: answer.values.count)
    var labelWidth = [Int](repeating: 0, count: answer.values.count)
    var idWidths = [Int](repeating: 0, count: arity)
    var seen = 0
    var stopped = false
    answer.forEachRow { ranks in
      if seen >= shownCount { return false }
      if seen & 0xFFF == 0xFFF, writer.shouldStopNow() {
        stopped = true
        return false
      }
      for (c, rank) in ranks.enumerated() {
        let r = Int(rank)
        if literal[r] == nil {
          let value = answer.values[r]
          if case .entity(let id) = value, let label, let text = label(id) {
            let shownID = TerminalText.visible(LiteralSyntax.formatEntity(id))
            literal[r] = shownID
            literalWidth[r] = DisplayWidth.of(shownID)
            let visibleLabel = TerminalText.visible(text)
            labelText[r] = visibleLabel
            labelWidth[r] = DisplayWidth.of(visibleLabel)
          } else {
            let shown = TerminalText.visible(LiteralSyntax.format(value))
            literal[r] = shown
            literalWidth[r] = DisplayWidth.of(shown)
          }
        }
        if labelText[r] != nil { idWidths[c] = max(idWidths[c], literalWidth[r]) }
      }
      seen += 1
      return true
    }
    if stopped { return Written(rows: 0, stopped: true) }
    let labelled = labelledColumns(answer, arity: arity, limit: shownCount)
    // Column widths: the header, and each shown cell (a labelled entity takes the column's id
    // width, two spaces and its label).
    var widths = result.columns.map { DisplayWidth.of(TerminalText.visible($0)) }
    seen = 0
    answer.forEachRow { ranks in
      if seen >= shownCount { return false }
      for (c, rank) in ranks.enumerated() {
        let r = Int(rank)
        let width = labelText[r] != nil && labelled[c] ? idWidths[c] + 2 + labelWidth[r] : literalWidth[r]
        if width > widths[c] { widths[c] = width }
      }
      seen += 1
      return true
    }
    let gap = "  "
    // Fitting the terminal: the widest column gives up a cell at a time (none below 4 cells)
    // until the row fits; cells wider than their column are cut with `…` at display width.
    let natural = widths
    for (c, limit) in columnWidths.prefix(arity).enumerated() where limit > 0 {
      widths[c] = min(widths[c], max(limit, 1))
    }
    if let maxWidth {
      var total = widths.reduce(0, +) + (box ? 3 * arity + 1 : gap.count * (arity - 1))
      while total > maxWidth, let c = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[c] > 4 {
        widths[c] -= 1
        total -= 1
      }
    }
    let fitted = widths != natural
    func fit(_ text: String, _ c: Int) -> String {
      fitted && DisplayWidth.of(text) > widths[c] ? DisplayWidth.clip(text, toWidth: widths[c]) : text
    }
    func padded(_ text: String, _ width: Int, last: Bool) -> String {
      last ? text : text + String(repeating: " ", count: max(0, width - DisplayWidth.of(text)))
    }
    // A frame's rules: ┌─┬─┐, ├─┼─┤, └─┴─┘.
    func rule(_ left: String, _ middle: String, _ right: String) -> String {
      left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: middle) + right + "\n"
    }
    if box { writer.append(rule("┌", "┬", "┐")) }
    if headers {
      var header = box ? "│ " : ""
      for (c, name) in result.columns.enumerated() {
        if c > 0 { header += box ? " │ " : gap }
        header += style.bold(padded(fit(TerminalText.visible(name), c), widths[c], last: !box && c == arity - 1))
      }
      if box {
        header += " │"
      } else {
        while header.last == " " { header.removeLast() }
      }
      writer.append(header + "\n")
      writer.append(box ? rule("├", "┼", "┤") : widths.map { String(repeating: "-", count: $0) }.joined(separator: gap) + "\n")
    }
    let written = eachRow(result, &writer, limit: shownCount) { ranks, writer in
      var line = box ? "│ " : ""
      for (c, rank) in ranks.enumerated() {
        let r = Int(rank)
        if c > 0 { line += box ? " │ " : gap }
        let isLast = !box && c == arity - 1
        let shown = literal[r] ?? ""
        var width = literalWidth[r]
        var text = shown
        if let label = labelText[r], labelled[c] {
          text += String(repeating: " ", count: max(0, idWidths[c] - literalWidth[r])) + "  " + label
          width = idWidths[c] + 2 + labelWidth[r]
        }
        if fitted, width > widths[c] {
          text = DisplayWidth.clip(text, toWidth: widths[c])
          width = DisplayWidth.of(text)
        }
        line += text
        if !isLast { line += String(repeating: " ", count: max(0, widths[c] - width)) }
      }
      if box {
        line += " │"
      } else {
        while line.last == " " { line.removeLast() }
      }
      writer.append(line)
      writer.append(byte: UInt8(ascii: "\n"))
    }
    if written.stopped { return written }
    if box { writer.append(rule("└", "┴", "┘")) }
    let total = result.totalRows
    var footer = "(\(Format.count(total)) row\(total == 1 ? "" : "s"))"
    if shownCount < answer.count {
      footer = "(\(Format.count(total)) rows; showing the first \(shownCount): use .maxrows N or another format to see more)"
    } else if answer.count < total {
      footer = "(\(Format.count(answer.count)) of \(Format.count(total)) rows: limit \(answer.count))"
    }
    writer.append(style.dim(footer) + "\n")
    return written
  }

  /// Plain text of a value for CSV.
  static func plain(_ value: Value) -> String {
    switch value {
    case .entity(let id): id
    case .string(let s, _): s
    case .integer(let i): String(i)
    case .decimal(let d): d.description
    case .boolean(let b): b ? "true" : "false"
    case .date(let d): d.isoText
    }
  }

  static func csvField(_ text: String) -> String {
    let needsQuotes = text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
      || text.hasPrefix(" ") || text.hasSuffix(" ")
    guard needsQuotes else { return text }
    return "\"" + text.replacingAll("\"", with: "\"\"") + "\""
  }

  /// A JSON string literal.
  static func jsonString(_ text: String) -> String {
    LiteralSyntax.quote(text, with: "\"", uppercaseHex: false) { $0 < 0x20 || $0 == 0x2028 || $0 == 0x2029 || $0 == 0x7F }
  }

  /// A value as JSON: strings and numbers as themselves, the other kinds as one-key objects.
  static func jsonValue(_ value: Value) -> String {
    switch value {
    case .entity(let id): return "{\"entity\":\(jsonString(id))}"
    case .string(let s, nil): return jsonString(s)
    case .string(let s, let lang?): return "{\"string\":\(jsonString(s)),\"lang\":\(jsonString(lang))}"
    case .integer(let i): return String(i)
    case .decimal(let d): return d.description
    case .boolean(let b): return b ? "true" : "false"
    case .date(let d): return "{\"date\":\(jsonString(d.isoText))}"
    }
  }
}

/// Bytes on their way to a sink, 64 KB at a time.
struct ByteWriter {
  let sink: TextSink
  let shouldStop: (() -> Bool)?
  private let storage: Storage
  private static let chunk = 1 << 16

  /// The buffer, freed with the writer.
  private final class Storage {
    let base = UnsafeMutablePointer<UInt8>.allocate(capacity: ByteWriter.chunk)
    var used = 0
    deinit { base.deallocate() }
  }

  init(sink: TextSink, shouldStop: (() -> Bool)?) {
    self.sink = sink
    self.shouldStop = shouldStop
    storage = Storage()
  }

  /// Whether to stop: asked to, or the output failed (nothing more can be written).
  func shouldStopNow() -> Bool {
    sink.failure != nil || shouldStop?() == true
  }

  @inline(__always) mutating func append(byte: UInt8) {
    if storage.used == ByteWriter.chunk { flush() }
    storage.base[storage.used] = byte
    storage.used &+= 1
  }

  @inline(__always) mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let start = bytes.baseAddress else { return }
    if storage.used &+ bytes.count > ByteWriter.chunk {
      flush()
      if bytes.count > ByteWriter.chunk {
        sink.write(bytes: bytes)
        return
      }
    }
    (storage.base + storage.used).update(from: start, count: bytes.count)
    storage.used &+= bytes.count
  }

  mutating func append(_ text: String) {
    var text = text
    text.withUTF8 { append($0) }
  }

  mutating func flush() {
    guard storage.used > 0 else { return }
    sink.write(bytes: UnsafeBufferPointer(start: storage.base, count: storage.used))
    storage.used = 0
  }
}
