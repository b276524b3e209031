// The magic-sets rewrite (generalised, with a greedy sideways-information-passing order): when a
// query binds arguments of a derived predicate, the rewrite computes only the facts relevant to
// those bindings. For `?- path(n1, X).` over
//
//   path(X, Y) :- edge(X, Y).
//   path(X, Y) :- path(X, Z), edge(Z, Y).
//
// it produces
//
//   magic_path[bf](n1).
//   path[bf](X, Y) :- magic_path[bf](X), edge(X, Y).
//   path[bf](X, Y) :- magic_path[bf](X), path[bf](X, Z), edge(Z, Y).
//   magic_path[bf](X) :- magic_path[bf](X).          (a no-op, dropped)
//
// so only paths starting at n1 are derived. Negated atoms and predicates with aggregate rules
// keep their original (complete) definition, which keeps the program stratified.

import Diagnostics
import GraphModel
import QueryLanguage

package enum MagicSets {
  /// Rewrites the program for the query rule; returns nil when no derived atom gets a binding
  /// (nothing to gain). `skip` lists derived predicates already computed in full.
  package static func rewrite(_ program: IRProgram, queryRule: Int, skip: Set<Int>) -> IRProgram? {
    var output = program
    let byHead = program.rulesByHead()
    let hasAggregate = Set(program.rules.filter { !$0.aggregates.isEmpty }.map(\.head.predicate))
    var adorned: [String: Int] = [:]  // "p#bf" -> adorned predicate index
    var magic: [String: Int] = [:]
    var worklist: [(predicate: Int, adornment: [Bool])] = []

    func eligible(_ p: Int) -> Bool {
      program.predicates[p].isDerived && !hasAggregate.contains(p) && !skip.contains(p) && program.facts[p] == nil
    }

    /// The adorned and magic predicates for p with an adornment, created on first use.
    func predicates(for p: Int, _ adornment: [Bool]) -> (adorned: Int, magic: Int) {
      let code = adornment.map { $0 ? "b" : "f" }.joined()
      let key = "\(p)#\(code)"
      if let a = adorned[key], let m = magic[key] { return (a, m) }
      let name = program.predicates[p].name
      let a = output.add(PredicateEntry(name: "\(name)[\(code)]", arity: program.predicates[p].arity, kind: .derived))
      let m = output.add(PredicateEntry(name: "magic_\(name)[\(code)]", arity: adornment.filter { $0 }.count, kind: .derived))
      adorned[key] = a
      magic[key] = m
      worklist.append((p, adornment))
      return (a, m)
    }

    /// Greedy sideways order: positive atoms with the most bound arguments first, filters as soon
    /// as their variables are bound. Returns the body with IDB atoms replaced by adorned ones,
    /// plus the magic rules it needs.
    func propagate(_ body: [IRLiteral], bound initial: Set<Int>, magicPrefix: [IRLiteral]) -> (body: [IRLiteral], magicRules: [(IRAtom, [IRLiteral])], order: [Int?]) {
      var bound = initial
      var remaining = Array(body.indices)
      var ordered: [IRLiteral] = magicPrefix
      var order: [Int?] = magicPrefix.map { _ in nil }
      var magicRules: [(IRAtom, [IRLiteral])] = []
      /// Demand flows through variables already bound (by the head's bound arguments or by
      /// earlier literals); a constant only narrows an atom, it carries no demand.
      func score(_ atom: IRAtom) -> Int {
        var s = 0
        for term in atom.terms {
          switch term {
          case .variable(let v) where bound.contains(v): s += 4
          case .constant: s += 1
          default: break
          }
        }
        return s
      }
      while !remaining.isEmpty {
        let ready = remaining.first { i in
          switch body[i] {
          case .positive: return false
          case .negative(let a): return a.variables.allSatisfy(bound.contains)
          case .test(_, let args, _): return args.flatMap(\.variables).allSatisfy(bound.contains)
          case .compare(let op, let l, let r):
            let lb = l.variables.allSatisfy(bound.contains)
            let rb = r.variables.allSatisfy(bound.contains)
            if lb && rb { return true }
            if op == .equal, let v = l.singleVariable, !bound.contains(v), rb { return true }
            if op == .equal, let v = r.singleVariable, !bound.contains(v), lb { return true }
            return false
          }
        }
        let pick: Int
        if let ready {
          pick = ready
        } else {
          var best = remaining[0]
          var bestScore = -1
          for i in remaining {
            guard case .positive(let atom) = body[i] else { continue }
            // Prefer atoms reached by bound variables; on a tie prefer stored predicates.
            let value = score(atom) * 2 + (program.predicates[atom.predicate].isDerived ? 0 : 1)
            if value > bestScore {
              bestScore = value
              best = i
            }
          }
          pick = best
        }
        remaining.removeAll { $0 == pick }
        var literal = body[pick]
        if case .positive(let atom) = literal, eligible(atom.predicate) {
          let adornment = atom.terms.map { term -> Bool in
            switch term {
            case .constant: return true
            case .variable(let v): return bound.contains(v)
            case .wildcard: return false
            }
          }
          if adornment.contains(true) {
            let (a, m) = predicates(for: atom.predicate, adornment)
            let magicHead = IRAtom(predicate: m, terms: zip(atom.terms, adornment).filter { $0.1 }.map(\.0))
            magicRules.append((magicHead, ordered))
            literal = .positive(IRAtom(predicate: a, terms: atom.terms))
          }
        }
        ordered.append(literal)
        order.append(pick)
        bound.formUnion(literal.variables)
      }
      return (ordered, magicRules, order)
    }

    /// Source spans for a reordered body (the magic prefix points at the whole rule).
    func spans(_ origin: RuleOrigin, _ order: [Int?]) -> [SourceSpan] {
      guard !origin.literalSpans.isEmpty else { return [] }
      let whole = origin.sourced?.rule.span ?? origin.literalSpans[0]
      return order.map { $0.map { origin.literalSpans[$0] } ?? whole }
    }

    // The query rule.
    var query = program.rules[queryRule]
    let (queryBody, queryMagic, queryOrder) = propagate(query.body, bound: [], magicPrefix: [])
    if adorned.isEmpty { return nil }
    query.body = queryBody
    query.origin.literalSpans = spans(query.origin, queryOrder)
    output.rules[queryRule] = query
    var newRules: [IRRule] = []
    for (head, body) in queryMagic {
      newRules.append(IRRule(head: head, aggregates: [], body: body, variableNames: query.variableNames, origin: RuleOrigin(sourced: nil, literalSpans: [], note: "magic sets: demand from the query")))
    }

    // Each adorned predicate gets its rules, rewritten.
    var done = Set<String>()
    while let (p, adornment) = worklist.popLast() {
      let code = adornment.map { $0 ? "b" : "f" }.joined()
      guard done.insert("\(p)#\(code)").inserted else { continue }
      let (a, m) = predicates(for: p, adornment)
      if case .storedAndDerived(let id) = program.predicates[p].kind {
        // The stored facts of p, filtered by demand.
        let stored = output.add(PredicateEntry(name: "\(program.predicates[p].name)@stored", arity: 2, kind: .stored(id)))
        let terms: [IRTerm] = [.variable(0), .variable(1)]
        let magicAtom = IRAtom(predicate: m, terms: zip(terms, adornment).filter { $0.1 }.map(\.0))
        newRules.append(IRRule(
          head: IRAtom(predicate: a, terms: terms), aggregates: [],
          body: [.positive(magicAtom), .positive(IRAtom(predicate: stored, terms: terms))],
          variableNames: ["S", "O"], origin: RuleOrigin(sourced: nil, literalSpans: [], note: "magic sets: stored facts of \(program.predicates[p].name)")))
      }
      for r in byHead[p] ?? [] {
        let rule = program.rules[r]
        let headBound = Set(zip(rule.head.terms, adornment).compactMap { term, isBound -> Int? in
          if isBound, case .variable(let v) = term { return v }
          return nil
        })
        let magicAtom = IRAtom(predicate: m, terms: zip(rule.head.terms, adornment).filter { $0.1 }.map(\.0))
        // Demand for the body's derived atoms always flows from the guard, so every magic rule
        // keeps it. The rule itself may drop the guard when its body reads p[α] itself with the
        // head's bound arguments passed through unchanged: every tuple of p[α] satisfies the
        // guard already. That is decided on the adorned body: a constant or an earlier binding
        // can give the body atom another adornment (p[bfb] under p[bff]), whose tuples do not.
        var (body, magicRules, order) = propagate(rule.body, bound: headBound, magicPrefix: [.positive(magicAtom)])
        let passesThrough = body.dropFirst().contains { literal in
          guard case .positive(let atom) = literal, atom.predicate == a else { return false }
          return zip(zip(atom.terms, rule.head.terms), adornment).allSatisfy { pair, isBound in !isBound || pair.0 == pair.1 }
        }
        if passesThrough {
          body.removeFirst()
          order.removeFirst()
        }
        var rewritten = rule
        rewritten.head = IRAtom(predicate: a, terms: rule.head.terms)
        rewritten.body = body
        rewritten.origin.note = "magic sets: \(program.predicates[p].name) for bound arguments [\(code)]"
        rewritten.origin.literalSpans = spans(rule.origin, order)
        newRules.append(rewritten)
        for (head, magicBody) in magicRules {
          // magic_q(...) :- magic_p(...) is a no-op when it only copies the demand, and so is
          // demand for p[α] itself with the head's own bound arguments.
          if magicBody.count == 1, case .positive(let only) = magicBody[0], only.predicate == head.predicate, only.terms == head.terms { continue }
          if head.predicate == m, head.terms == magicAtom.terms { continue }
          newRules.append(IRRule(head: head, aggregates: [], body: magicBody, variableNames: rule.variableNames, origin: RuleOrigin(sourced: nil, literalSpans: [], note: "magic sets: demand for \(program.predicates[p].name)")))
        }
      }
    }
    output.rules += newRules
    return output
  }
}
