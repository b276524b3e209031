// Every example in README.md, Documentation/QueryLanguage.md and Documentation/Repl.md is run
// (issue 15): the programs on the shipped graph, the shell blocks as shell scripts, the
// transcripts (`$ xinzhi ...` and REPL sessions) compared line by line with what the command
// prints now, the error messages with the real ones, and the plans and derivations with their
// golden files. A fenced block of a kind this test does not know fails it, so a new example
// cannot go unchecked.

import Foundation
import Platform
import TestSupport
import Testing

/// One fenced block of a document.
private struct Block: CustomStringConvertible {
  var file: String
  var line: Int
  var language: String
  var lines: [String]

  var description: String { "\(file):\(line) (```\(language))" }

  static func all(in file: String) -> [Block] {
    guard let bytes = readFile(ShippedGraphTests.root + "/" + file) else { return [] }
    var blocks: [Block] = []
    var current: Block?
    for (k, line) in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n").enumerated() {
      if line.hasPrefix("```") {
        if let block = current {
          blocks.append(block)
          current = nil
        } else {
          current = Block(file: file, line: k + 1, language: String(line.dropFirst(3)), lines: [])
        }
      } else {
        current?.lines.append(line)
      }
    }
    return blocks
  }
}

/// A working directory with the shipped graph as `./graph`, the saved queries, and `xinzhi` on
/// the PATH, where shell lines run as a reader would run them.
private final class Workspace {
  let dir = TemporaryDirectory("xinzhi-docs")
  /// Whether `python3` here imports duckdb.
  private(set) var hasDuckDB = false
  var path: String { dir.path }

  init() throws {
    mkdir(dir.file("bin"), 0o755)
    symlink(productPath("xinzhi"), dir.file("bin/xinzhi"))
    _ = try ShippedGraphTests.shippedCopy(dir)
    mkdir(dir.file("queries"), 0o755)
    let queries = ShippedGraphTests.root + "/queries"
    for name in (try? FileManager.default.contentsOfDirectory(atPath: queries)) ?? [] {
      if let bytes = readFile(queries + "/" + name) { writeFile(dir.file("queries/" + name), bytes) }
    }
    // `python3` for the translated programs the README runs: one that imports duckdb, when
    // there is one (else those lines are left out; see `hasDuckDB`).
    if let python = PythonTools.python(importing: ["duckdb"], root: ShippedGraphTests.root) {
      // A wrapper, not a link: a virtual environment's Python finds its packages from the path
      // it was started by.
      writeFile(dir.file("bin/python3"), Array("#!/bin/sh\nexec '\(python)' \"$@\"\n".utf8))
      chmod(dir.file("bin/python3"), 0o755)
      hasDuckDB = true
    }
    // What the README's own examples name.
    writeFile(dir.file("facts.tsv"), Array("bank_of_england\tlocated_in\tlondon\n".utf8))
    writeFile(dir.file("my-questions.dl"), Array("?- financed(X, Y).\n".utf8))
  }

  /// Runs shell text (`$0`, `$1`... are `arguments`).
  func shell(_ script: String, arguments: [String] = [], input: String? = nil) -> ProcessResult {
    let sources = ShippedGraphTests.root + "/../shared/seeds"
    return run(
      "/bin/sh", ["-c", script] + arguments, environment: ["PATH": dir.file("bin") + ":/usr/bin:/bin", "NO_COLOR": "1", "XINZHI_SOURCES": sources, "HOME": path],
      input: input, directory: path, timeout: 300)
  }
}

/// Lines as they compare: timings and the name of the entry an error is reported in vary.
private func normalized(_ lines: [String]) -> [String] {
  lines.map { line in
    var line = line
    if line.hasPrefix("Run time: ") { return "Run time: …" }
    // `<repl:9>:1:4:` and `<stdin>:10:4:`; the gutter ` 1 | ` and ` 10 | `.
    if let range = line.range(of: #"^<[a-z]+(:\d+)?>:\d+:\d+:"#, options: .regularExpression) {
      line.replaceSubrange(range, with: "<entry>:")
    }
    if let range = line.range(of: #"^ *\d* \| "#, options: .regularExpression) {
      line.replaceSubrange(range, with: line[range].contains(where: \.isNumber) ? "N | " : "  | ")
    }
    return line
  }
}

private func expectSameLines(_ got: String, _ expected: [String], _ block: Block, _ what: String) {
  // CSV ends its lines with CRLF (RFC 4180); a document shows them as lines.
  var gotLines = got.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
  if gotLines.last == "" { gotLines.removeLast() }
  let a = normalized(gotLines)
  let b = normalized(expected)
  if a != b {
    let first = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) ?? min(a.count, b.count)
    Issue.record("\(block): \(what) prints something else from line \(first + 1):\n  documented: \(first < b.count ? b[first] : "(nothing)")\n  printed:    \(first < a.count ? a[first] : "(nothing)")\n--- printed ---\n\(got)")
  }
}

@Suite(.serialized) struct DocumentationExampleTests {
  static let documents = ["README.md", "Documentation/QueryLanguage.md", "Documentation/Repl.md"]

  @Test func everyExampleRuns() throws {
    let workspace = try Workspace()
    var counts: [String: Int] = [:]
    for block in Self.documents.flatMap(Block.all) {
      let kind = try check(block, workspace)
      counts[kind, default: 0] += 1
    }
    print("documentation examples checked: \(counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))")
    #expect(counts.values.reduce(0, +) >= 20)
  }

  /// Checks one block; returns its kind.
  private func check(_ block: Block, _ workspace: Workspace) throws -> String {
    let first = block.lines.first(where: { !$0.isEmpty }) ?? ""
    switch block.language {
    case "ebnf":
      // The grammar: its examples are the programs of the other blocks.
      return "grammar"
    case "prolog":
      let file = workspace.dir.file("example-\(block.line).dl")
      writeFile(file, Array(block.lines.joined(separator: "\n").utf8))
      let command = block.lines.contains(where: { $0.hasPrefix("%=") }) ? "test" : "run"
      let result = workspace.shell("xinzhi \(command) \(file)")
      #expect(result.status == 0, "\(block): `xinzhi \(command)` failed:\n\(result.stdout)\n\(result.stderr)")
      return "program"
    case "swift":
      // Swift code is an excerpt of the example package, which CI builds and runs: its lines
      // (indentation aside) stand together, in order, in one of the package's files.
      let examples = ShippedGraphTests.root + "/Examples/CitationReport"
      let files = ["Package.swift", "Sources/CitationReport/main.swift"].compactMap { readFile(examples + "/" + $0) }
      let wanted = block.lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
      let found = files.contains { bytes in
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.indices.contains { start in Array(lines[start...].prefix(wanted.count)) == wanted }
      }
      #expect(files.count == 2 && found, "\(block): not an excerpt of Examples/CitationReport (whose build and run CI checks)")
      return "Swift excerpt"
    case "sh":
      // Commands a reader copies: run as one script that stops at the first failure (the
      // fresh-machine lines, `swift run` and `swift test`, are what CI itself does).
      let demo = workspace.dir.file("demo")
      // Without DuckDB, the lines that run a translated program (and compare its answers) are
      // left out, unless XINZHI_REQUIRE_DUCKDB asks for them.
      let needsDuckDB = { (line: String) in line.hasPrefix("python3 ") || line.hasPrefix("cmp answers/") }
      if !workspace.hasDuckDB, block.lines.contains(where: needsDuckDB) {
        #expect(ProcessInfo.processInfo.environment["XINZHI_REQUIRE_DUCKDB"] == nil, "\(block): DuckDB is required (XINZHI_REQUIRE_DUCKDB) but no Python imports duckdb")
      }
      let lines = block.lines.filter { !$0.hasPrefix("swift ") && (workspace.hasDuckDB || !needsDuckDB($0)) }
      let script = lines.joined(separator: "\n").replacingOccurrences(of: "/tmp/demo", with: demo)
      let result = workspace.shell("set -e\n" + script)
      #expect(result.status == 0, "\(block): the commands failed:\n\(result.stdout)\n\(result.stderr)")
      return "shell commands"
    default:
      break
    }
    if first.hasPrefix("$ swift run") || first.hasPrefix("xinzhi> ") {
      try replTranscript(block, workspace)
      return "REPL transcript"
    }
    if first.hasPrefix("$ ") {
      shellTranscript(block, workspace)
      return "command transcript"
    }
    if first.range(of: #"^\S+:\d+:\d+: (error|warning):"#, options: .regularExpression) != nil {
      try diagnostics(block, workspace)
      return "diagnostics"
    }
    if let range = block.lines.joined(separator: "\n").range(of: #"\[(explain|why)/[a-z-]+\.dl"#, options: .regularExpression) {
      let name = String(block.lines.joined(separator: "\n")[range].dropFirst())
      golden(block, String(name.dropLast(3)) + ".out")
      return "plan or derivation"
    }
    Issue.record("\(block): an example of a kind this test does not check; make it a transcript, a program or a shell block")
    return "unchecked"
  }

  /// `xinzhi> entry` lines (and `...>` continuations) with their output: the entries run
  /// through the REPL from a pipe, and print what the block shows after each (the banner, and the
  /// rule-added notes the prompt alone prints, aside).
  private func replTranscript(_ block: Block, _ workspace: Workspace) throws {
    var entries: [String] = []
    var expected: [String] = []
    for line in block.lines.drop(while: { !$0.hasPrefix("xinzhi> ") }) {
      if line.hasPrefix("xinzhi> ") || line.hasPrefix("   ...> ") {
        entries.append(String(line.dropFirst(8)))
      } else if !line.contains("added to this session;") {
        expected.append(line)
      }
    }
    while expected.last == "" { expected.removeLast() }
    let result = workspace.shell("xinzhi 2>&1", input: entries.joined(separator: "\n") + "\n")
    expectSameLines(result.stdout, expected, block, "the REPL")
  }

  /// `$ command` lines, each followed by what it prints.
  private func shellTranscript(_ block: Block, _ workspace: Workspace) {
    var command: String?
    var expected: [String] = []
    func finish() {
      guard let command else { return }
      let result = workspace.shell(command + " 2>&1")
      expectSameLines(result.stdout, expected, block, "`\(command)`")
    }
    for line in block.lines {
      if line.hasPrefix("$ ") {
        finish()
        command = String(line.dropFirst(2))
        expected = []
      } else {
        expected.append(line)
      }
    }
    while expected.last == "" { expected.removeLast() }
    finish()
  }

  /// Error messages and warnings as the command line prints them: each one's quoted line is
  /// run (as a query, or as that line of the file named), and the message must be the real one.
  /// Messages about the golden cases (`errors/…`) are compared with their golden files.
  private func diagnostics(_ block: Block, _ workspace: Workspace) throws {
    var groups: [[String]] = []
    for line in block.lines where !line.isEmpty {
      if line.range(of: #"^\S+:\d+:\d+: (error|warning):"#, options: .regularExpression) != nil {
        groups.append([line])
      } else if !groups.isEmpty {
        groups[groups.count - 1].append(line)
      }
    }
    for group in groups {
      let header = group[0]
      let path = String(header.prefix(while: { $0 != ":" }))
      if path.hasPrefix("errors/") {
        golden(Block(file: block.file, line: block.line, language: "", lines: group), String(path.dropLast(3)) + ".err")
        continue
      }
      guard let quoted = group.first(where: { $0.range(of: #"^ *\d+ \| "#, options: .regularExpression) != nil }),
        let bar = quoted.range(of: " | ")
      else {
        Issue.record("\(block): `\(header)` quotes no line to run")
        continue
      }
      let text = String(quoted[bar.upperBound...])
      let result: ProcessResult
      if path.hasPrefix("<") {
        result = workspace.shell("xinzhi query \"$0\" 2>&1 >/dev/null; true", arguments: [text])
      } else {
        let lineNumber = Int(header.split(separator: ":")[1]) ?? 1
        let file = workspace.dir.file(path)
        mkdir((file as NSString).deletingLastPathComponent, 0o755)
        writeFile(file, Array((String(repeating: "\n", count: lineNumber - 1) + text + "\n").utf8))
        result = workspace.shell("xinzhi run \(path) 2>&1 >/dev/null; true")
      }
      let printed = normalized(result.stdout.components(separatedBy: "\n"))
      let wanted = normalized(group)
      // The message is one of those printed for that text, whole and in order.
      let found = printed.indices.contains { start in
        start + wanted.count <= printed.count && Array(printed[start..<start + wanted.count]) == wanted
      }
      #expect(found, "\(block): `\(text)` prints\n\(result.stdout)\nnot\n\(group.joined(separator: "\n"))")
    }
  }

  /// A block's lines appear, in order and contiguous, in a golden file.
  private func golden(_ block: Block, _ name: String) {
    guard let bytes = readFile(ShippedGraphTests.root + "/Tests/KnowledgeGraphTests/Golden/" + name) else {
      Issue.record("\(block): no golden file \(name)")
      return
    }
    let goldenLines = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\n")
    var wanted = block.lines
    while wanted.last == "" { wanted.removeLast() }
    let found = goldenLines.indices.contains { start in
      start + wanted.count <= goldenLines.count && Array(goldenLines[start..<start + wanted.count]) == wanted
    }
    #expect(found, "\(block): not what \(name) holds:\n\(wanted.joined(separator: "\n"))")
  }
}
