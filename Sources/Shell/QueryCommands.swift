// The commands that evaluate query-language text: query, run, explain, why and rules.

import Diagnostics
import KnowledgeGraph
import Platform

enum QueryCommands {
  static let evaluationOptions: [OptionSpec] = [
    OptionSpec(name: "format", value: "FORMAT", help: "table, box, line, csv, tsv, json or markdown (default table)"),
    OptionSpec(name: "timeout", value: "SECONDS", help: "stop a query after this long (default 60; 0 for none)"),
    OptionSpec(name: "max-facts", value: "N", help: "stop after deriving this many facts (default 20,000,000)"),
    OptionSpec(name: "max-memory", value: "SIZE", help: "stop when derived facts and computed values take this much memory, such as 512M or 4G (default an eighth of physical memory, at most 2G)"),
  ]

  /// `--labels zh|en`, for commands that print answers.
  static let labelsOption = OptionSpec(
    name: "labels", value: "zh|en", help: "tables and markdown show each entity with its label in this language (default: ids only)")

  /// `--param NAME=VALUE`, for commands that run texts.
  static let parameterOption = OptionSpec(
    name: "param", value: "NAME=VALUE", help: "a value for `$NAME` in the text, in literal syntax (bank_of_england, 1694, @2024-04, '\"英格兰银行\"@zh'); anything else is a plain string",
    repeatable: true)

  /// The `--param` values by name.
  static func parameters(_ context: CommandContext) throws(DiagnosticError) -> [String: Value] {
    var result: [String: Value] = [:]
    for text in context.arguments.values["param"] ?? [] {
      guard let equals = text.firstIndex(of: "=") else {
        throw DiagnosticError(.usage, code: "usage", "--param takes NAME=VALUE, found `\(text)`", help: "for example --param bank=bank_of_england")
      }
      let name = String(text[..<equals])
      let isName = name.first.map { $0.isLetter || $0 == "_" } == true && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
      guard isName else {
        throw DiagnosticError(.usage, code: "usage", "`\(name)` is not a parameter name: use letters, digits and `_`, as in `$year`")
      }
      if result[name] != nil {
        throw DiagnosticError(.usage, code: "usage", "--param \(name) is given twice")
      }
      let valueText = String(text[text.index(after: equals)...])
      result[name] = LiteralSyntax.parseValue(valueText) ?? .string(valueText, language: nil)
    }
    return result
  }

  static func limits(_ context: CommandContext) throws(DiagnosticError) -> EvaluationLimits {
    var limits = EvaluationLimits.defaults
    if let text = context.arguments.value("timeout") {
      guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
        throw DiagnosticError(.usage, code: "usage", "--timeout takes a number of seconds, found `\(text)`")
      }
      limits.timeout = seconds == 0 ? nil : seconds
    }
    if let text = context.arguments.value("max-facts") {
      guard let n = Int(text), n > 0 else {
        throw DiagnosticError(.usage, code: "usage", "--max-facts takes a positive number, found `\(text)`")
      }
      limits.maxDerivedFacts = n
    }
    if let text = context.arguments.value("max-memory") {
      guard let bytes = byteSize(text), bytes > 0 else {
        throw DiagnosticError(.usage, code: "usage", "--max-memory takes a size such as 512M or 2G, found `\(text)`", help: "a whole number of bytes, or of K, M, G or T (binary: 1K is 1024 bytes)")
      }
      limits.maxMemory = bytes
    }
    return limits
  }

  /// A size written `100000`, `512K`, `64M`, `2G`, `1T` (binary units; `MB`, `MiB` and lower
  /// case are accepted too); nil when it is not one or does not fit.
  static func byteSize(_ text: String) -> Int? {
    let digits = text.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, let number = Int(digits) else { return nil }
    let shifts: [String: Int] = ["": 0, "k": 10, "m": 20, "g": 30, "t": 40]
    var unit = text.dropFirst(digits.count).lowercased()
    if unit.hasSuffix("ib") { unit.removeLast(2) } else if unit.hasSuffix("b"), unit.count == 2 { unit.removeLast() }
    guard let shift = shifts[unit] else { return nil }
    let (bytes, overflow) = number.multipliedReportingOverflow(by: 1 << shift)
    return overflow ? nil : bytes
  }

  static func renderer(_ context: CommandContext) throws(DiagnosticError) -> ResultRenderer {
    var renderer = ResultRenderer()
    if let name = context.arguments.value("format") {
      guard let format = OutputFormat(rawValue: name) else {
        throw DiagnosticError(.usage, code: "usage", "unknown format `\(name)`; use \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      renderer.format = format
    }
    renderer.style = context.style
    return renderer
  }

  static func session(_ context: CommandContext) throws(DiagnosticError) -> QuerySession {
    let store = try context.openStore()
    return try QuerySession(store: store, limits: try limits(context))
  }

  /// `xinzhi query TEXT`.
  static func query(_ context: CommandContext) throws -> Int32 {
    let argument = context.arguments.positionals[0]
    let (text, name) = argument == "-" ? (try context.readStandardInput(), "<stdin>") : (argument, "<query>")
    return try evaluate(context, text: text, name: name)
  }

  /// `xinzhi run FILE`.
  static func runFile(_ context: CommandContext) throws -> Int32 {
    let path = context.arguments.positionals[0]
    let text = try TextFile.read(path)
    return try evaluate(context, text: text, name: path)
  }

  static func evaluate(_ context: CommandContext, text: String, name: String) throws -> Int32 {
    var renderer = try renderer(context)
    let session = try session(context)
    if let language = context.arguments.value("labels") {
      guard language == "zh" || language == "en" else {
        throw DiagnosticError(.usage, code: "usage", "--labels takes `zh` or `en`, found `\(language)`")
      }
      var labels: [String: String] = [:]
      for label in session.store.labels() where label.language == language && labels[label.entity] == nil { labels[label.entity] = label.text }
      renderer.label = { labels[$0] }
    }
    let parameters = try parameters(context)
    let printer = answerPrinter(text: text, renderer: renderer, style: context.style, sink: context.console.out)
    _ = try session.run(text, name: name, parameters: parameters, warnings: { context.report([$0]) }, each: printer)
    return 0
  }

  /// Prints each answer of a text as it comes. A text with several queries gets, in table
  /// format, each query's text above its table; in CSV, TSV and markdown, a blank line and
  /// `-- query N` before each answer after the first; in JSON, one object per query and line.
  static func answerPrinter(
    text: String, renderer: ResultRenderer, style: Style, sink: TextSink, written: ((ResultRenderer.Written) -> Void)? = nil
  ) -> (QuerySession.Outcome) -> Void {
    // Counted on bytes: the text may be megabytes long, and this runs before any budget does.
    let queryCount = Array(text.utf8).withUnsafeBufferPointer { bytes in
      var count = 0
      for i in bytes.indices.dropFirst() where bytes[i] == UInt8(ascii: "-") && bytes[i - 1] == UInt8(ascii: "?") {
        count += 1
      }
      return count
    }
    var number = 0
    return { outcome in
      guard case .answer(let result) = outcome else { return }
      number += 1
      if queryCount > 1 {
        switch renderer.format {
        case .table, .box, .line:
          if number > 1 { sink.write("\n") }
          sink.write(style.bold(TerminalText.visible(result.query.source.slice(result.query.query.span))) + "\n")
        case .csv, .tsv, .markdown:
          if number > 1 { sink.write(renderer.format == .csv ? "\r\n-- query \(number)\r\n" : "\n-- query \(number)\n") }
        case .json:
          break
        }
      }
      let outcome = renderer.write(result, to: sink)
      written?(outcome)
    }
  }
}

extension QueryCommands {
  static func readTextArgument(_ context: CommandContext) throws(DiagnosticError) -> (String, String) {
    let argument = context.arguments.positionals[0]
    return argument == "-" ? (try context.readStandardInput(), "<stdin>") : (argument, "<arguments>")
  }

  /// `xinzhi translate --to TARGET TEXT|FILE|-`.
  static func translate(_ context: CommandContext) throws -> Int32 {
    guard context.arguments.value("to") != nil else {
      throw DiagnosticError(.usage, code: "usage", "say which engine to translate for", help: "add --to duckdb, --to spark or --to sql")
    }
    let (program, store) = try translatedProgram(context)
    try StoreCommands.writeOutput(context, store: store) { $0.write(program.text) }
    return 0
  }

  /// The program `--to TARGET` asks for, translated from the text or file argument, and the
  /// store it reads.
  static func translatedProgram(_ context: CommandContext) throws -> (TranslatedProgram, GraphStore) {
    let targetName = context.arguments.value("to") ?? ""
    guard let target = TranslationTarget(rawValue: targetName) else {
      let suggestion = Suggestions.didYouMean(targetName, in: TranslationTarget.allCases.map(\.rawValue))
      throw DiagnosticError(.usage, code: "usage", "unknown target `\(TerminalText.visible(targetName))`", help: suggestion ?? "use --to duckdb, --to spark or --to sql")
    }
    let argument = context.arguments.positionals[0]
    let (text, name): (String, String)
    if argument != "-", SystemFile.kind(of: argument) == .regular {
      (text, name) = (try TextFile.read(argument), argument)
    } else {
      (text, name) = try readTextArgument(context)
    }
    let session = try session(context)
    return (try session.translate(text, name: name, to: target), session.store)
  }

  /// `xinzhi explain TEXT`.
  static func explain(_ context: CommandContext) throws -> Int32 {
    if context.arguments.value("to") != nil {
      context.console.out.write(try translatedProgram(context).0.plan)
      return 0
    }
    let (text, name) = try readTextArgument(context)
    let session = try session(context)
    let renderer = try renderer(context)
    let explanations = try session.explain(text, name: name, showTimes: !context.arguments.flag("no-times"))
    for (k, (result, explanation)) in explanations.enumerated() {
      if k > 0 { context.console.print() }
      context.console.print(explanation)
      if context.arguments.flag("rows") {
        context.console.print()
        renderer.write(result, to: context.console.out)
      }
    }
    return 0
  }

  /// `xinzhi why FACT` and `xinzhi why-not FACT`.
  static func why(_ context: CommandContext, not: Bool) throws -> Int32 {
    let (text, name) = try readTextArgument(context)
    let session = try session(context)
    let format = context.arguments.value("format") ?? "text"
    if format == "dot", !not {
      let picture = try session.whyPicture(text, name: name, language: context.arguments.value("lang") ?? "zh")
      try StoreCommands.writeOutput(context, store: session.store) { $0.write(picture) }
      return 0
    }
    guard format == "text" || format == "table" else {
      throw DiagnosticError(.usage, code: "usage", "`\(not ? "why-not" : "why")` prints text\(not ? "" : " or --format dot"), not `\(format)`")
    }
    let explanation: String
    if not {
      explanation = try session.why(text, name: name, not: true)
    } else {
      let documents = context.arguments.flag("passages")
        ? try EntityCommands.documents(option: context.arguments.value("sources"), environment: context.environment, store: session.store)
        : nil
      explanation = try EntityCommands.why(session, text, name: name, documents: documents, language: try EntityCommands.language(context))
    }
    try StoreCommands.writeOutput(context, store: session.store) { $0.write(explanation + "\n") }
    return 0
  }

  /// `xinzhi rules`: the standing rules of the store.
  static func rules(_ context: CommandContext) throws -> Int32 {
    let session = try session(context)
    guard let path = session.standingRulesPath else {
      context.console.print("The store has no standing rules (no \(QuerySession.standingRulesFile) in \(session.store.directory)).")
      return 0
    }
    context.console.print("% standing rules from \(TerminalText.visible(path)): every query sees them")
    var lastFile = ""
    for sourced in session.rules where sourced.isAsWritten {
      if sourced.source.name != lastFile { lastFile = sourced.source.name }
      context.console.print(sourced.source.slice(sourced.rule.span))
    }
    return 0
  }
}

// MARK: - test

extension QueryCommands {
  /// `xinzhi test [PATH...] [--update]`: runs every script under the paths against the store
  /// and compares each query's answer with the `%=` lines after it (see ScriptTest).
  static func test(_ context: CommandContext) throws -> Int32 {
    let paths = context.arguments.positionals.isEmpty ? ["queries"] : context.arguments.positionals
    var scripts: [String] = []
    for path in paths {
      let found = scriptFiles(under: path)
      guard let found else {
        throw DiagnosticError(.noInput, code: "no-input", "cannot read \(quoted(path)): no such file or directory")
      }
      scripts += found
    }
    guard !scripts.isEmpty else {
      throw DiagnosticError(.noInput, code: "no-input", "no scripts (*.dl) under \(paths.map { TerminalText.visible($0) }.joined(separator: ", "))")
    }
    let update = context.arguments.flag("update")
    let store = try context.openStore()
    let style = context.style
    var failed = 0
    var updated = 0
    for path in scripts {
      let shown = TerminalText.visible(path)
      let text = try TextFile.read(path)
      let outcome: ScriptTest.Outcome
      do {
        let session = try QuerySession(store: store, limits: try limits(context))
        outcome = try ScriptTest.run(text, path: path, in: session)
      } catch {
        failed += 1
        context.console.print(style.red("FAIL") + "  \(shown): the script does not run")
        context.report(error)
        continue
      }
      if update {
        let newText = ScriptTest.updated(text, outcome)
        if newText != text {
          try TextFile.write(newText, to: path)
          updated += 1
          context.console.print("updated  \(shown)  (\(outcome.checks.count) quer\(outcome.checks.count == 1 ? "y" : "ies"))")
        }
        continue
      }
      let stated = outcome.checks.filter { $0.expected != nil }
      if outcome.passed {
        let unchecked = outcome.checks.count - stated.count
        context.console.print(style.green("ok") + "    \(shown)  (\(stated.count) quer\(stated.count == 1 ? "y" : "ies")\(unchecked > 0 ? ", \(unchecked) without expected results" : ""))")
        continue
      }
      failed += 1
      if stated.isEmpty {
        context.console.print(style.red("FAIL") + "  \(shown): no query states its expected results")
        context.console.print("      add `%=` lines after a query, or run `xinzhi test --update \(shown)` and review the result")
        continue
      }
      context.console.print(style.red("FAIL") + "  \(shown)")
      for check in stated where !check.passed {
        context.console.print("  \(shown):\(check.line): \(TerminalText.visible(check.query))")
        for line in ScriptTest.diff(check.expected ?? [], check.actual) {
          // Columns are tab-separated; show the tabs as bars so the columns can be told apart.
          let shown = "    " + line.split(separator: "\t", omittingEmptySubsequences: false).map { TerminalText.visible(String($0)) }.joined(separator: " │ ")
          context.console.print(line.hasPrefix("- ") ? style.red(shown) : line.hasPrefix("+ ") ? style.green(shown) : shown)
        }
      }
    }
    if update {
      context.console.print("\(updated) of \(scripts.count) script\(scripts.count == 1 ? "" : "s") updated; review the changes (git diff) before committing them")
      // A script that does not run cannot be updated: that is a failure too.
      return failed == 0 ? 0 : 1
    }
    let passed = scripts.count - failed
    context.console.print("\(scripts.count) script\(scripts.count == 1 ? "" : "s"): \(passed) passed, \(failed) failed")
    return failed == 0 ? 0 : 1
  }

  /// The `.dl` files at a path (itself, or under it, sorted), nil when it does not exist.
  static func scriptFiles(under path: String) -> [String]? {
    guard let isDirectory = TextFile.isDirectory(path) else { return nil }
    guard isDirectory else { return [path] }
    let base = path.hasSuffix("/") ? path : path + "/"
    var found: [String] = []
    for name in TextFile.names(inDirectory: path) ?? [] where !name.hasPrefix(".") {
      let full = base + name
      if TextFile.isDirectory(full) == true {
        found += scriptFiles(under: full) ?? []
      } else if name.hasSuffix(".dl") {
        found.append(full)
      }
    }
    return found
  }
}
