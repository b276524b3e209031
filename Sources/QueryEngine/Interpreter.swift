// The engine's public face: rules are checked and lowered once, queries are answered against a
// TripleSource, relations completed for one query are reused by the next as long as the rules
// stay the same.

import Diagnostics
import GraphModel
import QueryIR
import QueryLanguage

/// The answer to one query.
public struct QueryResult: Sendable {
  /// The column names (the query's variables in order of first appearance).
  public var columns: [String]
  /// The rows as ids, sorted (by the query's `order by`, else by all columns), `limit` applied;
  /// writers stream them and decode each distinct term once.
  public var answer: AnswerRows
  /// The number of rows before `limit` was applied.
  public var totalRows: Int
  /// The query.
  public var query: SourcedQuery
  /// Seconds spent evaluating.
  public var seconds: Double

  /// The rows, decoded (every call decodes them all; large answers are better read with
  /// ``AnswerRows/forEachRow(_:)``).
  public var rows: [[Value]] { answer.decoded() }
  /// The number of rows, `limit` applied.
  public var rowCount: Int { answer.count }
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
  /// The declarations in force (standing ones first), in the order they were added.
  public private(set) var declarations: [SourcedDeclaration] = []
  private var base: IRProgram?
  /// What checking `rules` established (nil: check them again when next needed).
  private var established: ProgramChecker.Context?
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
    established = nil
    cache = RelationCache()
  }

  /// The names the checker treats as stored predicates.
  public var storedPredicates: Set<String> { storedNames }

  /// Checks a program's rules and queries against the rules in force, which are not checked
  /// again: the cost is the program's own.
  ///
  /// - Returns: The checked program (its own rules; the predicates of all rules in force) and
  ///   its diagnostics.
  public func check(_ programRules: [SourcedRule], _ queries: [SourcedQuery], declarations: [SourcedDeclaration] = [], shouldStop: StopRequest? = nil) -> (CheckedProgram, [Diagnostic]) {
    let (checked, diagnostics, _) = checker.extend(establishedContext(), rules: programRules, queries: queries, declarations: declarations, shouldStop: shouldStop)
    return (checked, diagnostics)
  }

  private var checker: ProgramChecker { ProgramChecker(storedPredicates: storedNames) }

  private func establishedContext() -> ProgramChecker.Context {
    if let established { return established }
    let context = checker.extend(ProgramChecker.Context(), rules: rules, queries: [], declarations: declarations).2
    established = context
    return context
  }

  /// Adds rules (and facts) after checking them with the rules already in force.
  ///
  /// Only the new rules are checked and lowered (onto the program of the rules in force) when
  /// they leave the kind of every known predicate as it was, so an entry of one fact costs that
  /// fact, not the session's size; stratification is checked on the whole program each time (it
  /// grows with rules, not with facts, which live in fact tables).
  ///
  /// - Parameter budget: The stage's limits (time, cancellation); fresh ones when nil.
  /// - Returns: Warnings (for example singleton variables).
  /// - Throws: ``DiagnosticError`` with every error found, or when the budget runs out; nothing
  ///   is added then.
  @discardableResult
  public func add(_ given: [SourcedRule], declarations newDeclarations: [SourcedDeclaration] = [], budget: Budget? = nil) throws(DiagnosticError) -> [Diagnostic] {
    guard !given.isEmpty || !newDeclarations.isEmpty else { return [] }
    let budget = budget ?? Budget(limits)
    let (checked, diagnostics, context) = checker.extend(
      establishedContext(), rules: given, queries: [], declarations: newDeclarations, shouldStop: { budget.isExhausted })
    try budget.checkStage()
    if diagnostics.contains(where: { $0.severity == .error }) {
      throw DiagnosticError(diagnostics.filter { $0.severity == .error })
    }
    let newRules = checked.rules  // disjunctions expanded
    // Stratification is checked for the whole rule set now, so a later query cannot be the
    // first to hit a cycle introduced here.
    // The program in force is taken out (so that extending it copies nothing) and rebuilt from
    // `rules` on next use if this add fails.
    var lowered: IRProgram
    if var program = base.take(), canLower(onto: program, predicates: checked.predicates) {
      lower(newRules, onto: &program, predicates: checked.predicates)
      lowered = program
    } else {
      lowered = lower(rules + newRules, predicates: checked.predicates)
    }
    try budget.checkStage()
    _ = try Stratifier.strata(of: lowered, computing: Set(lowered.predicates.indices))
    try budget.checkStage()
    rules.append(contentsOf: newRules)
    declarations.append(contentsOf: newDeclarations)
    established = context
    base = lowered
    cache = RelationCache()
    return diagnostics.filter { $0.severity != .error }
  }

  /// Removes every rule added (standing rules included); the next `add` starts afresh.
  public func removeAllRules() {
    rules = []
    declarations = []
    base = nil
    established = nil
    cache = RelationCache()
  }

  /// Lowers rules into a new program with an entry for every predicate the checker knows.
  func lower(_ sourcedRules: [SourcedRule], predicates: [String: PredicateInfo]) -> IRProgram {
    var program = IRProgram(predicates: [], rules: [], indexByName: [:])
    lower(sourcedRules, onto: &program, predicates: predicates)
    return program
  }

  /// Whether more rules can be lowered onto `program`: no predicate it has changes kind (as a
  /// stored predicate that rules now also define does); otherwise everything is lowered again.
  private func canLower(onto program: IRProgram, predicates: [String: PredicateInfo]) -> Bool {
    for (name, info) in predicates {
      guard let index = program.indexByName[name] else { continue }
      let entry = program.predicates[index]
      guard entry.arity == info.arity, Lowering.kind(of: info, in: source.dictionary) == entry.kind else { return false }
    }
    return true
  }

  /// Lowers rules onto `program`; every predicate the checker knows gets an entry (if it has
  /// none yet), so queries find them.
  private func lower(_ newRules: [SourcedRule], onto program: inout IRProgram, predicates: [String: PredicateInfo]) {
    var lowering = Lowering(dictionary: dictionary, storeDictionary: source.dictionary)
    swap(&lowering.program, &program)
    for sourced in newRules {
      lowering.add(sourced, predicates: predicates)
    }
    for (name, info) in predicates.sorted(by: { $0.key < $1.key }) {
      _ = lowering.predicate(name, info)
    }
    swap(&lowering.program, &program)
  }

  func baseProgram() -> IRProgram {
    if let base { return base }
    let lowered = lower(rules, predicates: establishedContext().knownPredicates)
    base = lowered
    return lowered
  }

  /// Answers a checked query (see ``check(_:_:)``).
  ///
  /// - Throws: ``DiagnosticError`` for evaluation errors (limits, division by zero...).
  /// Planning, evaluation and decoding share one budget (time, cancellation, facts, bytes).
  public func answer(_ query: SourcedQuery, predicates: [String: PredicateInfo]) throws(DiagnosticError) -> QueryResult {
    let budget = Budget(limits)
    let started = budget.started
    let (program, result) = plannedProgram(query, predicates: predicates)
    try budget.checkStage()
    let evaluator = makeEvaluator(program, budget: budget, reusing: cache)
    let (answer, total, _) = try evaluateAnswer(program, result, query, evaluator)
    cache = evaluator.cache(predicatesBelow: baseProgram().predicates.count)
    try budget.checkStage()
    return QueryResult(columns: query.columns, answer: answer, totalRows: total, query: query, seconds: Budget.now() - started)
  }

  /// Evaluates what a query needs and turns its result into rows. A query that only reads one
  /// predicate, every argument a distinct variable (`?- path(X, Y).`), is answered from that
  /// predicate's relation or dense matrix itself, without copying it, or, for the store's
  /// triples and stored predicates, from the index's matches (distinct already).
  ///
  /// - Returns: The rows, their number before `limit`, and how a direct answer was read (for
  ///   explain), nil when the query's own rule ran.
  func evaluateAnswer(_ program: IRProgram, _ result: Int, _ query: SourcedQuery, _ evaluator: Evaluator) throws(DiagnosticError) -> (AnswerRows, Int, String?) {
    let builder = AnswerBuilder(operations: operations)
    let ordering = query.query.ordering.compactMap { key in
      query.columns.firstIndex(of: key.variable).map { ($0, key.descending) }
    }
    let limit = query.query.limit
    let queryRules = program.rules.filter { $0.head.predicate == result }
    if queryRules.count == 1, let rule = queryRules.first, rule.aggregates.isEmpty, rule.body.count == 1,
      case .positive(let atom) = rule.body[0], atom.terms.count == query.columns.count, rule.head.terms == atom.terms,
      Set(atom.variables).count == atom.terms.count, !program.predicates[atom.predicate].isDerived
    {
      let pattern: TriplePattern?
      switch program.predicates[atom.predicate].kind {
      case .triple: pattern = TriplePattern(s: nil, p: nil, o: nil)
      case .stored(let id): pattern = id.map { TriplePattern(s: nil, p: $0, o: nil) }
      default: pattern = nil
      }
      if let pattern {
        let name = program.predicates[atom.predicate].name
        let note = "the stored triples of \(name) as the index holds them (the query reads one predicate, each argument a distinct variable)"
        let n = source.count(pattern)
        // The matches are copied out once (4 bytes an id) besides what the answer needs.
        try charge(rows: n, arity: atom.terms.count, extraBytesPerRow: atom.terms.count &* 4, name, evaluator.budget)
        var data: [TermID] = []
        data.reserveCapacity(n * atom.terms.count)
        source.match(pattern, appendingFreePositionsTo: &data)
        try evaluator.budget.checkStage()
        return (builder.rows(of: data, count: n, arity: atom.terms.count, ordering: ordering, limit: limit), n, note)
      }
    }
    if queryRules.count == 1, let rule = queryRules.first, rule.aggregates.isEmpty, rule.body.count == 1,
      case .positive(let atom) = rule.body[0], program.predicates[atom.predicate].isDerived,
      atom.terms.count == query.columns.count, rule.head.terms == atom.terms,
      Set(atom.variables).count == atom.terms.count
    {
      try evaluator.compute([atom.predicate])
      try evaluator.budget.checkStage()
      if let matrix = evaluator.dense[atom.predicate], ordering.isEmpty {
        let note = "the rows of \(program.predicates[atom.predicate].name), read from its bit matrix in place"
        return (builder.rows(of: matrix, limit: limit), matrix.count, note)
      }
      do throws(EvaluationError) {
        try evaluator.materialize(atom.predicate)
      } catch {
        throw DiagnosticError(error.diagnostic)
      }
      let relation = evaluator.relations[atom.predicate]
      let note = "the rows of \(program.predicates[atom.predicate].name) as they are (the query reads one predicate, each argument a distinct variable)"
      try charge(rows: relation?.count ?? 0, arity: atom.terms.count, program.predicates[atom.predicate].name, evaluator.budget)
      return (builder.rows(of: relation, arity: atom.terms.count, ordering: ordering, limit: limit), relation?.count ?? 0, note)
    }
    try evaluator.compute([result])
    try evaluator.budget.checkStage()
    let relation = evaluator.relations[result]
    try charge(rows: relation?.count ?? 0, arity: query.columns.count, program.predicates[result].name, evaluator.budget)
    return (builder.rows(of: relation, arity: query.columns.count, ordering: ordering, limit: limit), relation?.count ?? 0, nil)
  }

  /// Counts the memory an answer of `rows` rows takes against the budget before it is built:
  /// a rank per cell and a sort key per row (the distinct terms are at most the cells).
  private func charge(rows: Int, arity: Int, extraBytesPerRow: Int = 0, _ name: String, _ budget: Budget) throws(DiagnosticError) {
    do throws(EvaluationError) {
      try budget.allocated(rows &* (arity &* 4 &+ 8 &+ extraBytesPerRow), name)
    } catch {
      throw DiagnosticError(error.diagnostic)
    }
  }

  /// The program that answers a query: the base program, the query's rule, and the magic-sets
  /// rewrite when the query binds arguments of derived predicates not already computed.
  func plannedProgram(_ query: SourcedQuery, predicates: [String: PredicateInfo]) -> (IRProgram, Int) {
    let (prepared, result) = prepare(query, predicates: predicates)
    let program = useInlining ? Inlining.inlineViews(prepared).0 : prepared
    // A rewrite is used only when it stays stratified and range-restricted; otherwise the plain
    // program answers (slower, never wrong).
    if useMagicSets, let rewritten = MagicSets.rewrite(program, queryRule: program.rules.count - 1, skip: cache.complete),
      (try? Stratifier.strata(of: rewritten, computing: [result])) != nil,
      rewritten.rules.allSatisfy({ $0.unboundHeadVariables.isEmpty })
    {
      return (rewritten, result)
    }
    return (program, result)
  }

  /// Whether queries that bind arguments of derived predicates use the magic-sets rewrite.
  public var useMagicSets = true
  /// Whether linear binary recursion may be evaluated as a dense bit matrix.
  public var useDenseClosures = true
  /// Whether single-atom views over stored triples are inlined into the rules that read them
  /// (and identity rules dropped). Off only to check that inlining changes no answer.
  public var useInlining = true
  /// An evaluator over the store with this interpreter's settings.
  func makeEvaluator(_ program: IRProgram, budget: Budget, reusing cache: RelationCache? = nil) -> Evaluator {
    let evaluator = Evaluator(program: program, source: source, operations: operations, budget: budget, reusing: cache)
    evaluator.allowsDense = useDenseClosures
    evaluator.denseMinimumWidth = denseMinimumWidth
    return evaluator
  }

  /// The fewest distinct values the bit dimension of a recursive relation must hold, after its
  /// exit rules, for the dense bit matrix to be chosen (64, one machine word, by default; a
  /// narrower closure is cheaper tuple by tuple). Tests lower it to exercise the dense path on
  /// small graphs.
  public var denseMinimumWidth = 64

  /// The base program extended with the query's rule; returns the result predicate.
  func prepare(_ query: SourcedQuery, predicates: [String: PredicateInfo]) -> (IRProgram, Int) {
    var lowering = Lowering(dictionary: dictionary, storeDictionary: source.dictionary)
    lowering.program = baseProgram()
    // The rules the checker made for the query's aggregates and local negations.
    for sourced in query.auxiliaryRules {
      lowering.add(sourced, predicates: predicates)
    }
    let result = Interpreter.addQueryRules(query, named: "?-", to: &lowering, predicates: predicates)
    return (lowering.program, result)
  }

  /// Adds a query's rules (one per alternative of a disjunction) for a new result predicate.
  private static func addQueryRules(_ query: SourcedQuery, named name: String, to lowering: inout Lowering, predicates: [String: PredicateInfo]) -> Int {
    let result = lowering.program.add(PredicateEntry(name: name, arity: query.columns.count, kind: .derived))
    for body in query.branches {
      let origin = RuleOrigin(sourced: nil, literalSpans: body.map(\.span), note: "query")
      var rule = lowering.lower(head: nil, queryColumns: query.columns, body: body, predicates: predicates, origin: origin, resultPredicate: result)
      rule.origin.queryText = query.source.slice(query.query.span)
      rule.origin.querySource = query.source
      lowering.program.rules.append(rule)
    }
    return result
  }

  /// The program a translation reads: the rules in force and one rule set per query, each for
  /// its own result predicate (`?-1`, `?-2`...), as written (no magic sets, no inlining).
  /// Returns the program and the result predicates in query order.
  package func translationProgram(_ queries: [SourcedQuery], predicates: [String: PredicateInfo]) -> (IRProgram, [Int]) {
    var lowering = Lowering(dictionary: dictionary, storeDictionary: source.dictionary)
    lowering.program = baseProgram()
    var results: [Int] = []
    for (k, query) in queries.enumerated() {
      for sourced in query.auxiliaryRules {
        lowering.add(sourced, predicates: predicates)
      }
      results.append(Interpreter.addQueryRules(query, named: "?-\(k + 1)", to: &lowering, predicates: predicates))
    }
    return (lowering.program, results)
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
    case .txOf, .txMeta, .sourceOf, .search:
      throw DiagnosticError(.usage, code: "count", "cannot count the builtin relation `\(name)`")
    case .derived, .storedAndDerived:
      let evaluator = makeEvaluator(program, budget: Budget(limits), reusing: cache)
      try evaluator.compute([index])
      cache = evaluator.cache(predicatesBelow: program.predicates.count)
      return evaluator.count(of: index)
    }
  }
}
