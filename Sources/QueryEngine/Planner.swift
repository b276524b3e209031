// Orders a rule's body for evaluation: the delta atom first in a semi-naive variant, then
// greedily the cheapest evaluable literal, where filters (tests, comparisons, negations) go as
// soon as their variables are bound, and atoms are costed by exact index counts for stored
// predicates and relation sizes for derived ones.

import GraphModel
import QueryIR
import QueryLanguage

struct Planner {
  let program: IRProgram
  let source: any TripleSource
  /// Current row counts of derived relations.
  let relationSize: (Int) -> Int
  /// Predicates of the stratum being evaluated (read with semi-naive versions).
  let stratum: Set<Int>

  /// Plans a rule. In a semi-naive variant, `delta` is the body literal read as the delta;
  /// stratum atoms before it read stable rows, after it stable and recent rows.
  func plan(rule ruleIndex: Int, delta: Int?, bound initiallyBound: Set<Int> = []) -> RulePlan {
    let rule = program.rules[ruleIndex]
    var bound = initiallyBound
    var remaining = Array(rule.body.indices)
    var steps: [PlannedStep] = []
    var rows = 1.0

    func version(_ literal: Int) -> RowVersion {
      guard let atom = rule.body[literal].atom, stratum.contains(atom.predicate) else { return .all }
      guard let delta else { return .stableAndRecent }
      if literal == delta { return .recent }
      return literal < delta ? .stable : .stableAndRecent
    }

    func take(_ literal: Int) {
      let (step, fanout) = compile(rule.body[literal], literal: literal, bound: &bound, version: version(literal))
      rows *= fanout
      steps.append(PlannedStep(step: step, literal: literal, estimatedRows: max(rows, 0)))
      remaining.removeAll { $0 == literal }
    }

    if let delta { take(delta) }
    while !remaining.isEmpty {
      // Filters and assignments as soon as they can run.
      if let ready = remaining.first(where: { isFilterReady(rule.body[$0], bound) }) {
        take(ready)
        continue
      }
      var best: Int?
      var bestCost = Double.infinity
      for literal in remaining {
        guard case .positive(let atom) = rule.body[literal] else { continue }
        let cost = estimate(atom, bound: bound, version: version(literal))
        if cost < bestCost {
          bestCost = cost
          best = literal
        }
      }
      // Safety guarantees something is evaluable; take the first remaining literal otherwise.
      take(best ?? remaining[0])
    }
    return RulePlan(rule: ruleIndex, deltaLiteral: delta, steps: steps)
  }

  /// Whether a non-atom literal can run with the bound variables (and so should run now).
  private func isFilterReady(_ literal: IRLiteral, _ bound: Set<Int>) -> Bool {
    switch literal {
    case .positive:
      return false
    case .negative(let atom):
      return atom.variables.allSatisfy(bound.contains)
    case .test(_, let args, _):
      return args.flatMap(\.variables).allSatisfy(bound.contains)
    case .compare(let op, let left, let right):
      let l = left.variables.allSatisfy(bound.contains)
      let r = right.variables.allSatisfy(bound.contains)
      if l && r { return true }
      guard op == .equal else { return false }
      if let v = left.singleVariable, !bound.contains(v), r { return true }
      if let v = right.singleVariable, !bound.contains(v), l { return true }
      return false
    }
  }

  /// Estimated matches of an atom per input row.
  func estimate(_ atom: IRAtom, bound: Set<Int>, version: RowVersion) -> Double {
    let entry = program.predicates[atom.predicate]
    var boundVariables = 0
    for term in atom.terms {
      if case .variable(let v) = term, bound.contains(v) { boundVariables += 1 }
    }
    let base: Double
    switch entry.kind {
    case .stored(let id):
      guard let id else { return 0 }
      base = Double(source.count(pattern(atom, predicate: id, constantsOnly: true)))
    case .triple:
      var p = TriplePattern()
      if case .constant(let c) = atom.terms[0] { p.s = c }
      if case .constant(let c) = atom.terms[1] { p.p = c }
      if case .constant(let c) = atom.terms[2] { p.o = c }
      base = Double(source.count(p))
    case .search:
      base = 10  // a handful of names match a text
      boundVariables += atom.terms.filter { if case .constant = $0 { true } else { false } }.count
    case .txOf, .sourceOf, .txMeta:
      base = Double(max(1, source.tripleCount))
      boundVariables += atom.terms.filter { if case .constant = $0 { true } else { false } }.count
    case .derived, .storedAndDerived:
      let constants = atom.terms.filter { if case .constant = $0 { true } else { false } }.count
      boundVariables += constants
      base = Double(max(1, relationSize(atom.predicate))) * (version == .recent ? 0.25 : 1)
    }
    if boundVariables == atom.terms.count { return min(1, base) }
    var result = base
    for _ in 0..<boundVariables { result /= 10 }
    return result
  }

  private func pattern(_ atom: IRAtom, predicate: TermID, constantsOnly: Bool) -> TriplePattern {
    var p = TriplePattern(p: predicate)
    if case .constant(let c) = atom.terms[0] { p.s = c }
    if case .constant(let c) = atom.terms[1] { p.o = c }
    return p
  }

  /// Turns a literal into a step, updating the bound variables; returns the step and its
  /// estimated fan-out.
  private func compile(_ literal: IRLiteral, literal index: Int, bound: inout Set<Int>, version: RowVersion) -> (PlanStep, Double) {
    func arguments(_ atom: IRAtom) -> [Argument] {
      var local = Set<Int>()
      return atom.terms.map { term in
        switch term {
        case .constant(let c): return .constant(c)
        case .wildcard: return .wildcard
        case .variable(let v):
          if bound.contains(v) { return .bound(v) }
          if local.contains(v) { return .sameAs(v) }
          local.insert(v)
          return .bind(v)
        }
      }
    }
    switch literal {
    case .positive(let atom):
      let fanout = estimate(atom, bound: bound, version: version)
      let args = arguments(atom)
      bound.formUnion(atom.variables)
      let entry = program.predicates[atom.predicate]
      switch entry.kind {
      case .stored: return (.stored(predicate: atom.predicate, arguments: args), fanout)
      case .triple: return (.triple(arguments: args), fanout)
      case .txOf, .txMeta, .sourceOf, .search: return (.provenance(predicate: atom.predicate, arguments: args), fanout)
      case .derived, .storedAndDerived: return (.relation(predicate: atom.predicate, version: version, arguments: args), fanout)
      }
    case .negative(let atom):
      return (.negation(predicate: atom.predicate, arguments: arguments(atom)), 0.5)
    case .test(let test, let args, let negated):
      return (.test(test, args, negated: negated), 0.5)
    case .compare(let op, let left, let right):
      let l = left.variables.allSatisfy(bound.contains)
      let r = right.variables.allSatisfy(bound.contains)
      if op == .equal, !(l && r) {
        if let v = left.singleVariable, !bound.contains(v) {
          bound.insert(v)
          return (.assign(v, right), 1)
        }
        if let v = right.singleVariable, !bound.contains(v) {
          bound.insert(v)
          return (.assign(v, left), 1)
        }
      }
      return (.compare(op, left, right), op == .equal ? 0.1 : 0.5)
    }
  }
}
