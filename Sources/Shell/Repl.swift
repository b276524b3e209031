// The interactive shell (`xinzhi` with no command): reads entries — query-language text ending
// with `.`, or one-line meta-commands such as `.mode csv` — and runs them in one query session
// on the store. On a terminal it edits lines (LineEditor); from a pipe or file it runs the same
// language without prompts and exits non-zero when an entry failed.

import Diagnostics
import KnowledgeGraph
import Platform

/// Raised by SIGINT while a query runs in the REPL; the handler only touches this flag.
enum InterruptSignal {
  static let flag = CancellationFlag()

  /// Makes Ctrl-C (SIGINT) raise ``flag`` instead of ending the process.
  static func install() {
    _ = flag  // initialised now, never inside the handler
    SignalHandler.install(SIGINT) { _ in InterruptSignal.flag.cancel() }
  }
}

/// One REPL: its session, settings and output.
final class Repl {
  /// How entries arrive.
  enum InputMode {
    /// A terminal with line editing.
    case editing
    /// A terminal without editing (TERM=dumb): prompts, plain lines.
    case plainPrompts
    /// A pipe or a file: no prompts, no banner; a failure sets the exit status.
    case script
  }

  let context: CommandContext
  let mode: InputMode
  var store: GraphStore
  var session: QuerySession
  /// The store's rule count: rules beyond it were added in this session.
  var standingRuleCount: Int
  /// How many of the session's declarations are the store's (from rules.dl).
  var standingDeclarationCount: Int
  var limits: EvaluationLimits

  // Settings changed by meta-commands.
  var format = OutputFormat.table
  var timer = false
  var language = "zh"
  /// Whether entities in results are shown with their labels (`.labels`).
  var showLabels = true
  /// Whether results start with their column names (`.headers`).
  var headers = true
  var maxRows: Int?

  /// The file named by `.output`, which results go to instead of standard output.
  var outputFile: OutputFile?
  /// The file named by `.once`, for the next entry's results only.
  var once: OutputFile?
  /// The pager command (`.pager`); nil: off. On by default at a terminal.
  var pagerCommand: String?
  /// The current entry's results on their way to the pager, when they go to the screen.
  var paging: PagingSink?
  /// Column widths set with `.width` (0: as wide as needed), in column order.
  var columnWidths: [Int] = []

  /// The answers of the last entry that had queries (what `.dot FILE` draws).
  var lastAnswers: [QueryResult] = []

  /// The exit status: that of the first failed entry in a script.
  var status: Int32 = 0
  /// Entries run so far (names interactive sources `<repl:N>`).
  var entryNumber = 0
  var quitting = false
  let history: History
  private var labelCache: (language: String, labels: [String: String])?
  private var completionCache: CompletionSource?
  private var documentsCache: SourceDocuments?

  init(context: CommandContext, store: GraphStore, mode: InputMode) throws(DiagnosticError) {
    self.context = context
    self.mode = mode
    self.store = store
    limits = try QueryCommands.limits(context)
    limits.cancellation = InterruptSignal.flag
    session = try QuerySession(store: store, limits: limits)
    standingRuleCount = session.rules.count
    standingDeclarationCount = session.declarations.count
    if mode != .script, context.console.outIsTerminal { maxRows = 100 }
    if let lang = context.environment["XINZHI_LANG"], lang == "en" || lang == "zh" { language = lang }
    history = History(path: mode == .editing ? History.defaultPath(environment: context.environment) : nil)
    if mode == .editing { pagerCommand = PagingSink.defaultCommand(environment: context.environment) }
  }

  /// Where results go: the file named by `.output`, or standard output.
  var output: TextSink { outputFile ?? console.out }
  /// Whether results go to the screen (directly or through the pager).
  var resultsOnScreen: Bool { resultSink === console.out || (paging != nil && resultSink === paging) }

  var console: Console { context.console }
  var style: Style { context.style }

  // MARK: - Reading entries

  /// Runs entries until the input ends or `.quit`; returns the exit status.
  func run() -> Int32 {
    switch mode {
    case .editing: runEditing()
    case .plainPrompts, .script: runPlain()
    }
    closeOnce()
    closeOutput()
    console.flush()
    return status
  }

  private var prompt: String {
    store.asOf.map { "xinzhi (as of \($0))> " } ?? "xinzhi> "
  }

  private var continuationPrompt: String {
    String(repeating: " ", count: max(0, DisplayWidth.of(prompt) - 5)) + "...> "
  }

  private func banner() {
    let stats = store.statistics()
    console.print(
      "xinzhi \(Shell.version) · \(TerminalText.visible(stats.directory)): \(Format.count(stats.triples)) facts, \(Format.count(stats.entities)) entities, \(Format.count(stats.transactions)) transactions")
    console.print(style.dim("Queries end with a period: ?- type(X, central_bank).  .help lists the commands; .quit or Ctrl-D leaves."))
    console.flush()
  }

  private func runEditing() {
    banner()
    reportHistoryProblem()
    InterruptSignal.install()
    let terminal = Terminal()
    defer { terminal.restoreMode() }
    let editor = LineEditor(terminal: terminal, history: history)
    editor.needsMoreInput = { text in !Repl.isMetaCommand(text) && QuerySession.needsMoreInput(text) }
    editor.completer = { [unowned self] characters, cursor in self.complete(characters, cursor) }
    let style = self.style
    editor.stylePrompt = { style.cyan($0) }
    while !quitting {
      console.flush()
      switch editor.readEntry(prompt: prompt, continuationPrompt: continuationPrompt) {
      case .entry(let text):
        history.add(text)
        reportHistoryProblem()
        execute(text, name: nil, firstLine: 1)
      case .interrupted:
        continue
      case .endOfInput:
        quitting = true
      }
    }
  }

  /// Plain lines: with prompts on a dumb terminal, without from a pipe. An entry is a
  /// meta-command line, or lines up to the one that ends a clause.
  private func runPlain() {
    if mode == .plainPrompts {
      banner()
      InterruptSignal.install()
    }
    let input = Terminal()
    var pending: [String] = []
    var firstLine = 1
    var lineNumber = 0
    while !quitting {
      if mode == .plainPrompts {
        console.out.write(pending.isEmpty ? prompt : continuationPrompt)
        console.flush()
      }
      guard let line = input.readLine() else {
        if mode == .plainPrompts { console.print() }
        break
      }
      lineNumber += 1
      if pending.isEmpty {
        if Repl.isMetaCommand(line) {
          runPlainEntry(line, firstLine: lineNumber)
          continue
        }
        if line.allSatisfy(\.isWhitespace) { continue }
        firstLine = lineNumber
      }
      pending.append(line)
      let text = pending.joined(separator: "\n")
      if !QuerySession.needsMoreInput(text) {
        pending = []
        runPlainEntry(text, firstLine: firstLine)
      }
    }
    if !pending.isEmpty {
      runPlainEntry(pending.joined(separator: "\n"), firstLine: firstLine)
    }
  }

  /// A script's entries are named `<stdin>` with their line numbers in the stream; typed ones
  /// `<repl:N>`, counting lines from 1 like the editor's entries.
  private func runPlainEntry(_ text: String, firstLine: Int) {
    if mode == .script {
      execute(text, name: "<stdin>", firstLine: firstLine)
    } else {
      execute(text, name: nil, firstLine: 1)
    }
  }

  /// Warns, once, when the history file cannot be used.
  private func reportHistoryProblem() {
    guard let problem = history.takeProblem() else { return }
    context.report([Diagnostic(.warning, .io, code: "history", problem, help: "choose another file with XINZHI_HISTORY=FILE, or none with XINZHI_HISTORY=")])
    console.flush()
  }

  static func isMetaCommand(_ text: String) -> Bool {
    let entry = text.drop(while: { $0 == " " || $0 == "\t" })
    // `.decl p(...)` is a clause of the language, not a command.
    if entry.hasPrefix(".decl"), entry.dropFirst(5).first.map({ $0 == " " || $0 == "\t" || $0 == "\n" }) ?? false { return false }
    return entry.first == "."
  }

  // MARK: - Running entries

  /// Runs one entry; failures are reported and recorded in the exit status (scripts).
  func execute(_ text: String, name: String?, firstLine: Int) {
    entryNumber += 1
    let sourceName = name ?? "<repl:\(entryNumber)>"
    // Results for the screen that turn out taller than it go through the pager.
    if once == nil, outputFile == nil, let pagerCommand, console.outIsTerminal, isatty(STDOUT_FILENO) == 1 {
      console.out.flush()
      paging = PagingSink(screen: console.out, height: Terminal().rows, command: pagerCommand)
    }
    do throws(DiagnosticError) {
      if Repl.isMetaCommand(text) {
        try MetaCommands.run(text.trimmingBlanks(), repl: self, sourceName: sourceName, line: firstLine)
      } else {
        try runText(text, name: sourceName, firstLine: firstLine)
      }
    } catch {
      paging?.finish()
      paging = nil
      fail(error)
    }
    paging?.finish()
    paging = nil
    // `.once` lasts until an entry that prints results: query text, or a meta-command that
    // writes to the result sink (settings such as `.mode csv` in between do not use it up).
    if once != nil, !Repl.isMetaCommand(text) || MetaCommands.spec(forLine: text)?.printsResults == true { closeOnce() }
    output.flush()
    if let file = outputFile, file.failure != nil {
      // The file cannot take more (a full disk): report it, and send results to the screen again.
      closeOutput()
    }
    console.flush()
  }

  func fail(_ error: DiagnosticError) {
    output.flush()
    context.report(error)
    if status == 0, mode == .script { status = error.category.exitStatus }
  }

  /// Where this entry's results go: the `.once` file, the `.output` file, or standard output.
  var resultSink: TextSink { once ?? paging ?? output }

  /// Results rendered as chosen, with labels in the chosen language.
  func renderer() -> ResultRenderer {
    var renderer = ResultRenderer()
    renderer.format = format
    renderer.maxRows = maxRows
    if showLabels {
      let labels = labelsInLanguage()
      renderer.label = { labels[$0] }
    }
    renderer.headers = headers
    renderer.columnWidths = columnWidths
    let onScreen = resultsOnScreen
    renderer.style = onScreen ? style : Style(enabled: false)
    // Tables fit the terminal only on the terminal itself; files and pipes get every cell.
    if onScreen, isatty(STDOUT_FILENO) == 1 { renderer.maxWidth = Terminal().columns }
    return renderer
  }

  /// Runs query-language text: its rules join the session, its queries are answered.
  func runText(_ text: String, name: String, firstLine: Int) throws(DiagnosticError) {
    InterruptSignal.flag.reset()
    let started = MonotonicClock.seconds()
    let sink = resultSink
    var renderer = renderer()
    renderer.shouldStop = { InterruptSignal.flag.isCancelled }
    var interruptedAfter: Int?
    let printer = QueryCommands.answerPrinter(text: text, renderer: renderer, style: resultsOnScreen ? style : Style(enabled: false), sink: sink) { written in
      if written.stopped, sink.failure == nil { interruptedAfter = written.rows }
    }
    let rulesBefore = session.rules.count
    do throws(DiagnosticError) {
      let outcomes = try session.run(text, name: name, firstLine: firstLine, warnings: { self.context.report([$0]) }, each: printer)
      let answers = outcomes.compactMap { outcome -> QueryResult? in
        if case .answer(let result) = outcome { return result }
        return nil
      }
      if !answers.isEmpty { lastAnswers = answers }
    } catch let error {
      if InterruptSignal.flag.isCancelled {
        throw DiagnosticError(.data, code: "cancelled", "cancelled (Ctrl-C): the query stopped; nothing it computed is kept")
      }
      throw error
    }
    if let rows = interruptedAfter {
      sink.flush()
      console.print(style.dim("(Ctrl-C: printing stopped after \(Format.count(rows)) row\(rows == 1 ? "" : "s"))"))
    }
    let added = session.rules.dropFirst(rulesBefore)
    if !added.isEmpty, mode != .script {
      let facts = added.filter { $0.rule.isFact }.count
      let rules = added.count - facts
      let parts = [(rules, "rule"), (facts, "fact")].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }
      console.print(style.dim("(\(parts.joined(separator: " and ")) added to this session; .rules lists them, .clear forgets them)"))
    }
    reportTime(since: started)
  }

  func reportTime(since started: Double) {
    guard timer else { return }
    output.flush()
    console.print(style.dim("Run time: " + Format.duration(MonotonicClock.seconds() - started)))
  }

  // MARK: - Session and store

  /// The rules and facts added in this session (beyond the standing rules).
  var sessionRules: [SourcedRule] { Array(session.rules.dropFirst(standingRuleCount)) }

  /// Starts a new session on `store`, keeping this session's rules unless `keepingRules` is false.
  func rebuildSession(keepingRules: Bool = true) throws(DiagnosticError) {
    let kept = keepingRules ? sessionRules : []
    let keptDeclarations = keepingRules ? Array(session.declarations.dropFirst(standingDeclarationCount)) : []
    let fresh = try QuerySession(store: store, limits: limits)
    standingRuleCount = fresh.rules.count
    standingDeclarationCount = fresh.declarations.count
    if !kept.isEmpty || !keptDeclarations.isEmpty { try fresh.interpreter.add(kept, declarations: keptDeclarations) }
    session = fresh
    invalidateCaches()
  }

  /// Labels in the chosen language by entity (built once per store state and language).
  func labelsInLanguage() -> [String: String] {
    if let cache = labelCache, cache.language == language { return cache.labels }
    var labels: [String: String] = [:]
    for label in store.labels() where label.language == language && labels[label.entity] == nil {
      labels[label.entity] = label.text
    }
    labelCache = (language, labels)
    return labels
  }

  /// The source documents for `.why` and `.source`, read from disk once they are found.
  func sourceDocuments() -> SourceDocuments? {
    if let documentsCache { return documentsCache }
    documentsCache = SourceDocuments(directory: SourceDocuments.directory(option: nil, environment: context.environment, store: store.directory))
    return documentsCache
  }

  func invalidateCaches() {
    labelCache = nil
    completionCache = nil
  }

  // MARK: - Output files

  /// Finishes the `.once` file; a failure to write it is reported.
  func closeOnce() {
    finish(once)
    once = nil
  }

  /// Finishes the `.output` file, if any (results go to standard output again); a failure to
  /// write it is reported.
  func closeOutput() {
    finish(outputFile)
    outputFile = nil
  }

  private func finish(_ file: OutputFile?) {
    do throws(DiagnosticError) {
      try file?.finish()
    } catch {
      fail(error)
    }
  }

  // MARK: - Completion

  func complete(_ characters: [Character], _ cursor: Int) -> Completion? {
    if completionCache == nil {
      completionCache = CompletionSource(store: store, rules: session.rules, shownLabels: labelsInLanguage())
    }
    return completionCache?.complete(characters, cursor)
  }
}

extension String {
  /// The text without leading and trailing blanks (spaces, tabs, newlines).
  func trimmingBlanks() -> String {
    var s = self[...]
    while let c = s.first, c.isWhitespace { s.removeFirst() }
    while let c = s.last, c.isWhitespace { s.removeLast() }
    return String(s)
  }
}
