// Lowers a checked program to the intermediate representation: predicates resolved against the
// store, builtins resolved, variables numbered per rule, constants interned.

import Diagnostics
import GraphModel
import QueryLanguage

/// Builds `IRProgram`s; interns constants into the engine's dictionary.
package struct Lowering {
  package let dictionary: TermDictionary
  package let storeDictionary: TermDictionary
  package var program = IRProgram(predicates: [], rules: [], indexByName: [:])

  package init(dictionary: TermDictionary, storeDictionary: TermDictionary) {
    self.dictionary = dictionary
    self.storeDictionary = storeDictionary
  }

  /// The predicate index for a name, adding it to the table on first use.
  package mutating func predicate(_ name: String, _ info: PredicateInfo) -> Int {
    if let index = program.indexByName[name] { return index }
    return program.add(PredicateEntry(name: name, arity: info.arity, kind: Lowering.kind(of: info, in: storeDictionary)))
  }

  /// The kind of entry a checked predicate gets.
  package static func kind(of info: PredicateInfo, in storeDictionary: TermDictionary) -> PredicateEntry.Kind {
    switch info.kind {
    case .stored: return .stored(storeDictionary.entityID(info.name))
    case .derived: return .derived
    case .storedAndDerived: return .storedAndDerived(storeDictionary.entityID(info.name))
    case .builtin(let builtin):
      switch builtin.name {
      case "triple": return .triple
      case "tx_of": return .txOf
      case "tx_meta": return .txMeta
      case "search": return .search
      default: return .sourceOf
      }
    }
  }

  /// Lowers a rule; a ground fact joins its predicate's fact table instead of becoming a rule.
  package mutating func add(_ sourced: SourcedRule, predicates: [String: PredicateInfo]) {
    let origin = RuleOrigin(sourced: sourced, literalSpans: sourced.rule.body.map(\.span), note: nil)
    let rule = lower(head: sourced.rule.head, queryColumns: [], body: sourced.rule.body, predicates: predicates, origin: origin)
    var values: [TermID] = []
    if rule.isFact {
      for term in rule.head.terms {
        guard case .constant(let c) = term else { break }
        values.append(c)
      }
    }
    guard rule.isFact, values.count == rule.head.terms.count else {
      program.rules.append(rule)
      return
    }
    let p = rule.head.predicate
    let hidden: Int
    if let existing = program.factsOf[p] {
      hidden = existing
    } else {
      let entry = program.predicates[p]
      hidden = program.add(PredicateEntry(name: entry.name + "[facts]", arity: entry.arity, kind: .derived))
      program.factsOf[p] = hidden
      program.facts[hidden] = FactTable(predicate: hidden, arity: entry.arity)
      let variables = (0..<entry.arity).map { IRTerm.variable($0) }
      program.rules.append(IRRule(
        head: IRAtom(predicate: p, terms: variables), aggregates: [], body: [.positive(IRAtom(predicate: hidden, terms: variables))],
        variableNames: (0..<entry.arity).map { "V\($0 + 1)" }, origin: RuleOrigin(literalSpans: [], note: "the facts given in the text")))
    }
    program.facts[hidden]?.values.append(contentsOf: values)
    program.facts[hidden]?.origins.append(sourced)
  }

  /// Lowers one rule (or a query's body, with `head` naming the result relation).
  package mutating func lower(
    head: Head?, queryColumns: [String], body: [Literal], predicates: [String: PredicateInfo],
    origin: RuleOrigin, resultPredicate: Int? = nil
  ) -> IRRule {
    var numbers: [String: Int] = [:]
    var names: [String] = []
    func variable(_ name: String) -> Int {
      if let n = numbers[name] { return n }
      names.append(name)
      numbers[name] = names.count - 1
      return names.count - 1
    }
    func fresh() -> Int {
      names.append("_")
      return names.count - 1
    }
    func term(_ t: Term, negated: Bool) -> IRTerm {
      switch t {
      case .variable(let name, _): return .variable(variable(name))
      case .anonymous: return negated ? .wildcard : .variable(fresh())
      case .constant(let value, _): return .constant(dictionary.intern(value))
      case .parameter: return .wildcard  // rejected by the checker before lowering
      }
    }
    func expression(_ e: Expression) -> IRExpression {
      switch e {
      case .term(let t): return .term(term(t, negated: false))
      case .binary(let op, let l, let r, _): return .binary(op, expression(l), expression(r))
      case .negate(let inner, _): return .negate(expression(inner))
      case .call(let name, let args, _):
        return .call(FunctionBuiltin(rawValue: name) ?? .str, args.map(expression))
      }
    }
    var literals: [IRLiteral] = []
    for literal in body {
      switch literal {
      case .atom(let atom):
        if case .builtin(let builtin)? = predicates[atom.predicate]?.kind, builtin.kind != .relation {
          if builtin.kind == .test {
            literals.append(.test(TestBuiltin(rawValue: builtin.name) ?? .contains, atom.arguments.map { .term(term($0, negated: false)) }, negated: false))
          } else {
            // `f(In..., Out)` is `Out = f(In...)`.
            let inputs = atom.arguments.dropLast().map { IRExpression.term(term($0, negated: false)) }
            let output = atom.arguments.last.map { term($0, negated: false) } ?? .wildcard
            literals.append(.compare(.equal, .term(output), .call(FunctionBuiltin(rawValue: builtin.name) ?? .str, Array(inputs))))
          }
        } else if let info = predicates[atom.predicate] {
          literals.append(.positive(IRAtom(predicate: predicate(atom.predicate, info), terms: atom.arguments.map { term($0, negated: false) })))
        }
      case .negated(let atom, _):
        if case .builtin(let builtin)? = predicates[atom.predicate]?.kind, builtin.kind == .test {
          // `not contains(S, x)`: a negated test.
          literals.append(.test(TestBuiltin(rawValue: builtin.name) ?? .contains, atom.arguments.map { .term(term($0, negated: false)) }, negated: true))
        } else if let info = predicates[atom.predicate] {
          literals.append(.negative(IRAtom(predicate: predicate(atom.predicate, info), terms: atom.arguments.map { term($0, negated: true) })))
        }
      case .comparison(let c):
        literals.append(.compare(c.op, expression(c.left), expression(c.right)))
      case .disjunction, .aggregate:
        // Rules and queries reach lowering expanded into one body per alternative, aggregates
        // replaced by auxiliary predicates (the checker expands and rewrites rules and refuses
        // what it cannot; queries lower their branches).
        break
      }
    }
    var headAtom: IRAtom
    var aggregates: [IRAggregate] = []
    if let head, let info = predicates[head.predicate] {
      var terms: [IRTerm] = []
      for (position, argument) in head.arguments.enumerated() {
        switch argument {
        case .term(let t): terms.append(term(t, negated: false))
        case .aggregate(let a):
          aggregates.append(IRAggregate(position: position, function: a.function, terms: a.arguments.map { term($0, negated: false) }))
          terms.append(.variable(fresh()))
        }
      }
      headAtom = IRAtom(predicate: predicate(head.predicate, info), terms: terms)
    } else {
      headAtom = IRAtom(predicate: resultPredicate ?? 0, terms: queryColumns.map { .variable(variable($0)) })
    }
    return IRRule(head: headAtom, aggregates: aggregates, body: literals, variableNames: names, origin: origin)
  }
}
