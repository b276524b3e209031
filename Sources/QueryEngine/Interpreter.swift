// The engine's public face: rules are checked and lowered once, queries are answered against a
// TripleSource, relations completed for one query are reused by the next as long as the rules
// stay the same.

import Diagnostics
import GraphModel
import QueryLanguage

/// The answer to one query.
public struct QueryResult: Sendable {
  /// The column names (the query's variables in order of first appearance).
  public var columns: [String]
  /// The rows, sorted (by the query's `order by`, else by all columns).
  public var rows: [[Value]]
  /// The number of rows before `limit` was applied.
  public var totalRows: Int
  /// The query.
  public var query: SourcedQuery
  /// Seconds spent evaluating.
  public var seconds: Double
}

/// Evaluates Datalog over a store's triples.
public final class Interpreter {
  /// The stored facts.
  public let source: any TripleSource
  /// The dictionary of the evaluation: the store's, extended with computed values.
  public let dictionary: TermDictionary
  /// Limits for each query.
  public var limits: EvaluationLimits
  let operations: ValueOperations
  /// The rules in force: standing rules, then rules added during the session.
  public private(set) var rules: [SourcedRule] = []
  private var base: IRProgram?
  private var cache = RelationCache()
  private var storedNames: Set<String>

  /// Creates an interpreter over a source.
  public init(source: any TripleSource, limits: EvaluationLimits = .defaults) {
    self.source = source
    self.dictionary = TermDictionary(extending: source.dictionary)
    self.limits = limits
    self.operations = ValueOperations(dictionary: dictionary)
    self.storedNames = Set(source.predicateIDs().compactMap { source.dictionary.entityName(of: $0) })
  }

  /// Also treats these names as stored predicates (declared in a schema, even without facts).
  public func declare(storedPredicates names: some Sequence<String>) {
    storedNames.formUnion(names)
    base = nil
    cache = RelationCache()
  }

  /// The names the checker treats as stored predicates.
  public var storedPredicates: Set<String> { storedNames }

  /// Checks a program's rules and queries against the rules in force.
  ///
  /// - Returns: The checked program (with all rules in force) and its diagnostics.
  public func check(_ programRules: [SourcedRule], _ queries: [SourcedQuery]) -> (CheckedProgram, [Diagnostic]) {
    ProgramChecker(storedPredicates: storedNames).check(rules: rules + programRules, queries: queries)
  }

  /// Adds rules (and facts) after checking them with the rules already in force.
  ///
  /// - Returns: Warnings (for example singleton variables).
  /// - Throws: ``DiagnosticError`` with every error found; nothing is added then.
  @discardableResult
  public func add(_ newRules: [SourcedRule]) throws(DiagnosticError) -> [Diagnostic] {
    guard !newRules.isEmpty else { return [] }
    let (checked, diagnostics) = check(newRules, [])
    if diagnostics.contains(where: { $0.severity == .error }) {
      throw DiagnosticError(diagnostics.filter { $0.severity == .error })
    }
    // Stratification is checked for the whole rule set now, so a later query cannot be the
    // first to hit a cycle introduced here.
    let lowered = lower(checked)
    _ = try Stratifier.strata(of: lowered, computing: Set(lowered.predicates.indices))
    rules = checked.rules
    base = lowered
    cache = RelationCache()
    return diagnostics.filter { $0.severity != .error }
  }

  /// Removes every rule added (standing rules included); the next `add` starts afresh.
  public func removeAllRules() {
    rules = []
    base = nil
    cache = RelationCache()
  }

  func lower(_ checked: CheckedProgram) -> IRProgram {
    var lowering = Lowering(dictionary: dictionary, storeDictionary: source.dictionary)
    for sourced in checked.rules {
      let origin = RuleOrigin(sourced: sourced, literalSpans: sourced.rule.body.map(\.span), note: nil)
      let rule = lowering.lower(head: sourced.rule.head, queryColumns: [], body: sourced.rule.body, predicates: checked.predicates, origin: origin)
      lowering.program.rules.append(rule)
    }
    // Every predicate the checker knows gets an entry, so queries find them.
    for (name, info) in checked.predicates.sorted(by: { $0.key < $1.key }) {
      _ = lowering.predicate(name, info)
    }
    return lowering.program
  }

  private func baseProgram() -> IRProgram {
    if let base { return base }
    let (checked, _) = check([], [])
    let lowered = lower(checked)
    base = lowered
    return lowered
  }

  /// Answers a checked query (see ``check(_:_:)``).
  ///
  /// - Throws: ``DiagnosticError`` for evaluation errors (limits, division by zero...).
  public func answer(_ query: SourcedQuery, predicates: [String: PredicateInfo]) throws(DiagnosticError) -> QueryResult {
    let started = Budget.now()
    let (program, result) = plannedProgram(query, predicates: predicates)
    let budget = Budget(limits)
    let evaluator = Evaluator(program: program, source: source, operations: operations, budget: budget, reusing: cache)
    evaluator.allowsDense = useDenseClosures
    try evaluator.compute([result])
    cache = evaluator.cache(predicatesBelow: baseProgram().predicates.count)
    let rows = decodeAndSort(evaluator.relations[result], query)
    let total = rows.count
    let limited = query.query.limit.map { Array(rows.prefix($0)) } ?? rows
    return QueryResult(columns: query.columns, rows: limited, totalRows: total, query: query, seconds: Budget.now() - started)
  }

  /// The program that answers a query: the base program, the query's rule, and the magic-sets
  /// rewrite when the query binds arguments of derived predicates not already computed.
  func plannedProgram(_ query: SourcedQuery, predicates: [String: PredicateInfo]) -> (IRProgram, Int) {
    let (prepared, result) = prepare(query, predicates: predicates)
    let (program, _) = Inlining.inlineViews(prepared)
    if useMagicSets, let rewritten = MagicSets.rewrite(program, queryRule: program.rules.count - 1, skip: cache.complete),
      (try? Stratifier.strata(of: rewritten, computing: [result])) != nil
    {
      return (rewritten, result)
    }
    return (program, result)
  }

  /// Whether queries that bind arguments of derived predicates use the magic-sets rewrite.
  public var useMagicSets = true
  /// Whether linear binary recursion may be evaluated as a dense bit matrix.
  public var useDenseClosures = true

  /// The base program extended with the query's rule; returns the result predicate.
  func prepare(_ query: SourcedQuery, predicates: [String: PredicateInfo]) -> (IRProgram, Int) {
    var lowering = Lowering(dictionary: dictionary, storeDictionary: source.dictionary)
    lowering.program = baseProgram()
    let result = lowering.program.add(PredicateEntry(name: "?-", arity: query.columns.count, kind: .derived))
    let origin = RuleOrigin(sourced: nil, literalSpans: query.query.body.map(\.span), note: "query")
    var rule = lowering.lower(head: nil, queryColumns: query.columns, body: query.query.body, predicates: predicates, origin: origin, resultPredicate: result)
    rule.origin.queryText = query.source.slice(query.query.span)
    rule.origin.querySource = query.source
    lowering.program.rules.append(rule)
    return (lowering.program, result)
  }

  func decodeAndSort(_ relation: Relation?, _ query: SourcedQuery) -> [[Value]] {
    guard let relation else { return [] }
    var rows: [[Value]] = []
    rows.reserveCapacity(relation.count)
    for r in 0..<relation.count {
      rows.append(relation.row(r).map { operations.value($0) })
    }
    let ordering = query.query.ordering.compactMap { key in
      query.columns.firstIndex(of: key.variable).map { ($0, key.descending) }
    }
    rows.sort { a, b in
      for (column, descending) in ordering {
        let c = Value.compare(a[column], b[column])
        if c != 0 { return descending ? c > 0 : c < 0 }
      }
      for column in a.indices {
        let c = Value.compare(a[column], b[column])
        if c != 0 { return c < 0 }
      }
      return false
    }
    return rows
  }
}

extension Interpreter {
  /// The number of distinct tuples of a predicate (stored, derived or `triple`), computed
  /// without decoding them; used by benchmarks and by `.stats`.
  public func count(of name: String) throws(DiagnosticError) -> Int {
    let (program, _) = Inlining.inlineViews(baseProgram())
    guard let index = program.indexByName[name] else {
      if name == "triple" { return source.tripleCount }
      if let id = source.dictionary.entityID(name) { return source.count(TriplePattern(p: id)) }
      throw DiagnosticError(.usage, code: "unknown-predicate", "unknown predicate `\(name)`")
    }
    switch program.predicates[index].kind {
    case .triple: return source.tripleCount
    case .stored(let id): return id.map { source.count(TriplePattern(p: $0)) } ?? 0
    case .txOf, .txMeta, .sourceOf:
      throw DiagnosticError(.usage, code: "count", "cannot count the provenance relation `\(name)`")
    case .derived, .storedAndDerived:
      let evaluator = Evaluator(program: program, source: source, operations: operations, budget: Budget(limits), reusing: cache)
      try evaluator.compute([index])
      cache = evaluator.cache(predicatesBelow: program.predicates.count)
      return evaluator.count(of: index)
    }
  }
}
