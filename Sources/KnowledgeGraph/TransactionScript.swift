// Transaction scripts: fact text in blocks, each opened by `%% key: value` lines that become the
// metadata of one transaction. The shipped graph is written this way (graph/sources/*.dl), so
// that every fact carries the citation of the lines it came from.
//
//   %% source: 000:L162-L166
//   %% section: 二（一）第一次工业革命
//   %% claim: historical
//   type(bank_of_england, central_bank).
//   founded_in(bank_of_england, 1694).

import Diagnostics
import GraphModel
import Platform
import TripleLog

/// Reads transaction scripts (see Documentation/Formats.md).
public enum TransactionScript {
  /// One block of a script: the metadata of its transaction and its facts.
  public struct Block: Sendable {
    /// The `%% key: value` pairs, in order.
    public var metadata: [(key: String, value: String)]
    /// The facts, in order (a fact repeated within the block is kept once).
    public var triples: [Triple]
    /// The 1-based line of the block's first `%%` line.
    public var line: Int
  }

  /// Splits a script into blocks and parses their facts.
  ///
  /// - Parameters:
  ///   - text: The script.
  ///   - name: The name used in diagnostics (a path).
  ///   - requiredKeys: Metadata every block must have (the store requires `source`).
  /// - Throws: `DiagnosticError` (65) listing every problem: facts before the first block,
  ///   malformed `%%` lines, repeated or missing keys, blocks without facts, bad facts.
  public static func blocks(from text: String, name: String, requiredKeys: [String] = ["source"]) throws(DiagnosticError) -> [Block] {
    let source = SourceText(name: name, text: text)
    var diagnostics: [Diagnostic] = []
    var blocks: [Block] = []
    // The current block: its metadata, and the lines of its fact text.
    var metadata: [(key: String, value: String)] = []
    var metadataLine = 0
    var factLines: [Substring] = []
    var firstFactLine = 0
    var hasFacts = false

    func close() {
      guard metadataLine > 0 else { return }
      for key in requiredKeys where !metadata.contains(where: { $0.key == key }) {
        diagnostics.append(.error(
          code: "script-metadata", "the block starting here has no `%% \(key):` line",
          in: source, at: span(line: metadataLine, in: source), help: "every transaction needs a \(key); add `%% \(key): ...` to the block's header"))
      }
      if !hasFacts {
        diagnostics.append(.error(code: "script-empty-block", "the block starting here has no facts", in: source, at: span(line: metadataLine, in: source)))
        return
      }
      do {
        var triples = try FactText.triples(from: factLines.joined(separator: "\n"), name: name, firstLine: firstFactLine)
        var seen = Set<Triple>()
        triples.removeAll { !seen.insert($0).inserted }
        blocks.append(Block(metadata: metadata, triples: triples, line: metadataLine))
      } catch {
        diagnostics += error.diagnostics
      }
    }

    var lineNumber = 0
    var inHeader = false
    for line in TextFile.lines(text) {
      lineNumber += 1
      if line.hasPrefix("%%") {
        if !inHeader {
          close()
          metadata = []
          metadataLine = lineNumber
          factLines = []
          hasFacts = false
          inHeader = true
        }
        guard let (key, value) = directive(line) else {
          diagnostics.append(.error(
            code: "script-directive", "expected `%% key: value`",
            in: source, at: span(line: lineNumber, in: source), help: "keys are lower case letters, digits and `_`; a comment line starts with a single `%`"))
          continue
        }
        if metadata.contains(where: { $0.key == key }) {
          diagnostics.append(.error(code: "script-metadata", "`\(key)` is given twice in this block", in: source, at: span(line: lineNumber, in: source)))
          continue
        }
        metadata.append((key, value))
        continue
      }
      if inHeader {
        inHeader = false
        firstFactLine = lineNumber
      }
      let content = line.drop { $0 == " " || $0 == "\t" }
      let isContent = !content.isEmpty && !content.hasPrefix("%")
      if metadataLine == 0 {
        if isContent {
          diagnostics.append(.error(
            code: "script-no-block", "facts before the first block have no provenance",
            in: source, at: span(line: lineNumber, in: source), help: "start the script with `%% source: ...` (and any other metadata) before the facts"))
        }
        continue
      }
      factLines.append(line)
      if isContent { hasFacts = true }
    }
    close()
    if metadataLine == 0 && diagnostics.isEmpty {
      diagnostics.append(.error(code: "script-no-block", "the script has no blocks", in: source, at: span(line: 1, in: source), help: "a block starts with `%% source: ...`"))
    }
    if !diagnostics.isEmpty {
      // In file order (a block's own problems are found when it closes).
      let ordered = diagnostics.enumerated().sorted {
        ($0.element.location?.line ?? 0, $0.element.location?.column ?? 0, $0.offset)
          < ($1.element.location?.line ?? 0, $1.element.location?.column ?? 0, $1.offset)
      }
      throw DiagnosticError(ordered.map(\.element))
    }
    return blocks
  }

  /// Parses `%% key: value`.
  static func directive(_ line: Substring) -> (String, String)? {
    let body = line.dropFirst(2).drop { $0 == " " }
    guard let colon = body.firstIndex(of: ":") else { return nil }
    let key = String(body[..<colon])
    guard LogFormat.isValidMetadataKey(key) else { return nil }
    var value = body[body.index(after: colon)...]
    while let first = value.first, first == " " || first == "\t" { value = value.dropFirst() }
    while let last = value.last, last == " " || last == "\t" || last == "\r" { value = value.dropLast() }
    return (key, String(value))
  }

  static func span(line: Int, in source: SourceText) -> SourceSpan { source.lineSpan(line) }
}

extension GraphStore {
  /// What a script import did.
  public struct ScriptImportReport: Sendable {
    /// The transactions written, one per block.
    public var transactions: ClosedRange<TxNumber>
    /// Facts written (summed over blocks).
    public var triples: Int
    /// Seconds spent, reading the file included.
    public var seconds: Double
  }

  /// Imports a transaction script: one transaction per block, all written with one fsync after
  /// the whole script has been checked (on any error nothing is written). `-` reads standard
  /// input (named `<stdin>` in messages).
  ///
  /// - Throws: `DiagnosticError`: 66 when the file cannot be read, 65 for problems in the
  ///   script (every one listed with file:line:col), 74 on write failures.
  @discardableResult
  public func importScript(from path: String) throws(DiagnosticError) -> ScriptImportReport {
    let started = MonotonicClock.seconds()
    let text = path == "-" ? try TextFile.read(fd: STDIN_FILENO, name: "standard input") : try TextFile.read(path)
    let blocks = try TransactionScript.blocks(from: text, name: path == "-" ? "<stdin>" : path)
    let drafts = blocks.map { TransactionDraft(asserting: $0.triples, metadata: $0.metadata) }
    let numbers = try transact(drafts)
    return ScriptImportReport(transactions: numbers, triples: blocks.reduce(0) { $0 + $1.triples.count }, seconds: MonotonicClock.seconds() - started)
  }
}
