// The commands that evaluate query-language text: query, run, explain, why and rules.

import Diagnostics
import KnowledgeGraph

enum QueryCommands {
  static let evaluationOptions: [OptionSpec] = [
    OptionSpec(name: "format", value: "FORMAT", help: "table, csv, tsv, json or markdown (default table)"),
    OptionSpec(name: "timeout", value: "SECONDS", help: "stop a query after this long (default 60; 0 for none)"),
    OptionSpec(name: "max-facts", value: "N", help: "stop after deriving this many facts (default 20,000,000)"),
  ]

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
    return limits
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
    let renderer = try renderer(context)
    let session = try session(context)
    let queryCount = text.components(separatedBy: "?-").count - 1
    var first = true
    _ = try session.run(text, name: name, warnings: { context.report([$0]) }) { outcome in
      guard case .answer(let result) = outcome else { return }
      if queryCount > 1, renderer.format == .table {
        if !first { context.console.print() }
        context.console.print(context.style.bold(TerminalText.visible(result.query.source.slice(result.query.query.span))))
      }
      first = false
      context.console.out.write(renderer.render(result))
    }
    return 0
  }
}

extension String {
  /// Splits on a separator string (no Foundation).
  func components(separatedBy separator: String) -> [Substring] {
    var parts: [Substring] = []
    var rest = self[...]
    while let range = rest.range(ofExact: separator) {
      parts.append(rest[..<range.lowerBound])
      rest = rest[range.upperBound...]
    }
    parts.append(rest)
    return parts
  }
}

extension QueryCommands {
  static func readTextArgument(_ context: CommandContext) throws(DiagnosticError) -> (String, String) {
    let argument = context.arguments.positionals[0]
    return argument == "-" ? (try context.readStandardInput(), "<stdin>") : (argument, "<arguments>")
  }

  /// `xinzhi explain TEXT`.
  static func explain(_ context: CommandContext) throws -> Int32 {
    let (text, name) = try readTextArgument(context)
    let session = try session(context)
    let renderer = try renderer(context)
    let explanations = try session.explain(text, name: name, showTimes: !context.arguments.flag("no-times"))
    for (k, (result, explanation)) in explanations.enumerated() {
      if k > 0 { context.console.print() }
      context.console.print(explanation)
      if context.arguments.flag("rows") {
        context.console.print()
        context.console.out.write(renderer.render(result))
      }
    }
    return 0
  }

  /// `xinzhi why FACT` and `xinzhi why-not FACT`.
  static func why(_ context: CommandContext, not: Bool) throws -> Int32 {
    let (text, name) = try readTextArgument(context)
    let session = try session(context)
    context.console.print(try session.why(text, name: name, not: not))
    return 0
  }

  /// `xinzhi rules`: the standing rules of the store.
  static func rules(_ context: CommandContext) throws -> Int32 {
    let session = try session(context)
    guard let path = session.standingRulesPath else {
      context.console.print("The store has no standing rules (no \(QuerySession.standingRulesFile) in \(session.store.directory)).")
      return 0
    }
    context.console.print("% standing rules from \(path): every query sees them")
    var lastFile = ""
    for sourced in session.rules {
      if sourced.source.name != lastFile { lastFile = sourced.source.name }
      context.console.print(sourced.source.slice(sourced.rule.span))
    }
    return 0
  }
}
