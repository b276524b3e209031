// Inlines views: a derived predicate defined by exactly one rule whose body is one atom over
// stored triples, such as
//
//   edge(X, Y) :- triple(X, "edge", Y).
//
// is replaced at every use by that atom, so joins read the store's indexes directly instead of
// first copying the view into a relation. The view's own rule stays, so it can still be queried.

import GraphModel

package enum Inlining {
  /// Drops rules that restate a stored predicate's own facts, such as
  /// `edge(X, Y) :- triple(X, edge, Y).` when `edge` is stored: they derive nothing new. A
  /// predicate left without rules reads the store directly again.
  package static func dropIdentityRules(_ program: IRProgram) -> IRProgram {
    var output = program
    var dropped = Set<Int>()
    for (r, rule) in program.rules.enumerated() {
      guard case .storedAndDerived(let id) = program.predicates[rule.head.predicate].kind, let id,
        rule.aggregates.isEmpty, rule.body.count == 1, case .positive(let atom) = rule.body[0],
        rule.head.terms.count == 2, case .variable(let s) = rule.head.terms[0], case .variable(let o) = rule.head.terms[1], s != o
      else { continue }
      let reads: Bool
      switch program.predicates[atom.predicate].kind {
      case .triple:
        reads = atom.terms.count == 3 && atom.terms[0] == .variable(s) && atom.terms[1] == .constant(id) && atom.terms[2] == .variable(o)
      case .stored(let other), .storedAndDerived(let other):
        reads = other == id && atom.terms == [.variable(s), .variable(o)]
      default:
        reads = false
      }
      if reads { dropped.insert(r) }
    }
    guard !dropped.isEmpty else { return program }
    output.rules = program.rules.enumerated().filter { !dropped.contains($0.offset) }.map(\.element)
    let stillDerived = Set(output.rules.map(\.head.predicate))
    for (p, entry) in output.predicates.enumerated() {
      if case .storedAndDerived(let id) = entry.kind, !stillDerived.contains(p) {
        output.predicates[p].kind = .stored(id)
      }
    }
    return output
  }

  /// The program with every use of an inlinable view replaced by the view's stored atom.
  package static func inlineViews(_ program: IRProgram) -> (IRProgram, [String]) {
    let program = dropIdentityRules(program)
    let byHead = program.rulesByHead()
    var views: [Int: IRRule] = [:]
    for (p, rules) in byHead where rules.count == 1 && program.predicates[p].kind == .derived {
      let rule = program.rules[rules[0]]
      guard rule.aggregates.isEmpty, rule.body.count == 1, case .positive(let atom) = rule.body[0] else { continue }
      switch program.predicates[atom.predicate].kind {
      case .stored, .triple: break
      default: continue
      }
      var headVariables: [Int] = []
      var distinct = true
      for term in rule.head.terms {
        guard case .variable(let v) = term, !headVariables.contains(v) else {
          distinct = false
          break
        }
        headVariables.append(v)
      }
      guard distinct, Set(headVariables).isSubset(of: Set(atom.variables)) else { continue }
      views[p] = rule
    }
    guard !views.isEmpty else { return (program, []) }
    var output = program
    for (r, rule) in program.rules.enumerated() {
      var rewritten = rule
      var changed = false
      for (k, literal) in rule.body.enumerated() {
        let negated: Bool
        let use: IRAtom
        switch literal {
        case .positive(let a):
          use = a
          negated = false
        case .negative(let a):
          use = a
          negated = true
        default:
          continue
        }
        guard let view = views[use.predicate], case .positive(let viewAtom) = view.body[0] else { continue }
        // Map the view's head variables to the use's terms; other view variables get fresh
        // variables of the using rule (or `_` under negation).
        var mapping: [Int: IRTerm] = [:]
        for (term, actual) in zip(view.head.terms, use.terms) {
          if case .variable(let v) = term { mapping[v] = actual }
        }
        // Under negation "any value" is a wildcard, and each wildcard matches on its own: a view
        // variable that stands twice in the view's atom (`loop(X) :- link(X, X)` used as
        // `not loop(_)`, or `reflexive(P) :- triple(X, P, X)`) would lose its equality. Such a
        // use keeps reading the view's relation.
        if negated {
          let repeatedAndFree = Set(viewAtom.variables.filter { v in
            viewAtom.variables.filter { $0 == v }.count > 1 && (mapping[v] == nil || mapping[v] == .wildcard)
          })
          if !repeatedAndFree.isEmpty { continue }
        }
        var terms: [IRTerm] = []
        for term in viewAtom.terms {
          switch term {
          case .variable(let v):
            if let mapped = mapping[v] {
              terms.append(mapped)
            } else if negated {
              terms.append(.wildcard)
            } else {
              rewritten.variableNames.append("_")
              let fresh = IRTerm.variable(rewritten.variableNames.count - 1)
              mapping[v] = fresh
              terms.append(fresh)
            }
          default:
            terms.append(term)
          }
        }
        let inlined = IRAtom(predicate: viewAtom.predicate, terms: terms)
        rewritten.body[k] = negated ? .negative(inlined) : .positive(inlined)
        changed = true
      }
      if changed { output.rules[r] = rewritten }
    }
    let names = views.keys.sorted().map { program.predicates[$0].name }
    return (output, names)
  }
}
