// Output stays correct for values holding separators, quotes, line breaks, tabs and control
// characters: TSV and JSON read back to the same values, N-Triples export imports back to the
// same store, CSV parses back to the same fields, and tables show control characters visibly.
// Also the resource guardrails: a cartesian product stops with a clear message and bounded
// memory, in the CLI and the REPL.

import Foundation
import KnowledgeGraph
import Testing
import TestSupport

/// Facts whose values are awkward for every output format.
private let nastyFacts = #"""
  note(a, "tab\there").
  note(b, "line one\nline two").
  note(c, "quote \" comma , semicolon ; pipe | backslash \\").
  note(d, "control \u0001 and \u007F and \u001B[31m").
  note(e, "汉字\r\n后").
  note(f, " leading and trailing ").
  note('odd id\twith "tab"', "x").
  label(a, "甲, \"乙\""@zh).
  amount(g, 1.50).
  amount(h, -42).
  year(h, @2024-04).
  flag(i, true).
  link(a, 'odd id\twith "tab"').
  """#

private func nastyStore(_ dir: TemporaryDirectory) -> String {
  let g = dir.file("g")
  _ = xinzhi(["init", g])
  let result = xinzhi(["--store", g, "assert", "-"], input: nastyFacts)
  #expect(result.status == 0, "\(result.stderr)")
  return g
}

/// RFC 4180: fields separated by commas, quoted when they hold commas, quotes or line breaks.
private func parseCSV(_ text: String) -> [[String]] {
  var rows: [[String]] = []
  var row: [String] = []
  var field = ""
  var quoted = false
  var chars = Array(text)
  chars.append("\n")
  var i = 0
  while i < chars.count - 1 || (i == chars.count - 1 && !row.isEmpty) {
    let c = chars[i]
    if quoted {
      if c == "\"" {
        if i + 1 < chars.count, chars[i + 1] == "\"" {
          field.append("\"")
          i += 1
        } else {
          quoted = false
        }
      } else {
        field.append(c)
      }
    } else if c == "\"" {
      quoted = true
    } else if c == "," {
      row.append(field)
      field = ""
    } else if c == "\r\n" || c == "\n" {
      row.append(field)
      rows.append(row)
      row = []
      field = ""
    } else {
      field.append(c)
    }
    i += 1
  }
  return rows
}

@Suite struct OutputEscapingTests {
  static let query = "?- triple(S, P, O)."

  @Test func tsvReadsBackToTheSameValues() throws {
    let dir = TemporaryDirectory()
    let g = nastyStore(dir)
    let tsv = xinzhi(["--store", g, "query", OutputEscapingTests.query, "--format", "tsv"]).stdout
    let json = xinzhi(["--store", g, "query", OutputEscapingTests.query, "--format", "json"]).stdout
    let lines = tsv.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
    #expect(lines.first == "S\tP\tO")
    let store = try GraphStore.open(at: g)
    var read: [Triple] = []
    for line in lines.dropFirst() {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      try #require(fields.count == 3, "line \(line)")
      let values = try fields.map { try #require(LiteralSyntax.parseValue($0), "field \($0)") }
      read.append(Triple(values[0].entityID ?? "?", values[1].entityID ?? "?", values[2]))
    }
    #expect(read.map(\.description).sorted() == store.triples().map(\.description).sorted())
    #expect(!json.isEmpty)
  }

  @Test func jsonParsesToTheSameValues() throws {
    let dir = TemporaryDirectory()
    let g = nastyStore(dir)
    let json = xinzhi(["--store", g, "query", "?- note(S, O).", "--format", "json"]).stdout
    let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(parsed["columns"] as? [String] == ["S", "O"])
    let rows = try #require(parsed["rows"] as? [[Any]])
    let store = try GraphStore.open(at: g)
    let expected = store.triples(predicate: "note").map { ($0.subject, $0.object) }
    #expect(rows.count == expected.count)
    var texts: [String: String] = [:]
    for row in rows {
      let subject = try #require((row[0] as? [String: String])?["entity"])
      texts[subject] = try #require(row[1] as? String)
    }
    for (subject, object) in expected {
      guard case .string(let text, nil) = object else { continue }
      #expect(texts[subject] == text, "\(subject)")
    }
    let typed = xinzhi(["--store", g, "query", "?- amount(X, A), X = g.", "--format", "json"]).stdout
    #expect(typed == #"{"columns":["X","A"],"rows":[[{"entity":"g"},1.5]]}"# + "\n")
    let tagged = xinzhi(["--store", g, "query", "?- label(a, L).", "--format", "json"]).stdout
    #expect(tagged == #"{"columns":["L"],"rows":[[{"string":"甲, \"乙\"","lang":"zh"}]]}"# + "\n")
  }

  @Test func csvFieldsParseBackAndTablesShowControlsVisibly() throws {
    let dir = TemporaryDirectory()
    let g = nastyStore(dir)
    let csv = xinzhi(["--store", g, "query", "?- note(S, O).", "--format", "csv"]).stdout
    let rows = parseCSV(csv)
    #expect(rows.first == ["S", "O"])
    let store = try GraphStore.open(at: g)
    var expected: [[String]] = []
    for t in store.triples(predicate: "note") {
      if case .string(let text, _) = t.object { expected.append([t.subject, text]) }
    }
    #expect(Array(rows.dropFirst()).sorted { $0.joined(separator: "\u{0}") < $1.joined(separator: "\u{0}") }
      == expected.sorted { $0.joined(separator: "\u{0}") < $1.joined(separator: "\u{0}") })
    let table = xinzhi(["--store", g, "query", "?- note(S, O)."]).stdout
    #expect(!table.contains("\u{1B}") && !table.contains("\t") && !table.contains("\u{1}"))
    #expect(table.contains(#""control \u{1} and \u{7F} and \u{1B}[31m""#) || table.contains(#"\u0001"#))
    // One line per row: header, rule, 7 rows, footer.
    #expect(table.split(separator: "\n").count == 10)
  }

  @Test func nTriplesExportImportsBackToTheSameStore() throws {
    let dir = TemporaryDirectory()
    let g = nastyStore(dir)
    let nt = dir.file("all.nt")
    #expect(xinzhi(["--store", g, "export", "--format", "nt", "-o", nt]).status == 0)
    let copy = dir.file("copy")
    _ = xinzhi(["init", copy])
    let imported = xinzhi(["--store", copy, "import", nt])
    #expect(imported.status == 0, "\(imported.stderr)")
    // The same triples (export order follows each store's own term numbering).
    func sortedLines(_ text: String) -> [Substring] { text.split(separator: "\n").sorted() }
    let original = sortedLines(xinzhi(["--store", g, "export"]).stdout)
    let back = sortedLines(xinzhi(["--store", copy, "export"]).stdout)
    #expect(back == original)
    #expect(original.count == 13)
    // And TSV export imports back too.
    let tsv = dir.file("all.tsv")
    #expect(xinzhi(["--store", g, "export", "-o", tsv]).status == 0)
    let copy2 = dir.file("copy2")
    _ = xinzhi(["init", copy2])
    #expect(xinzhi(["--store", copy2, "import", tsv]).status == 0)
    #expect(sortedLines(xinzhi(["--store", copy2, "export"]).stdout) == original)
  }
}

@Suite struct GuardrailTests {
  @Test func theDefaultsLimitEveryQuery() {
    #expect(EvaluationLimits.defaults.timeout == 60)
    #expect(EvaluationLimits.defaults.maxDerivedFacts == 20_000_000)
  }

  @Test func aCartesianProductOverTheShippedGraphStopsWithBoundedMemory() {
    let explode = "?- label(A, X), label(B, Y), label(C, Z)."
    for arguments in [["query", explode, "--max-facts", "2000000"], ["repl", "--max-facts", "2000000"]] {
      let result = xinzhi(["--store", "graph"] + arguments, input: arguments[0] == "repl" ? explode + "\n" : nil, measureMemory: true)
      #expect(result.status == 65)
      #expect(result.stderr.contains("stopped after deriving more than 2000000 facts; `?-` was growing"))
      #expect(result.stderr.contains("a missing join condition makes a cartesian product"))
      // 2,000,000 facts of 6 columns, plus the graph: well under 600 MB.
      #expect(result.maxResidentKilobytes > 0 && result.maxResidentKilobytes < 600_000, "\(result.maxResidentKilobytes) KB")
    }
    let timed = xinzhi(["--store", "graph", "query", explode, "--timeout", "0.5"])
    #expect(timed.status == 65)
    #expect(timed.stderr.contains("stopped after 0.5 s (the time limit)"))
  }
}
