// Bottom-up, semi-naive evaluation of the strata a query needs.
//
// In a recursive stratum, after the exit rules (rules reading nothing of the stratum) ran once,
// each iteration evaluates every recursive rule once per stratum atom in its body, with that
// atom reading the rows derived in the previous iteration (recent), atoms before it reading the
// rows derived earlier (stable), and atoms after it reading both; new rows are appended. When an
// iteration derives nothing, the stratum is complete:
//
//   Δp_{t+1} = ⋃_j  rule(p_stable ... , Δp_t at j, ... p_stable+recent) − p
//
// Relations of earlier strata are complete and read whole.

import Diagnostics
import GraphModel
import QueryIR
import QueryLanguage

/// Completed relations kept between queries over the same rules.
struct RelationCache {
  var relations: [Int: Relation] = [:]
  var dense: [Int: DenseMatrix] = [:]
  var complete = Set<Int>()
  var stratumRounds: [Int: ClosedRange<UInt32>] = [:]
  var round: UInt32 = 0
}

/// What `explain` reports about one stratum.
struct StratumStatistics: Sendable {
  var predicates: [Int]
  var isRecursive: Bool
  /// Set when the stratum was evaluated as a dense bit-matrix closure: the id space.
  var denseSize: Int?
  var iterations: Int
  var seconds: Double
  var rules: [RuleStatistics]
  /// For a dense stratum, the recursive rules evaluated on the bit matrix.
  var denseRules: [Int] = []
}

/// What `explain` reports about one rule variant: its (last) plan and the rows each step
/// produced, summed over iterations.
struct RuleStatistics: Sendable {
  var plan: RulePlan
  var actualRows: [Int]
  var runs: Int
  var derived: Int
}

final class Evaluator {
  let program: IRProgram
  let source: any TripleSource
  let operations: ValueOperations
  let budget: Budget
  /// Relations of derived predicates computed so far.
  private(set) var relations: [Int: Relation] = [:]
  /// Predicates whose relations are complete.
  private(set) var complete = Set<Int>()
  /// The current round (rows record the round they were derived in).
  private(set) var round: UInt32 = 0
  /// The first and last round of each predicate's stratum, for `why`.
  private(set) var stratumRounds: [Int: ClosedRange<UInt32>] = [:]
  /// Statistics per stratum, in evaluation order.
  private(set) var statistics: [StratumStatistics] = []
  /// Recursive binary predicates computed as bit matrices (see DenseClosure); their relations
  /// hold only the exit rules' tuples until something reads them.
  private(set) var dense: [Int: DenseMatrix] = [:]
  /// Whether dense evaluation may be used (`why` needs per-tuple rounds, so it turns it off).
  var allowsDense = true
  /// The fewest distinct values in a dense relation's bit dimension (see Interpreter).
  var denseMinimumWidth = 64
  /// For dense predicates: the recursive rules and the number of extending edges (explain).
  private(set) var denseEdges: [Int: Int] = [:]

  /// The store's index runs, read directly by executors.
  private let indexRuns: IndexRuns?

  init(program: IRProgram, source: any TripleSource, operations: ValueOperations, budget: Budget, reusing cache: RelationCache? = nil) {
    self.program = program
    self.source = source
    self.indexRuns = source.indexRuns
    self.operations = operations
    self.budget = budget
    if let cache {
      relations = cache.relations
      dense = cache.dense
      complete = cache.complete
      round = cache.round
      stratumRounds = cache.stratumRounds
    }
  }

  /// The complete relations of predicates below `limit` (those of the base program), for reuse
  /// by later queries.
  func cache(predicatesBelow limit: Int) -> RelationCache {
    var cache = RelationCache()
    for p in complete where p < limit {
      cache.relations[p] = relations[p]
      cache.dense[p] = dense[p]
      cache.complete.insert(p)
      cache.stratumRounds[p] = stratumRounds[p]
    }
    cache.round = round
    return cache
  }

  /// Computes every derived predicate the targets need.
  func compute(_ targets: Set<Int>) throws(DiagnosticError) {
    let strata = try Stratifier.strata(of: program, computing: targets)
    for stratum in strata where !stratum.predicates.allSatisfy(complete.contains) {
      do throws(EvaluationError) {
        try evaluate(stratum)
      } catch {
        throw DiagnosticError(error.diagnostic)
      }
    }
  }

  /// The number of tuples of a computed derived predicate.
  func count(of predicate: Int) -> Int {
    if let matrix = dense[predicate] { return matrix.count }
    return relations[predicate]?.count ?? 0
  }

  /// Whether a rule is an aggregate over one binary atom of distinct variables, which reads a
  /// dense closure's matrix directly (see `aggregateDirectly`) rather than a relation.
  static func aggregatesOneBinaryAtom(_ rule: IRRule) -> Bool {
    guard !rule.aggregates.isEmpty, rule.body.count == 1, case .positive(let atom) = rule.body[0], atom.terms.count == 2,
      case .variable(let x) = atom.terms[0], case .variable(let y) = atom.terms[1]
    else { return false }
    return x != y
  }

  /// Turns a dense predicate into an ordinary relation (when a rule or a query reads it). Only
  /// now do its tuples count as derived facts: a matrix that nothing materialises counts by its
  /// bytes alone.
  func materialize(_ predicate: Int) throws(EvaluationError) {
    guard let matrix = dense[predicate] else { return }
    let relation = Relation(arity: 2, idSpace: operations.dictionary.count)
    let round = stratumRounds[predicate]?.upperBound ?? round
    let name = program.predicates[predicate].name
    if budget.derived > budget.limits.maxDerivedFacts &- matrix.count {
      budget.growing = name
      throw EvaluationError(reason: .tooManyFacts(limit: budget.limits.maxDerivedFacts, growing: name))
    }
    try budget.allocated(matrix.count &* Budget.tupleBytes(arity: 2), name)
    budget.derived &+= matrix.count
    var tuple: [TermID] = [0, 0]
    matrix.forEachTuple { a, b in
      tuple[0] = a
      tuple[1] = b
      relation.insert(tuple, round: round)
    }
    dense[predicate] = nil
    relations[predicate] = relation
  }

  private func evaluate(_ stratum: Stratum) throws(EvaluationError) {
    let started = Budget.now()
    let members = Set(stratum.predicates)
    let firstRound = round + 1
    // Anything this stratum reads must be an ordinary relation.
    for r in stratum.rules where !Evaluator.aggregatesOneBinaryAtom(program.rules[r]) {
      for literal in program.rules[r].body {
        if let atom = literal.atom, dense[atom.predicate] != nil { try materialize(atom.predicate) }
      }
    }
    let denseShape = allowsDense ? DenseClosure.shape(of: stratum, in: program, idSpace: operations.dictionary.count) : nil
    for p in stratum.predicates {
      let relation = Relation(arity: program.predicates[p].arity, idSpace: operations.dictionary.count)
      relations[p] = relation
      if let table = program.facts[p] {
        // The facts a text states: data, copied in without planning a rule each.
        let name = program.predicates[p].name
        let width = table.arity
        try table.values.withUnsafeBufferPointer { values throws(EvaluationError) in
          for row in 0..<table.origins.count where relation.insert(UnsafeBufferPointer(rebasing: values[(row * width)..<((row + 1) * width)]), round: round + 1) {
            try budget.derivedOne(name, arity: width)
          }
        }
      }
      if case .storedAndDerived(let id) = program.predicates[p].kind, let id {
        // Seed with the stored facts.
        var pairs: [TermID] = []
        source.match(TriplePattern(p: id), appendingFreePositionsTo: &pairs)
        var k = 0
        while k + 1 < pairs.count {
          relation.insert([pairs[k], pairs[k + 1]], round: 0)
          k += 2
        }
      }
    }
    var ruleStatistics: [VariantKey: RuleStatistics] = [:]
    var executors: [VariantKey: Executor] = [:]
    let readsStratum = { (r: Int) in
      self.program.rules[r].body.contains { literal in
        if case .positive(let atom) = literal { return members.contains(atom.predicate) }
        return false
      }
    }
    // Exit rules (and aggregates, facts) once.
    round += 1
    for r in stratum.rules where !readsStratum(r) {
      try run(rule: r, delta: nil, members: members, statistics: &ruleStatistics, executors: &executors)
    }
    // A bit matrix pays off when rows carry many bits: by default at least a word's worth of
    // distinct values in the bit dimension (a closure from one source stays tuple by tuple).
    if let shape = denseShape, let relation = relations[shape.predicate] {
      var distinct = Set<TermID>()
      let column = shape.keyedBySecond ? 0 : 1
      for row in 0..<relation.count where distinct.count < denseMinimumWidth {
        distinct.insert(relation.value(row: row, column: column))
      }
      if distinct.count >= denseMinimumWidth {
        try evaluateDense(shape, stratum, started: started, firstRound: firstRound, statistics: ruleStatistics, executors: executors)
        return
      }
    }
    var iterations = 1
    if stratum.isRecursive {
      for p in stratum.predicates {
        let relation = relations[p]!
        relation.stableEnd = 0
        relation.recentEnd = relation.count
      }
      let recursive = stratum.rules.filter(readsStratum)
      while stratum.predicates.contains(where: { relations[$0]!.recentEnd > relations[$0]!.stableEnd }) {
        round += 1
        iterations += 1
        for r in recursive {
          for (j, literal) in program.rules[r].body.enumerated() {
            guard case .positive(let atom) = literal, members.contains(atom.predicate) else { continue }
            guard let relation = relations[atom.predicate], relation.recentEnd > relation.stableEnd else { continue }
            try run(rule: r, delta: j, members: members, statistics: &ruleStatistics, executors: &executors)
          }
        }
        var growing: (String, Int)?
        for p in stratum.predicates {
          let relation = relations[p]!
          let added = relation.count - relation.recentEnd
          if added > (growing?.1 ?? 0) { growing = (program.predicates[p].name, added) }
          relation.stableEnd = relation.recentEnd
          relation.recentEnd = relation.count
        }
        if let growing { budget.growing = growing.0 }
        try budget.check()
      }
    }
    for (key, executor) in executors {
      ruleStatistics[key]?.actualRows = executor.produced
    }
    for p in stratum.predicates {
      complete.insert(p)
      stratumRounds[p] = firstRound...round
    }
    statistics.append(StratumStatistics(
      predicates: stratum.predicates, isRecursive: stratum.isRecursive, denseSize: nil, iterations: iterations,
      seconds: Budget.now() - started,
      rules: ruleStatistics.values.sorted { ($0.plan.rule, $0.plan.deltaLiteral ?? -1) < ($1.plan.rule, $1.plan.deltaLiteral ?? -1) }))
  }

  /// Finishes a stratum whose exit rules have run as a dense closure (see DenseClosure).
  private func evaluateDense(
    _ shape: DenseClosure.Shape, _ stratum: Stratum, started: Double, firstRound: UInt32,
    statistics ruleStatistics: [VariantKey: RuleStatistics], executors: [VariantKey: Executor]
  ) throws(EvaluationError) {
    let p = shape.predicate
    let size = operations.dictionary.count
    guard let relation = relations[p] else { return }
    var ruleStatistics = ruleStatistics
    // The (near, far) pairs of every extending atom.
    func pairs(_ edge: DenseClosure.Edge, rule r: Int) throws(EvaluationError) -> [(TermID, TermID)] {
      var probe = program
      let rule = program.rules[r]
      let atom = edge.atom
      probe.rules.append(IRRule(head: IRAtom(predicate: p, terms: [atom.terms[edge.near], atom.terms[edge.far]]), aggregates: [], body: [.positive(atom)], variableNames: rule.variableNames, origin: rule.origin))
      let planner = Planner(program: probe, source: source, relationSize: { self.relations[$0]?.count ?? 0 }, stratum: [])
      let plan = planner.plan(rule: probe.rules.count - 1, delta: nil)
      let executor = Executor(program: probe, source: source, operations: operations, relations: relations, budget: budget, plan: plan, indexRuns: indexRuns)
      let registers = executor.registers
      guard case .variable(let nearVariable) = atom.terms[edge.near], case .variable(let farVariable) = atom.terms[edge.far] else { return [] }
      var found: [(TermID, TermID)] = []
      executor.emit = { () throws(EvaluationError) in
        found.append((registers[nearVariable], registers[farVariable]))
      }
      try executor.run()
      return found
    }
    var edges = DenseClosure.Edges()
    var edgeCount = 0
    for (r, kind) in shape.extensions {
      switch kind {
      case .flow(let edge):
        let found = try pairs(edge, rule: r)
        edges.flows += found
        edgeCount += found.count
      case .sandwich(let left, let right):
        let l = try pairs(left, rule: r)
        let rr = try pairs(right, rule: r)
        edges.sandwiches.append((l, rr))
        edgeCount += l.count + rr.count
      }
    }
    for (key, executor) in executors {
      ruleStatistics[key]?.actualRows = executor.produced
    }
    let matrix = try DenseClosure.evaluate(shape, size: size, initial: relation, edges: edges, budget: budget)
    denseEdges[p] = edgeCount
    round += UInt32(matrix.iterations)
    // The matrix counts by its bytes; its bits become facts only if something materialises them.
    try budget.allocated(matrix.size &* matrix.words &* 8, program.predicates[p].name)
    dense[p] = matrix
    complete.insert(p)
    stratumRounds[p] = firstRound...round
    statistics.append(StratumStatistics(
      predicates: [p], isRecursive: true, denseSize: size, iterations: matrix.iterations, seconds: Budget.now() - started,
      rules: ruleStatistics.values.sorted { $0.plan.rule < $1.plan.rule }, denseRules: shape.extensions.map(\.rule)))
  }

  /// A rule variant: the rule and the body literal read as the delta.
  struct VariantKey: Hashable {
    var rule: Int
    var delta: Int
  }

  /// Counts what an executor's emit derives (shared between the closure and the evaluator).
  private final class Emission {
    var derived = 0
    var round: UInt32 = 0
  }

  /// Plans and runs one rule variant, adding its head tuples to the head's relation. Within a
  /// stratum a variant is planned and compiled once, then rerun each iteration.
  private func run(rule r: Int, delta: Int?, members: Set<Int>, statistics: inout [VariantKey: RuleStatistics], executors: inout [VariantKey: Executor]) throws(EvaluationError) {
    let rule = program.rules[r]
    guard let target = relations[rule.head.predicate] else { return }
    let key = VariantKey(rule: r, delta: delta ?? -1)
    var derived = 0
    let name = program.predicates[rule.head.predicate].name
    let currentRound = round
    if rule.aggregates.isEmpty {
      let executor: Executor
      let emission: Emission
      if let cached = executors[key], let state = emissions[key] {
        executor = cached
        emission = state
      } else {
        let planner = Planner(program: program, source: source, relationSize: { self.relations[$0]?.count ?? 0 }, stratum: members)
        let plan = planner.plan(rule: r, delta: delta)
        executor = Executor(program: program, source: source, operations: operations, relations: relations, budget: budget, plan: plan, indexRuns: indexRuns)
        emission = Emission()
        let terms = rule.head.terms
        let budget = self.budget
        let width = terms.count
        let tuple = UnsafeMutablePointer<TermID>.allocate(capacity: max(1, width))
        tuple.initialize(repeating: 0, count: max(1, width))
        tupleBuffers.append(tuple)
        let registers = executor.registers
        executor.emit = { () throws(EvaluationError) in
          for k in 0..<width {
            switch terms[k] {
            case .variable(let v): tuple[k] = registers[v]
            case .constant(let c): tuple[k] = c
            case .wildcard: tuple[k] = 0
            }
          }
          if target.insert(UnsafeBufferPointer(start: tuple, count: width), round: emission.round) {
            emission.derived += 1
            try budget.derivedOne(name, arity: width)
          }
        }
        executors[key] = executor
        emissions[key] = emission
        statistics[key] = RuleStatistics(plan: plan, actualRows: [], runs: 0, derived: 0)
      }
      emission.round = currentRound
      let before = emission.derived
      try executor.run()
      statistics[key]?.runs += 1
      statistics[key]?.derived += emission.derived - before
      return
    }
    let planner = Planner(program: program, source: source, relationSize: { self.relations[$0]?.count ?? 0 }, stratum: members)
    let plan = planner.plan(rule: r, delta: delta)
    let aggregation = Aggregation(rule: rule, program: program, operations: operations, budget: budget)
    var produced: [Int]
    if let consumed = try aggregateDirectly(rule, aggregation) {
      produced = [consumed]
    } else {
      let executor = Executor(program: program, source: source, operations: operations, relations: relations, budget: budget, plan: plan, indexRuns: indexRuns)
      let registers = executor.registers
      executor.emit = { () throws(EvaluationError) in try aggregation.accept(registers) }
      try executor.run()
      produced = executor.produced
    }
    let budget = self.budget
    let dictionary = operations.dictionary
    for tuple in try aggregation.heads({ v throws(EvaluationError) in try budget.intern(v, in: dictionary, name) }) {
      if target.insert(tuple, round: currentRound) {
        derived += 1
        try budget.derivedOne(name, arity: tuple.count)
      }
    }
    if produced.count < plan.steps.count { produced += Array(repeating: 0, count: plan.steps.count - produced.count) }
    statistics[key] = RuleStatistics(plan: plan, actualRows: produced, runs: 1, derived: derived)
  }

  /// Feeds an aggregate whose body is one atom straight from what holds the atom's tuples,
  /// without running a plan: a dense closure's bit matrix (a count is a population count, per
  /// row when grouped by the row's key), a derived relation's size, or the store index's count
  /// of a pattern. Returns the number of body solutions consumed, or nil when the rule has
  /// another shape.
  private func aggregateDirectly(_ rule: IRRule, _ aggregation: Aggregation) throws(EvaluationError) -> Int? {
    guard rule.body.count == 1, case .positive(let atom) = rule.body[0] else { return nil }
    let variables = atom.variables
    guard Set(variables).count == variables.count else { return nil }  // p(X, X) filters
    if let matrix = dense[atom.predicate] {
      guard Evaluator.aggregatesOneBinaryAtom(rule), case .variable(let x) = atom.terms[0], case .variable(let y) = atom.terms[1] else { return nil }
      let keyVariable = matrix.keyedBySecond ? y : x
      if aggregation.countsOnly && aggregation.groupTerms.isEmpty {
        try aggregation.add(count: matrix.count, group: [])
        return matrix.count
      }
      let words = matrix.words
      let bits = matrix.bits
      if aggregation.countsOnly, aggregation.groupTerms.count == 1, case .variable(keyVariable) = aggregation.groupTerms[0] {
        var total = 0
        for row in 0..<matrix.size {
          let base = bits + row * words
          var n = 0
          for w in 0..<words { n &+= base[w].nonzeroBitCount }
          if n > 0 {
            try aggregation.add(count: n, group: [TermID(row)])
            total &+= n
          }
        }
        return total
      }
      let registers = UnsafeMutablePointer<TermID>.allocate(capacity: max(1, rule.variableNames.count, x + 1, y + 1))
      registers.initialize(repeating: 0, count: max(1, rule.variableNames.count, x + 1, y + 1))
      defer { registers.deallocate() }
      try matrix.forEachTuple { (a, b) throws(EvaluationError) in
        registers[x] = a
        registers[y] = b
        try aggregation.accept(registers)
      }
      return matrix.count
    }
    guard aggregation.countsOnly, aggregation.groupTerms.isEmpty else { return nil }
    var constants: [TermID?] = []
    for term in atom.terms {
      switch term {
      case .variable: constants.append(nil)
      case .constant(let c): constants.append(c)
      case .wildcard: return nil
      }
    }
    // A constant the store does not know matches nothing there.
    let known = { (c: TermID?) in c.map { Int($0) < self.source.dictionary.count } ?? true }
    let n: Int
    switch program.predicates[atom.predicate].kind {
    case .derived, .storedAndDerived:
      guard constants.allSatisfy({ $0 == nil }), let relation = relations[atom.predicate] else { return nil }
      n = relation.count
    case .triple:
      n = constants.allSatisfy(known) ? source.count(TriplePattern(s: constants[0], p: constants[1], o: constants[2])) : 0
    case .stored(let id):
      guard let id else { n = 0; break }
      n = constants.allSatisfy(known) ? source.count(TriplePattern(s: constants[0], p: id, o: constants[1])) : 0
    case .txOf, .txMeta, .sourceOf, .search:
      return nil
    }
    try aggregation.add(count: n, group: [])
    return n
  }

  private var emissions: [VariantKey: Emission] = [:]
  private var tupleBuffers: [UnsafeMutablePointer<TermID>] = []

  deinit {
    for buffer in tupleBuffers { buffer.deallocate() }
  }
}
