// The REPL's meta-commands (`.help`, `.mode csv`, `.assert ...`): one table gives each its
// arguments, its help line and its implementation; `.help` and Tab completion read the table.

import Diagnostics
import KnowledgeGraph
import Platform

/// One use of a meta-command.
struct MetaInvocation {
  /// The command without its dot (`mode`).
  var name: String
  /// Everything after the name, trimmed.
  var rest: String
  /// `rest` split into words; double or single quotes group words and are removed.
  var words: [String]
  /// The name of the entry, for diagnostics.
  var sourceName: String
  /// The line the command is on.
  var line: Int
}

enum MetaCommands {
  typealias Implementation = @Sendable (Repl, MetaInvocation) throws(DiagnosticError) -> Void

  /// What a command's argument is, for Tab completion.
  enum Argument: Sendable { case none, path, text }

  struct Spec: Sendable {
    var name: String
    var arguments: String
    var summary: String
    /// What Tab completes after the name: a file path, query text (names), or nothing.
    var argument = Argument.none
    /// Whether it writes results (so `.once` and `.output` apply to it).
    var printsResults = false
    var run: Implementation
  }

  /// The command a meta-command line names (aliases resolved), if any.
  static func spec(forLine line: String) -> Spec? {
    let name = String(line.trimmingBlanks().dropFirst().prefix(while: { !$0.isWhitespace }))
    let resolved = aliases[name] ?? name
    return all.first { $0.name == resolved }
  }

  static let all: [Spec] = [
    Spec(name: "help", arguments: "[COMMAND|NAME]", summary: "list the meta-commands, or explain one, a builtin or a predicate", run: help),
    Spec(name: "schema", arguments: "[PREFIX]", summary: "predicates (stored: count, domain, range, label; defined by rules) and the builtins", printsResults: true, run: schema),
    Spec(name: "stats", arguments: "", summary: "what the store holds: triples, entities, transactions, log size", run: { repl, _ in
      StoreCommands.printStatistics(repl.store, repl.context)
    }),
    Spec(name: "load", arguments: "FILE", summary: "run a script of facts, rules and queries (like `xinzhi run FILE`); its rules stay", argument: .path, printsResults: true, run: load),
    Spec(name: "rules", arguments: "", summary: "the rules in force: the store's standing rules, then this session's", printsResults: true, run: rules),
    Spec(name: "clear", arguments: "", summary: "forget the rules and facts added in this session", run: { repl, _ throws(DiagnosticError) in
      let count = repl.sessionRules.count
      try repl.rebuildSession(keepingRules: false)
      repl.console.print("forgot \(count) rule\(count == 1 ? "" : "s") and facts of this session")
    }),
    Spec(name: "mode", arguments: "[table|box|line|csv|tsv|json|markdown]", summary: "how results are printed (default table)", run: mode),
    Spec(name: "timer", arguments: "[on|off]", summary: "print how long each entry took", run: { repl, invocation throws(DiagnosticError) in
      repl.timer = try onOff(invocation, current: repl.timer)
    }),
    Spec(name: "lang", arguments: "[zh|en|off]", summary: "the language of the labels shown beside entities (`off`: no labels, as `.labels off`)", run: lang),
    Spec(name: "labels", arguments: "[on|off]", summary: "show entities in results with their labels, or ids only", run: { repl, invocation throws(DiagnosticError) in
      repl.showLabels = try onOff(invocation, current: repl.showLabels)
    }),
    Spec(name: "headers", arguments: "[on|off]", summary: "print column names above results (tables, CSV, TSV)", run: { repl, invocation throws(DiagnosticError) in
      repl.headers = try onOff(invocation, current: repl.headers)
    }),
    Spec(name: "pager", arguments: "[on|off|COMMAND]", summary: "answers taller than the screen go through a pager ($XINZHI_PAGER, $PAGER, or `less -FRSX`)", run: { repl, invocation throws(DiagnosticError) in
      let fallback = PagingSink.defaultCommand(environment: repl.context.environment) ?? "less -FRSX"
      switch invocation.rest.trimmingBlanks() {
      case "": repl.pagerCommand = repl.pagerCommand == nil ? fallback : nil
      case "on": repl.pagerCommand = fallback
      case "off": repl.pagerCommand = nil
      case let command: repl.pagerCommand = command
      }
      repl.console.print("pager: \(repl.pagerCommand ?? "off")")
    }),
    Spec(name: "width", arguments: "[N...]", summary: "the widest each column of a table may be, in cells (0: as needed); without N, as needed", run: { repl, invocation throws(DiagnosticError) in
      var widths: [Int] = []
      for word in invocation.words {
        guard let n = Int(word), n >= 0, n <= 10_000 else { throw usage(invocation, "takes column widths from 0 (as needed) to 10000, found `\(word)`") }
        widths.append(n == 0 ? 0 : max(n, 1))
      }
      repl.columnWidths = widths
    }),
    Spec(name: "asof", arguments: "[N|latest]", summary: "read the store as it was right after transaction N (read-only), or as it is now", run: asOf),
    Spec(name: "explain", arguments: "QUERY", summary: "how a query is evaluated: plan, rows, iterations and time per rule", argument: .text, printsResults: true, run: { repl, invocation throws(DiagnosticError) in
      let explained = try repl.session.explain(try text(invocation), name: invocation.sourceName)
      for (k, (_, explanation)) in explained.enumerated() {
        if k > 0 { repl.resultSink.write("\n") }
        repl.resultSink.write(explanation + "\n")
      }
    }),
    Spec(name: "why", arguments: "FACT", summary: "how a fact is derived, down to stored facts and the passages they cite", argument: .text, printsResults: true, run: { repl, invocation throws(DiagnosticError) in
      // The cited lines are printed when the source documents are at hand (see `.source`).
      repl.resultSink.write(try EntityCommands.why(repl.session, try text(invocation), name: invocation.sourceName, documents: repl.sourceDocuments(), language: repl.language) + "\n")
    }),
    Spec(name: "find", arguments: "TEXT", summary: "find entities by id, label, alias or description (best first)", argument: .text, printsResults: true, run: { repl, invocation throws(DiagnosticError) in
      guard !invocation.rest.isEmpty else { throw usage(invocation, "takes the text to find, such as `.find 再贷款`") }
      for line in EntityCommands.findLines(invocation.rest, store: repl.store, language: repl.language, limit: 20, style: repl.context.style) {
        repl.resultSink.write(line + "\n")
      }
    }),
    Spec(name: "show", arguments: "ENTITY", summary: "everything about an entity (by id, label or alias): facts from and to it, measures, citations", argument: .text, printsResults: true, run: { repl, invocation throws(DiagnosticError) in
      guard !invocation.rest.isEmpty else { throw usage(invocation, "takes an entity's id, label or alias, such as `.show 央行`") }
      let id = try EntityViews.resolve(invocation.words.joined(separator: " "), repl.store, repl.language)
      for line in EntityViews.profile(repl.store.profile(of: id), repl.store, repl.language) { repl.resultSink.write(line + "\n") }
    }),
    Spec(name: "source", arguments: "CITATION...", summary: "print cited lines of the source documents (NNN:La-Lb), numbered", printsResults: true, run: { repl, invocation throws(DiagnosticError) in
      guard !invocation.words.isEmpty else { throw usage(invocation, "takes citations such as `000:L164-L166`") }
      // Not found: the same lookup again, which throws the error saying how to provide them.
      let documents: SourceDocuments
      if let found = repl.sourceDocuments() {
        documents = found
      } else {
        documents = try EntityCommands.documents(option: nil, environment: repl.context.environment, store: repl.store)
      }
      for line in try EntityCommands.sourceLines(invocation.words, documents: documents, store: repl.store, language: repl.language) {
        repl.resultSink.write(line + "\n")
      }
    }),
    Spec(name: "whynot", arguments: "FACT", summary: "why a fact does not hold: the first failing literal of each rule", argument: .text, printsResults: true, run: { repl, invocation throws(DiagnosticError) in
      repl.resultSink.write(try repl.session.why(try text(invocation), name: invocation.sourceName, not: true) + "\n")
    }),
    Spec(name: "output", arguments: "[FILE]", summary: "send results to FILE from now on; without FILE, back to the screen", argument: .path, run: output),
    Spec(name: "once", arguments: "FILE", summary: "send the results of the next entry that prints any to FILE", argument: .path, run: { repl, invocation throws(DiagnosticError) in
      guard invocation.words.count == 1 else { throw usage(invocation, "takes one file name") }
      let file = try OutputFile(invocation.words[0], mode: .replace, store: repl.store)
      repl.closeOnce()
      repl.once = file
    }),
    Spec(name: "dot", arguments: "FILE [QUERY]", summary: "draw the answers of QUERY, or of the last query, as a Graphviz DOT picture in FILE", argument: .path, run: dot),
    Spec(name: "maxrows", arguments: "[N]", summary: "the most rows a table shows (0: all)", run: maxRows),
    Spec(name: "history", arguments: "[N]", summary: "the last N entries (default 20) of the history", run: history),
    Spec(name: "assert", arguments: "FACTS [--source TEXT] [--note TEXT]", summary: "add facts to the store in one transaction", argument: .text, run: { repl, invocation throws(DiagnosticError) in try write(repl, invocation, retracting: false) }),
    Spec(name: "retract", arguments: "FACTS [--source TEXT] [--note TEXT]", summary: "remove facts from the store in one transaction", argument: .text, run: { repl, invocation throws(DiagnosticError) in try write(repl, invocation, retracting: true) }),
    Spec(name: "quit", arguments: "", summary: "leave (Ctrl-D does too)", run: { repl, _ in repl.quitting = true }),
  ]

  /// Other names that are accepted.
  static let aliases = ["exit": "quit", "q": "quit", "why-not": "whynot", "as-of": "asof"]

  /// Runs a meta-command line (starting with `.`).
  static func run(_ line: String, repl: Repl, sourceName: String, line number: Int) throws(DiagnosticError) {
    let body = line.dropFirst()
    let name = String(body.prefix(while: { !$0.isWhitespace }))
    let rest = String(body.dropFirst(name.count)).trimmingBlanks()
    let resolved = aliases[name] ?? name
    guard let spec = all.first(where: { $0.name == resolved }) else {
      let names = all.map(\.name) + Array(aliases.keys)
      let suggestion = Suggestions.nearest(to: name, in: names, limit: 1).first.map { "did you mean `.\($0)`? " } ?? ""
      var diagnostic = Diagnostic(.error, .usage, code: "meta-command", "unknown command `.\(name)`", help: suggestion + "`.help` lists the commands")
      diagnostic.location = SourceLocation(file: sourceName, line: number, column: 1, lineText: line, length: name.count + 1)
      throw DiagnosticError(diagnostic)
    }
    let invocation = MetaInvocation(name: resolved, rest: rest, words: words(rest), sourceName: sourceName, line: number)
    do throws(DiagnosticError) {
      try spec.run(repl, invocation)
    } catch {
      // Errors of the command itself point at its arguments (or its name) on the line.
      let shownLine = Array(line)
      let restStart = rest.isEmpty ? 1 : max(1, shownLine.count - rest.count + 1)
      throw DiagnosticError(error.diagnostics.map { diagnostic in
        guard diagnostic.location == nil else { return diagnostic }
        var located = diagnostic
        located.location = SourceLocation(
          file: sourceName, line: number, column: restStart, lineText: line,
          length: rest.isEmpty ? name.count + 1 : rest.count)
        return located
      })
    }
  }

  // MARK: - Arguments

  /// Splits on blanks; quotes group and are removed, `\` escapes the next character inside them.
  static func words(_ text: String) -> [String] {
    var result: [String] = []
    var current = ""
    var inWord = false
    var quote: Character?
    var escaped = false
    for c in text {
      if escaped {
        current.append(c)
        escaped = false
      } else if let q = quote {
        if c == "\\" {
          escaped = true
        } else if c == q {
          quote = nil
        } else {
          current.append(c)
        }
      } else if c == "\"" || c == "'" {
        quote = c
        inWord = true
      } else if c.isWhitespace {
        if inWord { result.append(current) }
        current = ""
        inWord = false
      } else {
        current.append(c)
        inWord = true
      }
    }
    if inWord { result.append(current) }
    return result
  }

  static func usage(_ invocation: MetaInvocation, _ message: String) -> DiagnosticError {
    let spec = all.first { $0.name == invocation.name }
    let usageLine = "." + invocation.name + (spec.map { $0.arguments.isEmpty ? "" : " " + $0.arguments } ?? "")
    return DiagnosticError(.usage, code: "usage", "`.\(invocation.name)` \(message)", help: "usage: \(usageLine)")
  }

  /// The query-language text after the command, required.
  static func text(_ invocation: MetaInvocation) throws(DiagnosticError) -> String {
    guard !invocation.rest.isEmpty else { throw usage(invocation, "needs a query or a fact after it") }
    return invocation.rest
  }

  static func onOff(_ invocation: MetaInvocation, current: Bool) throws(DiagnosticError) -> Bool {
    switch invocation.words.first {
    case nil: return !current
    case "on": return true
    case "off": return false
    default: throw usage(invocation, "takes `on` or `off`, found `\(invocation.words[0])`")
    }
  }

  // MARK: - Implementations

  static func help(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    if let name = invocation.words.first {
      let bare = name.hasPrefix(".") ? String(name.dropFirst()) : name
      guard let spec = all.first(where: { $0.name == (aliases[bare] ?? bare) }) else {
        // Not a meta-command: a builtin or a predicate of the store or of the rules in force.
        if !name.hasPrefix("."), let lines = SchemaView.explain(name, store: repl.store, rules: repl.session.rules, language: repl.language) {
          for line in lines { repl.console.print(line) }
          return
        }
        throw DiagnosticError(
          .usage, code: "meta-command", "`\(name)` is neither a command, a builtin nor a predicate",
          help: "`.help` lists the commands, `.schema` the predicates and builtins")
      }
      repl.console.print("." + spec.name + (spec.arguments.isEmpty ? "" : " " + spec.arguments))
      repl.console.print("  " + spec.summary)
      return
    }
    var table = TextTable(headers: ["command", "what it does"])
    for spec in all {
      table.add(["." + spec.name + (spec.arguments.isEmpty ? "" : " " + spec.arguments), spec.summary])
    }
    for line in table.render(rule: false, style: repl.style) { repl.console.print(line) }
    repl.console.print()
    repl.console.print("Anything else is query-language text, run when a clause ends with `.`:")
    repl.console.print("  ?- type(X, central_bank).              a query: one row per answer")
    repl.console.print("  big(X) :- stake(X, _, N), N > 50.      a rule, kept for this session")
    repl.console.print("Keys: Tab completes, Up/Down recall, Ctrl-R searches the history, Alt-Enter starts a new line,")
    repl.console.print("Ctrl-C cancels a running query or clears the entry, Ctrl-D leaves. Documentation/QueryLanguage.md has the language.")
  }

  static func schema(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    let lines = SchemaView.lines(
      store: repl.store, rules: repl.session.rules, declarations: repl.session.declarations, standingRuleCount: repl.standingRuleCount, language: repl.language,
      style: repl.style, prefix: invocation.words.first ?? "")
    for line in lines { repl.resultSink.write(line + "\n") }
  }

  static func load(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    guard invocation.words.count == 1 else { throw usage(invocation, "takes one file name") }
    let path = invocation.words[0]
    try repl.runText(try TextFile.read(path), name: path, firstLine: 1)
  }

  static func rules(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    let all = repl.session.rules
    if all.isEmpty {
      repl.console.print("no rules are in force")
      return
    }
    var lastSource = ""
    // A rule with a disjunction is listed once, as written (not once per alternative).
    for (k, sourced) in all.enumerated() where sourced.isAsWritten {
      if sourced.source.name != lastSource {
        lastSource = sourced.source.name
        let origin = k < repl.standingRuleCount ? "standing rules" : "added in this session"
        repl.resultSink.write(repl.style.dim("% \(origin): \(lastSource)") + "\n")
      }
      repl.resultSink.write(sourced.source.slice(sourced.rule.span) + "\n")
    }
  }

  static func mode(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    guard let name = invocation.words.first else {
      repl.console.print(repl.format.rawValue)
      return
    }
    guard let format = OutputFormat(rawValue: name) else {
      throw usage(invocation, "takes \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")), found `\(name)`")
    }
    repl.format = format
  }

  static func lang(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    guard let name = invocation.words.first else {
      repl.console.print(repl.language)
      return
    }
    if name == "off" {
      repl.showLabels = false
      return
    }
    guard name == "zh" || name == "en" else { throw usage(invocation, "takes `zh`, `en` or `off`, found `\(name)`") }
    repl.language = name
    repl.showLabels = true
    repl.invalidateCaches()
  }

  static func asOf(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    guard let word = invocation.words.first else {
      repl.console.print(repl.store.asOf.map { "as of transaction \($0)" } ?? "latest (transaction \(repl.store.lastTransaction))")
      return
    }
    var asOf: TxNumber?
    if word != "latest" {
      guard let n = TxNumber(word), n > 0 else { throw usage(invocation, "takes a transaction number or `latest`, found `\(word)`") }
      asOf = n
    }
    let reopened = try GraphStore.open(at: repl.store.directory, asOf: asOf, options: try repl.context.storeOptions())
    let previous = repl.store
    repl.store = reopened
    do throws(DiagnosticError) {
      try repl.rebuildSession()
    } catch {
      repl.store = previous
      try? repl.rebuildSession()
      throw error
    }
    repl.console.print(asOf.map { "reading the store as of transaction \($0) (read-only)" } ?? "reading the latest state (transaction \(reopened.lastTransaction))")
  }

  /// `.dot FILE [QUERY]`: the entities of the answers and the stored facts among them, labelled
  /// in the `.lang` language.
  static func dot(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    guard let path = invocation.words.first else { throw usage(invocation, "needs a file name") }
    let pathEnd = invocation.rest.hasPrefix("\"") || invocation.rest.hasPrefix("'")
      ? (invocation.rest.dropFirst().firstIndex(of: invocation.rest.first ?? "\"")).map { invocation.rest.index(after: $0) }
      : invocation.rest.firstIndex(where: \.isWhitespace)
    let queryText = pathEnd.map { String(invocation.rest[$0...]).trimmingBlanks() } ?? ""
    var answers = repl.lastAnswers
    if !queryText.isEmpty {
      answers = try repl.session.run(queryText, name: invocation.sourceName, firstLine: invocation.line).compactMap { outcome in
        if case .answer(let result) = outcome { return result }
        return nil
      }
    }
    guard !answers.isEmpty else {
      throw usage(invocation, queryText.isEmpty ? "draws the last query's answers, and no query has run yet; give one: `.dot FILE ?- ...`" : "needs a query (`?- ...`) to draw")
    }
    var picture = GraphPicture()
    picture.answers = answers
    picture.language = repl.language
    picture.maxNodes = 0
    let (text, entities) = try repl.store.drawing(picture)
    let file = try OutputFile(path, mode: .replace, store: repl.store)
    file.write(text)
    try file.finish()
    let shown = TerminalText.visible(path)
    repl.console.print("wrote \(shown): \(entities) entit\(entities == 1 ? "y" : "ies"); render it with `dot -Tsvg \(shown) -o picture.svg`")
  }

  static func output(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    guard let path = invocation.words.first else {
      repl.closeOutput()
      return
    }
    guard invocation.words.count == 1 else { throw usage(invocation, "takes one file name") }
    let file = try OutputFile(path, mode: .stream, store: repl.store)
    repl.closeOutput()
    repl.outputFile = file
  }

  static func maxRows(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    guard let word = invocation.words.first else {
      repl.console.print(repl.maxRows.map(String.init) ?? "0 (all rows)")
      return
    }
    guard let n = Int(word), n >= 0 else { throw usage(invocation, "takes a number of rows (0: all), found `\(word)`") }
    repl.maxRows = n == 0 ? nil : n
  }

  static func history(_ repl: Repl, _ invocation: MetaInvocation) throws(DiagnosticError) {
    var count = 20
    if let word = invocation.words.first {
      guard let n = Int(word), n > 0 else { throw usage(invocation, "takes a number of entries, found `\(word)`") }
      count = n
    }
    let entries = repl.history.entries
    let first = max(0, entries.count - count)
    let width = String(entries.count).count
    for i in first..<entries.count {
      let number = String(i + 1)
      let lines = TextFile.lines(entries[i])
      for (k, line) in lines.enumerated() {
        let margin = k == 0 ? String(repeating: " ", count: width - number.count) + number : String(repeating: " ", count: width)
        repl.console.print(repl.style.dim(margin) + "  " + TerminalText.visible(String(line)))
      }
    }
  }

  /// `.assert` and `.retract`: the facts, then `--source`/`--note` options, one transaction.
  static func write(_ repl: Repl, _ invocation: MetaInvocation, retracting: Bool) throws(DiagnosticError) {
    let (facts, optionText) = splitOptions(invocation.rest)
    guard !facts.trimmingBlanks().isEmpty else { throw usage(invocation, "needs facts, such as `.\(invocation.name) edge(a, b).`") }
    var metadata: [(key: String, value: String)] = []
    var options = words(optionText)
    while !options.isEmpty {
      let option = options.removeFirst()
      guard option == "--source" || option == "--note" else { throw usage(invocation, "does not know `\(option)`") }
      guard !options.isEmpty else { throw usage(invocation, "needs a value after `\(option)`") }
      metadata.append((String(option.dropFirst(2)), options.removeFirst()))
    }
    if !metadata.contains(where: { $0.key == "source" }) {
      metadata.insert(("source", "xinzhi repl"), at: 0)
    }
    var text = facts.trimmingBlanks()
    if !text.hasSuffix(".") { text += "." }
    let triples = try FactText.triples(from: text, name: invocation.sourceName, firstLine: invocation.line)
    let number = retracting
      ? try repl.store.transact(retracting: triples, metadata: metadata)
      : try repl.store.transact(asserting: triples, metadata: metadata)
    try repl.rebuildSession()
    let noun = triples.count == 1 ? "fact" : "facts"
    repl.console.print("transaction \(number): \(triples.count) \(noun) \(retracting ? "retracted" : "asserted")")
  }

  /// Splits `.assert` text at the first ` --source` or ` --note` outside quotes and parentheses.
  static func splitOptions(_ text: String) -> (facts: String, options: String) {
    let characters = Array(text)
    var quote: Character?
    var depth = 0
    var i = 0
    while i < characters.count {
      let c = characters[i]
      if let q = quote {
        if c == "\\" { i += 1 } else if c == q { quote = nil }
      } else if c == "\"" || c == "'" {
        quote = c
      } else if c == "(" {
        depth += 1
      } else if c == ")" {
        depth = max(0, depth - 1)
      } else if depth == 0, c == "-", i == 0 || characters[i - 1].isWhitespace {
        let rest = String(characters[i...])
        if rest.hasPrefix("--source") || rest.hasPrefix("--note") {
          return (String(characters[..<i]), rest)
        }
      }
      i += 1
    }
    return (text, "")
  }
}
