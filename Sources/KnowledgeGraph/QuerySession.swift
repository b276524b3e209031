// A query session over a store: the store's standing rules, rules and facts added during the
// session (never written to the log), and queries answered in the order they are written.

import Diagnostics
import GraphModel
import Platform
import QueryEngine
import QueryLanguage

/// Runs query-language text against a store.
///
/// ```swift
/// let session = try QuerySession(store: store)
/// for outcome in try session.run("?- type(X, central_bank).", name: "<query>") {
///   if case .answer(let result) = outcome { print(result.rows) }
/// }
/// ```
public final class QuerySession {
  /// The store queried.
  public let store: GraphStore
  /// The interpreter holding the rules in force.
  public let interpreter: Interpreter
  /// The standing rules' file, if the store has one.
  public let standingRulesPath: String?

  /// What one statement of a text produced.
  public enum Outcome: Sendable {
    /// Rules or facts were added to the session.
    case rulesAdded(Int)
    /// A query was answered.
    case answer(QueryResult)
  }

  /// The name of the standing rules file in a store directory.
  public static let standingRulesFile = "rules.dl"

  /// Opens a session, loading the store's standing rules (`rules.dl`) when present.
  ///
  /// - Throws: `DiagnosticError` when the standing rules do not parse or check.
  public init(store: GraphStore, limits: EvaluationLimits = .defaults, standingRules: Bool = true) throws(DiagnosticError) {
    self.store = store
    self.interpreter = Interpreter(source: store.tripleSource, limits: limits)
    let path = (store.directory.hasSuffix("/") ? store.directory : store.directory + "/") + QuerySession.standingRulesFile
    if standingRules, access(path, R_OK) == 0 {
      standingRulesPath = path
      let text = try TextFile.read(path)
      let source = SourceText(name: path, text: text)
      let budget = Budget(limits)
      let (program, diagnostics) = Parser.parse(source, shouldStop: { budget.isExhausted })
      try budget.checkStage()
      if !diagnostics.isEmpty { throw DiagnosticError(diagnostics) }
      if !program.queries.isEmpty {
        throw DiagnosticError(.error(code: "standing-query", "the standing rules file holds a query; it may hold only rules and facts", in: source, at: program.queries[0].span))
      }
      try interpreter.add(program.sourcedRules, declarations: program.sourcedDeclarations, budget: budget)
    } else {
      standingRulesPath = nil
    }
  }

  /// The rules in force: standing rules first, then those added in the session.
  public var rules: [SourcedRule] { interpreter.rules }
  /// The declarations in force: standing ones first, then those made in the session.
  public var declarations: [SourcedDeclaration] { interpreter.declarations }

  /// Limits for each query.
  public var limits: EvaluationLimits {
    get { interpreter.limits }
    set { interpreter.limits = newValue }
  }

  /// Parses and checks a text, then adds its rules and facts and answers its queries in order.
  ///
  /// The whole text is checked before anything runs, so an error anywhere means nothing was
  /// added or answered.
  ///
  /// - Parameters:
  ///   - text: Facts, rules and queries.
  ///   - name: The name used in diagnostics (a path, `<query>`, `<repl:3>`).
  ///   - firstLine: The line number of the text's first line, for fragments of a larger file.
  ///   - parameters: Values for the text's `$name` parameters.
  ///   - warnings: Receives warnings (singleton variables...).
  ///   - each: Receives each outcome as soon as it is ready (a long text's first answers need not
  ///     wait for its last).
  /// - Throws: `DiagnosticError` with every parse and check error, or an evaluation error.
  public func run(
    _ text: String, name: String, firstLine: Int = 1, parameters: [String: Value] = [:],
    warnings: ((Diagnostic) -> Void)? = nil, each: ((Outcome) -> Void)? = nil
  ) throws(DiagnosticError) -> [Outcome] {
    // Reading, checking and adding the text's rules share one budget; each query has its own.
    let budget = Budget(limits)
    let source = SourceText(name: name, text: text, firstLine: firstLine)
    let (program, parseDiagnostics) = Parser.parse(source, parameters: parameters, shouldStop: { budget.isExhausted })
    try budget.checkStage()
    let (checked, diagnostics) = interpreter.check(
      program.sourcedRules, program.sourcedQueries, declarations: program.sourcedDeclarations, shouldStop: { budget.isExhausted })
    try budget.checkStage()
    // Report syntax errors together with the semantic errors of the clauses that parsed, in
    // source order; a count of diagnostics not shown (no location) comes last.
    func key(_ d: Diagnostic) -> (Int, Int, Int) {
      d.location.map { (0, $0.line, $0.column) } ?? (1, 0, 0)
    }
    let errors = (parseDiagnostics + predicateLabelHints(diagnostics.filter { $0.severity == .error }, program)).sorted { key($0) < key($1) }
    if !errors.isEmpty { throw DiagnosticError(errors) }
    for warning in diagnostics where warning.severity != .error { warnings?(warning) }
    // A text is one program: its rules and facts are all in force for each of its queries,
    // wherever they stand in the text (as in Datalog, order does not matter).
    var outcomes: [Outcome] = []
    let rules = program.sourcedRules
    let declarations = program.sourcedDeclarations
    if !rules.isEmpty || !declarations.isEmpty {
      try interpreter.add(rules, declarations: declarations, budget: budget)
      let outcome = Outcome.rulesAdded(rules.count)
      outcomes.append(outcome)
      each?(outcome)
    }
    // The text was checked together with the rules now in force (its own were added after the
    // check, and nothing else changed), so its queries are answered with that check's predicates:
    // a further query costs its own work, not a new check of every rule in force.
    for query in checked.queries {
      let result = try interpreter.answer(query, predicates: checked.predicates)
      if result.totalRows == 0, let warnings {
        for hint in emptyAnswerHints(query) { warnings(hint) }
      }
      let outcome = Outcome.answer(result)
      outcomes.append(outcome)
      each?(outcome)
    }
    return outcomes
  }

}

@_exported import struct QueryEngine.QueryResult
@_exported import class QueryEngine.AnswerRows
@_exported import struct QueryEngine.DerivationTree
@_exported import struct QueryEngine.EvaluationLimits
@_exported import class QueryEngine.CancellationFlag
@_exported import class QueryEngine.Budget
@_exported import struct QueryLanguage.SourcedQuery
@_exported import struct QueryLanguage.SourcedRule
@_exported import struct QueryLanguage.SourcedDeclaration

extension QuerySession {
  /// Runs a text like ``run(_:name:firstLine:parameters:warnings:each:)`` but explains each query: the
  /// plan of every rule that ran, with estimated and actual rows, iterations and time.
  public func explain(_ text: String, name: String, showTimes: Bool = true) throws(DiagnosticError) -> [(QueryResult, String)] {
    let (program, _) = try addText(text, name: name, toQuery: "explain")
    var results: [(QueryResult, String)] = []
    for query in program.sourcedQueries {
      let (checked, recheckDiagnostics) = interpreter.check([], [query])
      let recheckErrors = recheckDiagnostics.filter { $0.severity == .error }
      if !recheckErrors.isEmpty { throw DiagnosticError(recheckErrors) }
      results.append(try interpreter.explain(checked.queries[0], predicates: checked.predicates, showTimes: showTimes))
    }
    return results
  }

  /// Parses and checks a text that must hold a query, then adds its rules and declarations to
  /// the session (as `run` does); returns the parsed and the checked program. `verb` says what
  /// the query is for, in the error when there is none.
  func addText(_ text: String, name: String, toQuery verb: String) throws(DiagnosticError) -> (Program, CheckedProgram) {
    let source = SourceText(name: name, text: text)
    let budget = Budget(limits)
    let (program, parseDiagnostics) = Parser.parse(source, shouldStop: { budget.isExhausted })
    try budget.checkStage()
    if !parseDiagnostics.isEmpty { throw DiagnosticError(parseDiagnostics) }
    let (checked, diagnostics) = interpreter.check(
      program.sourcedRules, program.sourcedQueries, declarations: program.sourcedDeclarations, shouldStop: { budget.isExhausted })
    try budget.checkStage()
    let errors = diagnostics.filter { $0.severity == .error }
    if !errors.isEmpty { throw DiagnosticError(errors) }
    if program.queries.isEmpty {
      throw DiagnosticError(.usage, code: "\(verb)-query", "nothing to \(verb): the text has no query (`?- ...`)")
    }
    try interpreter.add(program.sourcedRules, declarations: program.sourcedDeclarations, budget: budget)
    return (program, checked)
  }

  /// Explains how a fact is derived (`why`) or why it is not (`whyNot`).
  ///
  /// The text holds the fact, written `p(a, b).` or `?- p(a, b).`, optionally preceded by
  /// rules that the session keeps.
  public func why(_ text: String, name: String, not: Bool = false) throws(DiagnosticError) -> String {
    let (goal, source, predicates) = try goal(text, name: name)
    return not
      ? try interpreter.whyNot(goal, in: source, predicates: predicates)
      : try interpreter.why(goal, in: source, predicates: predicates)
  }

  /// The derivation of a fact (text as for ``why(_:name:not:)``) as a tree.
  public func derivation(_ text: String, name: String) throws(DiagnosticError) -> DerivationTree {
    let (goal, source, predicates) = try goal(text, name: name)
    return try interpreter.derivation(goal, in: source, predicates: predicates)
  }

  /// The fact a `why` text asks about, after adding the rules before it.
  private func goal(_ text: String, name: String) throws(DiagnosticError) -> (Atom, SourceText, [String: PredicateInfo]) {
    var body = text
    while let last = body.last, last.isWhitespace { body.removeLast() }
    if !body.hasSuffix(".") { body += "." }
    let source = SourceText(name: name, text: body)
    let budget = Budget(limits)
    let (program, parseDiagnostics) = Parser.parse(source, shouldStop: { budget.isExhausted })
    try budget.checkStage()
    if !parseDiagnostics.isEmpty { throw DiagnosticError(parseDiagnostics) }
    var rules = program.sourcedRules
    let goal: Atom
    if let query = program.queries.last {
      guard query.body.count == 1, case .atom(let atom) = query.body[0] else {
        throw DiagnosticError(.error(code: "fact-expected", "`why` explains one fact, such as `path(a, b)`", in: source, at: query.span))
      }
      goal = atom
    } else if let last = rules.last, last.rule.isFact {
      rules.removeLast()
      goal = Atom(
        predicate: last.rule.head.predicate,
        arguments: last.rule.head.arguments.compactMap { if case .term(let t) = $0 { t } else { nil } },
        predicateSpan: last.rule.head.predicateSpan, span: last.rule.head.span)
    } else {
      throw DiagnosticError(.usage, code: "fact-expected", "`why` needs a fact, such as `path(a, b)`")
    }
    try interpreter.add(rules, declarations: program.sourcedDeclarations, budget: budget)
    let probe = SourcedQuery(Query(body: [.atom(goal)], span: goal.span), source)
    let (checked, diagnostics) = interpreter.check([], [probe])
    let errors = diagnostics.filter { $0.severity == .error }
    if !errors.isEmpty { throw DiagnosticError(errors) }
    return (goal, source, checked.predicates)
  }
}
