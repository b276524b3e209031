// What a program really contains, read off its syntax tree (not from what the generator meant to
// write), so the coverage of the random programs is measured rather than assumed.

import Diagnostics
import GraphModel
import QueryLanguage

/// The corners of the language a program reaches.
public enum ProgramFeature: String, CaseIterable, Sendable {
  case repeatedVariableStored = "repeated variable in a stored atom"
  case repeatedVariableDerived = "repeated variable in a derived atom"
  case repeatedVariableNegated = "repeated variable in a negated atom"
  case repeatedVariableTriple = "repeated variable in triple/3"
  case constantInHead = "constant in a rule head"
  case constantInBody = "constant in a body atom"
  case constantInRecursiveAtom = "constant in a recursive atom"
  case boundQueryPartial = "query binding some arguments of a derived predicate"
  case boundQueryAll = "query binding every argument of a derived predicate"
  case demandThroughJoin = "query reaching a derived predicate through a join"
  case linearRecursion = "linear recursion"
  case nonLinearRecursion = "non-linear recursion"
  case mutualRecursion = "mutual recursion"
  case negationStored = "negation of a stored predicate"
  case negationDerived = "negation of a derived predicate"
  case negatedView = "negation of a view (a one-atom rule over stored facts)"
  case comparison = "comparison"
  case arithmetic = "arithmetic"
  case stringBuiltin = "string builtin"
  case dateBuiltin = "date builtin"
  case typeTest = "type test"
  case disjunction = "disjunction"
  case queryColumns = "query with listed result columns"
  case aggregate = "aggregate"
  case ungroupedAggregate = "aggregate without groups (may be over nothing)"
  case aggregateOverRecursion = "aggregate over a recursive predicate"
  case aggregateOverDisjunction = "head aggregate over a disjunction"
  case bodyAggregate = "aggregate in a body (`N = count { X : ... }`)"
  case correlatedBodyAggregate = "aggregate in a body sharing variables with the clause"
  case localNegation = "negated atom with a repeated local variable (`not p(X, _L, _L)`)"
  case anonymousVariable = "anonymous variable"
  case tripleAtom = "triple/3"
  case factsInText = "facts given in the text"
  case storedAndTextFacts = "facts for a stored predicate in the text"
  case rulesExtendStored = "rules deriving a stored predicate"
  case standingRules = "standing rules"
  case denseShape = "shape eligible for dense closures"

  /// The features the clingo fragment never has.
  public static let fullOnly: Set<ProgramFeature> = [.stringBuiltin, .dateBuiltin, .typeTest]

  /// The features of a generated program.
  public static func of(_ program: RandomProgram) -> Set<ProgramFeature> {
    let (standing, _) = Parser.parse(SourceText(name: "standing.dl", text: program.standing))
    let (text, _) = Parser.parse(SourceText(name: "random.dl", text: program.text))
    let stored = Set(program.triples.map(\.predicate))
    var features = of(rules: standing.rules + text.rules, queries: text.queries, stored: stored)
    if !standing.rules.isEmpty { features.insert(.standingRules) }
    return features
  }

  /// The features of rules and queries over stored predicates.
  public static func of(rules: [Rule], queries: [Query], stored: Set<String>) -> Set<ProgramFeature> {
    var features = Set<ProgramFeature>()
    let defined = Set(rules.filter { !$0.isFact }.map(\.head.predicate))
    let withFacts = Set(rules.filter(\.isFact).map(\.head.predicate))
    for p in withFacts { features.insert(stored.contains(p) ? .storedAndTextFacts : .factsInText) }
    if !defined.isDisjoint(with: stored) { features.insert(.rulesExtendStored) }
    let idb = defined.union(withFacts)
    let strings: Set<String> = ["contains", "starts_with", "ends_with", "matches", "lower", "upper", "concat", "strlen", "lang", "str"]
    let tests: Set<String> = ["is_entity", "is_string", "is_number", "is_integer", "is_decimal", "is_date", "is_boolean"]

    // Strongly connected components of the positive dependency graph.
    var edges: [String: Set<String>] = [:]
    for rule in rules where !rule.isFact {
      for literal in rule.body {
        if case .atom(let a) = literal, defined.contains(a.predicate) { edges[rule.head.predicate, default: []].insert(a.predicate) }
      }
    }
    func reaches(_ from: String, _ to: String) -> Bool {
      var seen: Set<String> = [from]
      var stack = [from]
      while let p = stack.popLast() {
        for q in edges[p] ?? [] {
          if q == to { return true }
          if seen.insert(q).inserted { stack.append(q) }
        }
      }
      return false
    }
    let recursive = Set(defined.filter { reaches($0, $0) })
    // Views: one rule whose body is one positive atom over stored facts or triple/3.
    var ruleCount: [String: Int] = [:]
    for rule in rules { ruleCount[rule.head.predicate, default: 0] += 1 }
    let views = Set(rules.filter { rule in
      guard !rule.isFact, ruleCount[rule.head.predicate] == 1, !rule.head.hasAggregate, rule.body.count == 1, case .atom(let a) = rule.body[0] else { return false }
      return a.predicate == "triple" || (stored.contains(a.predicate) && !idb.contains(a.predicate))
    }.map(\.head.predicate))

    func localNegations(_ rule: [Literal], extra: [String]) {
      let all = rule.flatMap(\.variableNames) + extra
      for literal in rule {
        guard case .negated(let atom, _) = literal else { continue }
        let names = atom.arguments.compactMap(\.variableName).filter { $0.hasPrefix("_") }
        for name in Set(names) where names.filter({ $0 == name }).count >= 2 && all.filter({ $0 == name }).count == names.filter({ $0 == name }).count {
          features.insert(.localNegation)
        }
      }
    }
    func atomFeatures(_ atom: Atom, negated: Bool) {
      var seen = Set<String>()
      var repeated = false
      for term in atom.arguments {
        switch term {
        case .variable(let name, _): if !seen.insert(name).inserted { repeated = true }
        case .anonymous: features.insert(.anonymousVariable)
        case .constant: features.insert(.constantInBody)
        case .parameter: break
        }
      }
      if atom.predicate == "triple" { features.insert(.tripleAtom) }
      if repeated {
        if negated {
          features.insert(.repeatedVariableNegated)
        } else if atom.predicate == "triple" {
          features.insert(.repeatedVariableTriple)
        } else if idb.contains(atom.predicate) {
          features.insert(.repeatedVariableDerived)
        } else if stored.contains(atom.predicate) {
          features.insert(.repeatedVariableStored)
        }
      }
      if negated, views.contains(atom.predicate) { features.insert(.negatedView) }
      if negated {
        if idb.contains(atom.predicate) {
          features.insert(.negationDerived)
        } else if stored.contains(atom.predicate) || atom.predicate == "triple" {
          features.insert(.negationStored)
        }
      }
      if strings.contains(atom.predicate) { features.insert(.stringBuiltin) }
      if tests.contains(atom.predicate) { features.insert(.typeTest) }
      if atom.predicate == "year_of" { features.insert(.dateBuiltin) }
    }
    func expressionFeatures(_ e: Expression) {
      switch e {
      case .term: break
      case .binary(_, let l, let r, _):
        features.insert(.arithmetic)
        expressionFeatures(l)
        expressionFeatures(r)
      case .negate(let x, _):
        features.insert(.arithmetic)
        expressionFeatures(x)
      case .call(let name, let args, _):
        if name == "year_of" { features.insert(.dateBuiltin) } else if strings.contains(name) { features.insert(.stringBuiltin) }
        args.forEach(expressionFeatures)
      }
    }
    func bodyFeatures(_ body: [Literal]) {
      for literal in body {
        switch literal {
        case .atom(let a): atomFeatures(a, negated: false)
        case .negated(let a, _): atomFeatures(a, negated: true)
        case .comparison(let c):
          if c.op != .equal { features.insert(.comparison) }
          expressionFeatures(c.left)
          expressionFeatures(c.right)
        case .disjunction(let branches, _):
          features.insert(.disjunction)
          branches.forEach(bodyFeatures)
        case .aggregate(let a):
          features.insert(.bodyAggregate)
          let outside = Set(body.flatMap { other -> [String] in
            if case .aggregate(let b) = other { return [b.result] }
            return other.variableNames
          })
          if a.body.flatMap(\.variableNames).contains(where: outside.contains) { features.insert(.correlatedBodyAggregate) }
          if Literal.atoms(in: a.body).contains(where: { recursive.contains($0.predicate) }) { features.insert(.aggregateOverRecursion) }
          bodyFeatures(a.body)
        }
      }
    }

    for rule in rules where !rule.isFact {
      bodyFeatures(rule.body)
      localNegations(rule.body, extra: rule.head.arguments.flatMap { argument -> [String] in
        switch argument {
        case .term(let t): t.variableName.map { [$0] } ?? []
        case .aggregate(let a): a.arguments.compactMap(\.variableName)
        }
      })
      if rule.head.hasAggregate, rule.body.contains(where: { if case .disjunction = $0 { true } else { false } }) {
        features.insert(.aggregateOverDisjunction)
      }
      let head = rule.head.predicate
      for argument in rule.head.arguments {
        if case .term(.constant) = argument { features.insert(.constantInHead) }
      }
      if rule.head.hasAggregate {
        features.insert(.aggregate)
        if !rule.head.arguments.contains(where: { if case .term = $0 { true } else { false } }) { features.insert(.ungroupedAggregate) }
        for literal in rule.body {
          if case .atom(let a) = literal, recursive.contains(a.predicate) { features.insert(.aggregateOverRecursion) }
        }
      }
      guard recursive.contains(head) else { continue }
      let calls = rule.body.compactMap { literal -> Atom? in
        if case .atom(let a) = literal, recursive.contains(a.predicate), reaches(a.predicate, head) { return a }
        return nil
      }
      if calls.count == 1 { features.insert(.linearRecursion) }
      if calls.count >= 2 { features.insert(.nonLinearRecursion) }
      if calls.contains(where: { $0.predicate != head }) { features.insert(.mutualRecursion) }
      if calls.contains(where: { $0.arguments.contains { if case .constant = $0 { true } else { false } } }) {
        features.insert(.constantInRecursiveAtom)
      }
      // Dense closures: a binary predicate extended by one recursive atom and plain edges.
      if calls.count == 1, calls[0].predicate == head, rule.head.arguments.count == 2, rule.body.count <= 3,
        rule.body.allSatisfy({ if case .atom = $0 { true } else { false } })
      {
        features.insert(.denseShape)
      }
    }
    for query in queries {
      bodyFeatures(query.body)
      localNegations(query.body, extra: [])
      if query.columns != nil { features.insert(.queryColumns) }
      var sawStored = false
      for literal in query.body {
        guard case .atom(let a) = literal else { continue }
        if idb.contains(a.predicate) && defined.contains(a.predicate) {
          let constants = a.arguments.filter { if case .constant = $0 { true } else { false } }.count
          if constants == a.arguments.count {
            features.insert(.boundQueryAll)
          } else if constants > 0 {
            features.insert(.boundQueryPartial)
          }
          if sawStored { features.insert(.demandThroughJoin) }
        } else {
          sawStored = true
        }
      }
    }
    return features
  }
}

extension Literal {
  /// The variable names written in the literal, repeated as written; inside an aggregate too.
  var variableNames: [String] {
    func names(_ e: QueryLanguage.Expression) -> [String] { e.variables }
    switch self {
    case .atom(let a), .negated(let a, _): return a.arguments.compactMap(\.variableName)
    case .comparison(let c): return names(c.left) + names(c.right)
    case .disjunction(let branches, _): return branches.flatMap { $0.flatMap(\.variableNames) }
    case .aggregate(let a): return [a.result] + a.terms.compactMap(\.variableName) + a.body.flatMap(\.variableNames)
    }
  }
}
