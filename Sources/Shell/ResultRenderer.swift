// Renders query results as an aligned table (display-width aware), CSV (RFC 4180), TSV (literal
// syntax, readable back), JSON (typed values, readable back) or Markdown.

import Diagnostics
import KnowledgeGraph

/// The output formats of query results.
enum OutputFormat: String, CaseIterable {
  case table, csv, tsv, json, markdown
}

/// Turns a query result into text.
struct ResultRenderer {
  var format: OutputFormat = .table
  /// The most rows a table shows (nil: all).
  var maxRows: Int?
  /// A label to show beside an entity in tables and Markdown, if any.
  var label: ((String) -> String?)?
  var style = Style(enabled: false)

  /// The rendered result, ending with a newline.
  func render(_ result: QueryResult) -> String {
    switch format {
    case .table: return table(result)
    case .csv: return csv(result)
    case .tsv: return tsv(result)
    case .json: return json(result) + "\n"
    case .markdown: return markdown(result)
    }
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

  private func table(_ result: QueryResult) -> String {
    if result.columns.isEmpty {
      return result.totalRows > 0 ? "true\n" : "false\n"
    }
    let shown = maxRows.map { Array(result.rows.prefix($0)) } ?? result.rows
    // Labels line up: in each column, ids with a label are padded to the widest such id.
    var idWidths = [Int](repeating: 0, count: result.columns.count)
    if let label {
      for row in shown {
        for (i, value) in row.enumerated() where i < idWidths.count {
          if case .entity(let id) = value, label(id) != nil {
            idWidths[i] = max(idWidths[i], DisplayWidth.of(TerminalText.visible(LiteralSyntax.formatEntity(id))))
          }
        }
      }
    }
    var t = TextTable(headers: result.columns)
    for row in shown {
      t.add(row.enumerated().map { i, value in display(value, idWidth: i < idWidths.count ? idWidths[i] : 0) })
    }
    var lines = t.render(style: style)
    let total = result.totalRows
    var footer = "(\(Format.count(total)) row\(total == 1 ? "" : "s"))"
    if shown.count < result.rows.count {
      footer = "(\(Format.count(total)) rows; showing the first \(shown.count): use .maxrows N or another format to see more)"
    } else if result.rows.count < total {
      footer = "(\(Format.count(result.rows.count)) of \(Format.count(total)) rows: limit \(result.rows.count))"
    }
    lines.append(style.dim(footer))
    return lines.joined(separator: "\n") + "\n"
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

  private func csv(_ result: QueryResult) -> String {
    var out = result.columns.map(ResultRenderer.csvField).joined(separator: ",") + "\r\n"
    for row in result.rows {
      out += row.map { ResultRenderer.csvField(ResultRenderer.plain($0)) }.joined(separator: ",") + "\r\n"
    }
    return out
  }

  private func tsv(_ result: QueryResult) -> String {
    // The same lines a script states as its expected results (see ScriptTest).
    ScriptTest.tsvLines(result).map { $0 + "\n" }.joined()
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

  private func json(_ result: QueryResult) -> String {
    let columns = result.columns.map(ResultRenderer.jsonString).joined(separator: ",")
    let rows = result.rows.map { "[" + $0.map(ResultRenderer.jsonValue).joined(separator: ",") + "]" }
    return "{\"columns\":[\(columns)],\"rows\":[" + rows.joined(separator: ",") + "]}"
  }

  private func markdown(_ result: QueryResult) -> String {
    func cell(_ text: String) -> String {
      text.replacingAll("\\", with: "\\\\").replacingAll("|", with: "\\|").replacingAll("\r\n", with: "<br>")
        .replacingAll("\n", with: "<br>").replacingAll("\r", with: "<br>")
    }
    var out = "| " + result.columns.map(cell).joined(separator: " | ") + " |\n"
    out += "|" + result.columns.map { _ in "---|" }.joined() + "\n"
    for row in result.rows {
      out += "| " + row.map { cell(display($0)) }.joined(separator: " | ") + " |\n"
    }
    return out
  }
}

extension String {
  /// Replaces every occurrence of a substring (no Foundation).
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty, contains(target) else { return self }
    var result = ""
    var rest = self[...]
    while let range = rest.range(ofExact: target) {
      result += rest[..<range.lowerBound]
      result += replacement
      rest = rest[range.upperBound...]
    }
    return result + rest
  }
}

extension Substring {
  func range(ofExact target: String) -> Range<Index>? {
    var start = startIndex
    while start < endIndex {
      if self[start...].hasPrefix(target) {
        return start..<index(start, offsetBy: target.count)
      }
      start = index(after: start)
    }
    return nil
  }
}
