// `why` and `why not`. A derived fact remembers the round it was first derived in; a
// derivation of it uses only facts of its own stratum derived in earlier rounds (plus complete
// lower strata and stored facts), so following derivations always ends at stored facts, whose
// provenance (transaction and source) closes the explanation. Among a fact's derivations, the
// one whose body facts are earliest is shown, which keeps the tree shallow.

import Diagnostics
import GraphModel
import QueryIR
import QueryLanguage

/// How a fact is derived: a tree whose root is the fact, whose inner nodes alternate between
/// facts and the rules that derived them, and whose leaves are stored facts (with their
/// transactions and sources) and the conditions that held. `why` prints it; the DOT export
/// draws it.
public struct DerivationTree: Sendable {
  /// What a node stands for.
  public enum Kind: Sendable, Equatable {
    /// A derived fact (explained by its child rule).
    case derivedFact
    /// A stored fact: a leaf, annotated with its provenance.
    case storedFact
    /// A rule that derived its parent from its children.
    case rule
    /// A condition that held: a negation, a comparison, a test, an aggregate.
    case condition
  }

  /// One node.
  public struct Node: Sendable {
    /// What it is.
    public var kind: Kind
    /// The fact, rule or condition as written in the query language.
    public var text: String
    /// A rule's location, or a note such as `(holds)`; for a stored fact, its provenance
    /// (`stored: tx 12 (source: 000:L1-L2)`, from ``provenance``).
    public var annotation: String? {
      get { kind == .storedFact ? DerivationTree.provenanceText(provenance) : note }
      set { note = newValue }
    }
    private var note: String?
    /// The transactions that asserted a stored fact, with their sources.
    public var provenance: [(transaction: Int, source: String?)] = []
    /// Child node indices.
    public var children: [Int] = []

    /// Creates a node.
    public init(kind: Kind, text: String, annotation: String? = nil, provenance: [(transaction: Int, source: String?)] = [], children: [Int] = []) {
      self.kind = kind
      self.text = text
      self.note = annotation
      self.provenance = provenance
      self.children = children
    }
  }

  /// `stored: tx 12 (source: 000:L146-L152)`, naming every asserting transaction.
  static func provenanceText(_ provenance: [(transaction: Int, source: String?)]) -> String {
    let parts = provenance.map { "tx \($0.transaction)" + ($0.source.map { " (source: \($0))" } ?? "") }
    return "stored: " + (parts.isEmpty ? "no provenance" : parts.joined(separator: "; "))
  }

  /// The nodes; `nodes[0]` is the fact explained. Empty when the fact does not hold.
  public var nodes: [Node]
  /// Whether the fact has other derivations than the one shown.
  public var othersExist: Bool
  /// Why there is no tree (the fact does not hold), when `nodes` is empty.
  public var message: String?
  /// What the auxiliary predicates in the tree stand for (see `Auxiliary`), one line each.
  public var legend: [String] = []

  /// The tree as indented text, down to `maxDepth` levels.
  ///
  /// - Parameter sourceLines: Lines to print under a stored fact for each source it cites (a
  ///   document's title, the cited passage), indented under the fact.
  public func render(maxDepth: Int = 40, sourceLines: ((String) -> [String])? = nil) -> String {
    guard !nodes.isEmpty else { return message ?? "" }
    var lines: [String] = []
    // Explicit stack: (node, prefix for its children, own prefix, depth).
    var stack: [(Int, String, String, Int)] = [(0, "", "", 0)]
    while let (node, childPrefix, ownPrefix, depth) = stack.popLast() {
      let n = nodes[node]
      let shown = n.kind == .rule ? "rule " + n.text : n.text
      lines.append(ownPrefix + shown + (n.annotation.map { "   " + $0 } ?? ""))
      if n.kind == .storedFact, let sourceLines {
        for source in n.provenance.compactMap(\.source) {
          lines += sourceLines(source).map { childPrefix + "    " + $0 }
        }
      }
      if depth >= maxDepth, !n.children.isEmpty {
        lines.append(childPrefix + "└─ … (deeper levels not shown)")
        continue
      }
      for (k, child) in n.children.enumerated().reversed() {
        let last = k == n.children.count - 1
        stack.append((child, childPrefix + (last ? "   " : "│  "), childPrefix + (last ? "└─ " : "├─ "), depth + 1))
      }
    }
    if othersExist {
      lines.append("(this is a shortest derivation; others exist)")
    }
    if !legend.isEmpty { lines += [""] + legend }
    return lines.joined(separator: "\n")
  }
}

extension Interpreter {
  private struct Found: Error {}

  /// Explains how a fact holds: its derivation down to stored facts with their sources, as text.
  ///
  /// - Parameters:
  ///   - atom: A ground atom.
  ///   - source: Its text (for messages).
  ///   - predicates: Checked predicate information (from ``check(_:_:)``).
  ///   - maxDepth: How many levels of the tree to print.
  public func why(_ atom: Atom, in source: SourceText, predicates: [String: PredicateInfo], maxDepth: Int = 40) throws(DiagnosticError) -> String {
    try derivation(atom, in: source, predicates: predicates).render(maxDepth: maxDepth)
  }

  /// The derivation of a fact down to stored facts (see ``DerivationTree``).
  public func derivation(_ atom: Atom, in source: SourceText, predicates: [String: PredicateInfo]) throws(DiagnosticError) -> DerivationTree {
    let (program, evaluator, predicate, tuple) = try prepareFact(atom, source, predicates)
    let printer = IRPrinter(program: program, operations: operations)
    let factText = printer.atom(IRAtom(predicate: predicate, terms: tuple.map { .constant($0) }), IRRule(head: IRAtom(predicate: predicate, terms: []), aggregates: [], body: [], variableNames: [], origin: RuleOrigin(literalSpans: [])))
    let entry = program.predicates[predicate]
    if !entry.isDerived {
      guard let stored = storedFact(entry, tuple, text: factText) else {
        return DerivationTree(nodes: [], othersExist: false, message: "\(factText) does not hold: the store has no such fact.\nTry `.whynot \(factText)` (at the command line: `xinzhi why-not '\(factText)'`).")
      }
      return DerivationTree(nodes: [stored], othersExist: false, message: nil)
    }
    guard let relation = evaluator.relations[predicate], let row = tuple.withUnsafeBufferPointer({ relation.find($0) }) else {
      return DerivationTree(nodes: [], othersExist: false, message: "\(factText) does not hold: no rule derives it and the store does not hold it.\nTry `.whynot \(factText)` (at the command line: `xinzhi why-not '\(factText)'`) to see which condition fails.")
    }
    var nodes: [DerivationTree.Node] = []
    var alternatives = false
    var explained: [String: Int] = [:]
    // Breadth-first over facts to explain: (node index, predicate, tuple, round).
    var queue: [(Int, Int, [TermID], UInt32)] = []
    nodes.append(DerivationTree.Node(kind: .derivedFact, text: factText))
    queue.append((0, predicate, tuple, relation.rounds[row]))
    var head = 0
    while head < queue.count {
      let (node, p, values, round) = queue[head]
      head += 1
      let text = nodes[node].text
      if let first = explained[text], first != node {
        nodes[node].annotation = "(derived as shown above)"
        continue
      }
      explained[text] = node
      if round == 0, case .storedAndDerived(let id) = program.predicates[p].kind, let id, values.count == 2 {
        nodes[node] = storedNode(text: text, IDTriple(values[0], id, values[1]))
        continue
      }
      if let hidden = program.factsOf[p], let origin = program.facts[hidden]?.origin(of: values) {
        // A fact the text states: the leaf is the fact as written, where it was written.
        let ruleNode = nodes.count
        nodes.append(DerivationTree.Node(kind: .rule, text: text + ".", annotation: "[\(origin.location)]"))
        nodes[node].children.append(ruleNode)
        continue
      }
      guard let derivation = try bestDerivation(program, evaluator, predicate: p, tuple: values, round: round) else {
        nodes[node].annotation = "(no derivation found)"
        continue
      }
      if derivation.others { alternatives = true }
      let ruleNode = nodes.count
      let location = derivation.rule.origin.sourced.map { "[\($0.location)]" }
      nodes.append(DerivationTree.Node(kind: .rule, text: printer.rule(derivation.rule), annotation: location))
      nodes[node].children.append(ruleNode)
      for premise in derivation.premises {
        let child = nodes.count
        nodes.append(premise.node)
        nodes[ruleNode].children.append(child)
        if let (q, qValues, qRound) = premise.derived {
          queue.append((child, q, qValues, qRound))
        }
      }
    }
    var tree = DerivationTree(nodes: nodes, othersExist: alternatives, message: nil)
    tree.legend = program.auxiliaryLegend(for: nodes.map(\.text).joined(separator: "\n"))
    return tree
  }

  /// Explains why a fact does not hold: for each rule that could derive it, the first body
  /// literal that has no match; for stored predicates, the nearest stored facts.
  public func whyNot(_ atom: Atom, in source: SourceText, predicates: [String: PredicateInfo]) throws(DiagnosticError) -> String {
    let (program, evaluator, predicate, tuple) = try prepareFact(atom, source, predicates)
    let printer = IRPrinter(program: program, operations: operations)
    let emptyRule = IRRule(head: IRAtom(predicate: predicate, terms: []), aggregates: [], body: [], variableNames: [], origin: RuleOrigin(literalSpans: []))
    let factText = printer.atom(IRAtom(predicate: predicate, terms: tuple.map { .constant($0) }), emptyRule)
    let entry = program.predicates[predicate]
    var lines: [String] = []
    if entry.isDerived, let relation = evaluator.relations[predicate], tuple.withUnsafeBufferPointer({ relation.find($0) }) != nil {
      return "\(factText) holds; `why \(factText)` shows how."
    }
    if !entry.isDerived {
      if storedFact(entry, tuple, text: factText) != nil {
        return "\(factText) holds: it is stored. `why \(factText)` shows its source."
      }
    }
    switch entry.kind {
    case .stored(let id), .storedAndDerived(let id):
      lines.append("The store does not hold \(factText).")
      if let id, tuple.count == 2 {
        let near = nearbyStoredFacts(id, tuple)
        if !near.isEmpty {
          lines.append("Stored facts that come close:")
          lines += near.map { "  " + $0 }
        }
      }
    default:
      break
    }
    guard entry.isDerived else { return lines.joined(separator: "\n") }
    let rules = program.rulesByHead()[predicate] ?? []
    if rules.isEmpty { lines.append("No rule derives \(program.predicates[predicate].name).") }
    for r in rules {
      let rule = program.rules[r]
      if rule.body.count == 1, let atom = rule.body[0].atom, let table = program.facts[atom.predicate] {
        let count = table.origins.count
        lines.append("the text states \(count) fact\(count == 1 ? "" : "s") of \(program.predicates[predicate].name); none is \(factText)")
        continue
      }
      var where_ = ""
      if let sourced = rule.origin.sourced { where_ = " [\(sourced.location)]" }
      lines.append("rule " + printer.rule(rule) + where_)
      guard let registers = unify(rule, tuple) else {
        lines.append("  cannot derive it: the head does not match \(factText)")
        continue
      }
      let bound = Set(registers.keys)
      let planner = Planner(program: program, source: self.source, relationSize: { evaluator.relations[$0]?.count ?? 0 }, stratum: [])
      let plan = planner.plan(rule: r, delta: nil, bound: bound)
      // Run longer and longer prefixes of the plan; the first one without a solution ends
      // with the failing literal.
      func solutions(_ k: Int, cap: Int) throws(DiagnosticError) -> Int {
        var prefix = plan
        prefix.steps = Array(plan.steps.prefix(k))
        let executor = Executor(program: program, source: self.source, operations: operations, relations: evaluator.relations, budget: Budget(limits), plan: prefix)
        for (v, value) in registers { executor.registers[v] = value }
        var found = 0
        executor.emit = { () throws(EvaluationError) in
          found += 1
          if found >= cap { throw EvaluationError(reason: .cancelled) }
        }
        do {
          try executor.run()
        } catch {
          if case .cancelled = error.reason {} else { throw DiagnosticError(error.diagnostic) }
        }
        return found
      }
      var failingStep: Int?
      for k in 1...max(1, plan.steps.count) where !plan.steps.isEmpty {
        if try solutions(k, cap: 1) == 0 {
          failingStep = k - 1
          break
        }
      }
      // Show literals with the fact's values substituted for the head variables.
      var shown = rule
      let substituted = { (literal: IRLiteral) -> String in
        var bodyRule = shown
        bodyRule.body = [literal]
        return printer.literal(self.substituteLiteral(literal, registers), bodyRule)
      }
      shown.variableNames = rule.variableNames
      if let failingStep {
        let failing = substituted(rule.body[plan.steps[failingStep].literal])
        if failingStep == 0 {
          lines.append("  no match for `\(failing)`")
        } else {
          let before = plan.steps.prefix(failingStep).map { substituted(rule.body[$0.literal]) }.joined(separator: ", ")
          let count = try solutions(failingStep, cap: 1000)
          lines.append("  `\(before)` has \(count >= 1000 ? "1000 or more" : String(count)) match\(count == 1 ? "" : "es"), but `\(failing)` matches none of them")
        }
      } else if plan.steps.isEmpty {
        lines.append("  the rule is a fact about other values")
      } else {
        lines.append("  every body literal matches, but not all together for \(factText)")
      }
    }
    let legend = program.auxiliaryLegend(for: lines.joined(separator: "\n"))
    if !legend.isEmpty { lines += [""] + legend }
    return lines.joined(separator: "\n")
  }

  // MARK: - Helpers

  private func prepareFact(_ atom: Atom, _ source: SourceText, _ predicates: [String: PredicateInfo]) throws(DiagnosticError) -> (IRProgram, Evaluator, Int, [TermID]) {
    var values: [TermID] = []
    for term in atom.arguments {
      guard case .constant(let value, _) = term else {
        throw DiagnosticError(.error(code: "fact-expected", "`why` needs a fact, such as `path(a, b)`: every argument must be a constant", in: source, at: term.span))
      }
      values.append(dictionary.intern(value))
    }
    guard let info = predicates[atom.predicate] else {
      throw DiagnosticError(.error(code: "unknown-predicate", "unknown predicate `\(atom.predicate)`", in: source, at: atom.predicateSpan))
    }
    if case .builtin = info.kind {
      throw DiagnosticError(.error(code: "fact-expected", "`\(atom.predicate)` is a builtin; `why` explains stored and derived facts", in: source, at: atom.predicateSpan))
    }
    if info.arity != values.count {
      throw DiagnosticError(.error(code: "arity", "`\(atom.predicate)` has \(info.arity) arguments, found \(values.count)", in: source, at: atom.span))
    }
    var program = baseProgram()
    let index = program.indexByName[atom.predicate] ?? program.add(PredicateEntry(name: atom.predicate, arity: info.arity, kind: .stored(self.source.dictionary.entityID(atom.predicate))))
    let evaluator = Evaluator(program: program, source: self.source, operations: operations, budget: Budget(limits))
    evaluator.allowsDense = false  // derivations need the round of every tuple
    if program.predicates[index].isDerived {
      try evaluator.compute([index])
    }
    return (program, evaluator, index, values)
  }

  /// A stored fact of a stored-only predicate as a leaf, or nil when the store does not hold it.
  private func storedFact(_ entry: PredicateEntry, _ tuple: [TermID], text: String) -> DerivationTree.Node? {
    guard case .stored(let id) = entry.kind, let id, tuple.count == 2 else { return nil }
    let triple = IDTriple(tuple[0], id, tuple[1])
    guard source.contains(triple) else { return nil }
    return storedNode(text: text, triple)
  }

  /// A leaf for a stored triple, with its provenance.
  private func storedNode(text: String, _ triple: IDTriple) -> DerivationTree.Node {
    DerivationTree.Node(kind: .storedFact, text: text, provenance: provenance(of: triple))
  }

  /// The transactions that asserted a stored triple, with their sources.
  func provenance(of triple: IDTriple) -> [(transaction: Int, source: String?)] {
    source.assertingTransactions(of: triple).map { tx in (Int(tx), source.transaction(tx)?.source) }
  }

  /// `stored: tx 12 (source: 000:L146-L152)`, naming every asserting transaction.
  func provenanceText(_ triple: IDTriple) -> String {
    DerivationTree.provenanceText(provenance(of: triple))
  }

  /// Up to six stored facts of the predicate sharing the subject or the object.
  private func nearbyStoredFacts(_ predicate: TermID, _ tuple: [TermID]) -> [String] {
    var out: [String] = []
    for pattern in [TriplePattern(s: tuple[0], p: predicate), TriplePattern(p: predicate, o: tuple[1])] {
      source.forEach(pattern) { t in
        guard out.count < 6 else { return }
        let name = source.dictionary.entityName(of: t.p) ?? "?"
        out.append("\(LiteralSyntax.formatEntity(name))(\(operations.value(t.s)), \(operations.value(t.o)))   " + provenanceText(t))
      }
    }
    return out
  }

  /// Binds head variables to a tuple; nil when constants or repeated variables disagree.
  private func unify(_ rule: IRRule, _ tuple: [TermID]) -> [Int: TermID]? {
    guard rule.aggregates.isEmpty, rule.head.terms.count == tuple.count else { return nil }
    var registers: [Int: TermID] = [:]
    for (term, value) in zip(rule.head.terms, tuple) {
      switch term {
      case .constant(let c): if !operations.equal(c, value) { return nil }
      case .variable(let v):
        if let existing = registers[v], existing != value { return nil }
        registers[v] = value
      case .wildcard: break
      }
    }
    return registers
  }

  private struct Premise {
    var node: DerivationTree.Node
    var derived: (Int, [TermID], UInt32)?

    init(_ kind: DerivationTree.Kind, _ text: String, _ annotation: String? = nil, derived: (Int, [TermID], UInt32)? = nil) {
      node = DerivationTree.Node(kind: kind, text: text, annotation: annotation)
      self.derived = derived
    }

    init(stored node: DerivationTree.Node) {
      self.node = node
    }
  }

  private struct Derivation {
    var rule: IRRule
    var premises: [Premise]
    var others: Bool
  }

  /// The derivation of a fact whose premises were derived earliest, among all rules.
  private func bestDerivation(_ program: IRProgram, _ evaluator: Evaluator, predicate: Int, tuple: [TermID], round: UInt32) throws(DiagnosticError) -> Derivation? {
    let printer = IRPrinter(program: program, operations: operations)
    let stratumRounds = evaluator.stratumRounds[predicate]
    var best: (score: UInt32, rule: Int, registers: [TermID])?
    var solutions = 0
    for r in program.rulesByHead()[predicate] ?? [] {
      let rule = program.rules[r]
      if !rule.aggregates.isEmpty {
        // Aggregate results are not expanded; the rule is named as the reason.
        if best == nil { best = (0, r, []) }
        solutions += 1
        continue
      }
      guard let initial = unify(rule, tuple) else { continue }
      let planner = Planner(program: program, source: self.source, relationSize: { evaluator.relations[$0]?.count ?? 0 }, stratum: [])
      let plan = planner.plan(rule: r, delta: nil, bound: Set(initial.keys))
      let executor = Executor(program: program, source: self.source, operations: operations, relations: evaluator.relations, budget: Budget(limits), plan: plan)
      for (v, value) in initial { executor.registers[v] = value }
      // Only facts of the same stratum derived before this one may be used.
      if let stratumRounds {
        for p in evaluator.stratumRounds.keys where evaluator.stratumRounds[p] == stratumRounds {
          executor.roundLimit[p] = round
        }
      }
      executor.emit = { [unowned executor] () throws(EvaluationError) in
        solutions += 1
        var score: UInt32 = 0
        for literal in rule.body {
          guard case .positive(let atom) = literal, let relation = evaluator.relations[atom.predicate] else { continue }
          let values = atom.terms.map { term -> TermID in
            switch term {
            case .variable(let v): executor.registers[v]
            case .constant(let c): c
            case .wildcard: 0
            }
          }
          if let row = values.withUnsafeBufferPointer({ relation.find($0) }) { score = max(score, relation.rounds[row]) }
        }
        if best == nil || score < best!.score {
          best = (score, r, Array(UnsafeBufferPointer(start: executor.registers, count: rule.variableNames.count)))
        }
        if solutions >= 10_000 { throw EvaluationError(reason: .cancelled) }
      }
      do {
        try executor.run()
      } catch {
        if case .cancelled = error.reason {} else { throw DiagnosticError(error.diagnostic) }
      }
    }
    guard let best else { return nil }
    let rule = program.rules[best.rule]
    if !rule.aggregates.isEmpty {
      return Derivation(rule: rule, premises: [Premise(.condition, "an aggregate over the rule's body (`why` does not expand aggregates)")], others: false)
    }
    var premises: [Premise] = []
    for literal in rule.body {
      let substitute = { (term: IRTerm) -> IRTerm in
        if case .variable(let v) = term { return .constant(best.registers[v]) }
        return term
      }
      switch literal {
      case .positive(let atom):
        let ground = IRAtom(predicate: atom.predicate, terms: atom.terms.map(substitute))
        let values = ground.terms.map { if case .constant(let c) = $0 { c } else { TermID(0) } }
        let text = printer.atom(ground, rule)
        let entry = program.predicates[atom.predicate]
        if entry.isDerived, let relation = evaluator.relations[atom.predicate], let row = values.withUnsafeBufferPointer({ relation.find($0) }) {
          premises.append(Premise(.derivedFact, text, derived: (atom.predicate, values, relation.rounds[row])))
        } else if case .stored(let id) = entry.kind, let id, values.count == 2 {
          premises.append(Premise(stored: storedNode(text: text, IDTriple(values[0], id, values[1]))))
        } else if entry.kind == .triple, values.count == 3 {
          premises.append(Premise(stored: storedNode(text: text, IDTriple(values[0], values[1], values[2]))))
        } else {
          premises.append(Premise(.condition, text))
        }
      case .negative(let atom):
        let ground = IRAtom(predicate: atom.predicate, terms: atom.terms.map(substitute))
        premises.append(Premise(.condition, "not " + printer.atom(ground, rule), "(no such fact)"))
      case .test(let test, let args, let negated):
        let ground = IRLiteral.test(test, args.map { substituteExpression($0, best.registers) }, negated: negated)
        premises.append(Premise(.condition, printer.literal(ground, rule), "(holds)"))
      case .compare(let op, let left, let right):
        let ground = IRLiteral.compare(op, substituteExpression(left, best.registers), substituteExpression(right, best.registers))
        premises.append(Premise(.condition, printer.literal(ground, rule), "(holds)"))
      }
    }
    return Derivation(rule: rule, premises: premises, others: solutions > 1)
  }

  /// A literal with some variables replaced by values.
  private func substituteLiteral(_ literal: IRLiteral, _ values: [Int: TermID]) -> IRLiteral {
    let term = { (t: IRTerm) -> IRTerm in
      if case .variable(let v) = t, let value = values[v] { return .constant(value) }
      return t
    }
    func expression(_ e: IRExpression) -> IRExpression {
      switch e {
      case .term(let t): return .term(term(t))
      case .binary(let op, let l, let r): return .binary(op, expression(l), expression(r))
      case .negate(let inner): return .negate(expression(inner))
      case .call(let f, let args): return .call(f, args.map(expression))
      }
    }
    switch literal {
    case .positive(let a): return .positive(IRAtom(predicate: a.predicate, terms: a.terms.map(term)))
    case .negative(let a): return .negative(IRAtom(predicate: a.predicate, terms: a.terms.map(term)))
    case .test(let t, let args, let negated): return .test(t, args.map(expression), negated: negated)
    case .compare(let op, let l, let r): return .compare(op, expression(l), expression(r))
    }
  }

  /// An expression with its variables replaced by their values.
  private func substituteExpression(_ e: IRExpression, _ registers: [TermID]) -> IRExpression {
    switch e {
    case .term(.variable(let v)): return v < registers.count ? .term(.constant(registers[v])) : e
    case .term: return e
    case .binary(let op, let l, let r): return .binary(op, substituteExpression(l, registers), substituteExpression(r, registers))
    case .negate(let inner): return .negate(substituteExpression(inner, registers))
    case .call(let f, let args): return .call(f, args.map { substituteExpression($0, registers) })
    }
  }
}
