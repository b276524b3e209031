// Constructs that are defined by rules of their own: an aggregate in a body, a negated atom with
// variables local to it, and an aggregate rule over a disjunction. Before checking, each becomes
// an auxiliary rule (its predicate named `_count1`, `_not2`, `_body3`..., names no user can
// write, since a name starting with `_` is read as a variable) and a reference to it, so the
// checker, the stratifier, the planner, magic sets, explain and why see only plain rules.

import Diagnostics
import GraphModel

/// What an auxiliary rule stands for.
public struct Auxiliary: Sendable {
  /// The construct.
  public enum Kind: Sendable {
    /// `N = count { X : body }`: the rule aggregates the body, grouped by the variables it
    /// shares with the enclosing clause.
    case aggregate
    /// `not p(X, _P, _P)`: the rule holds the values of the atom's other variables for which
    /// some `_P` exists.
    case negation
    /// An aggregate rule whose body has a disjunction: the rule holds the body's solutions,
    /// projected on the variables the head uses, and the aggregate ranges over them.
    case body
  }

  /// The construct.
  public var kind: Kind
  /// Where the construct is written.
  public var span: SourceSpan
}

/// Rewrites rules and query bodies into plain rules (see the file comment). Auxiliary
/// predicates are numbered from `counter`, which the checker carries from text to text.
struct AuxiliaryRules {
  var counter: Int
  let source: SourceText
  /// The auxiliary rules made so far, in the order they were made (inner constructs first).
  var rules: [SourcedRule] = []

  init(counter: Int, source: SourceText) {
    self.counter = counter
    self.source = source
  }

  /// The rule itself when it needs no auxiliary rule; otherwise the auxiliary rules it needs,
  /// then the rule rewritten to use them.
  mutating func rewrite(_ sourced: SourcedRule) -> [SourcedRule] {
    let rule = sourced.rule
    let aggregateOverDisjunction = rule.head.hasAggregate && rule.body.contains { if case .disjunction = $0 { true } else { false } }
    guard AuxiliaryRules.needsRewrite(rule.body) || aggregateOverDisjunction else { return [sourced] }
    let outside = Set(AuxiliaryRules.headVariables(rule.head).map(\.name))
    var main = sourced
    main.rule.body = rewrite(rule.body, outside: outside)
    let made = rules
    rules = []
    return made + splitAggregateBody(main)
  }

  /// A query's body rewritten, and the auxiliary rules it needs (each rule split into its
  /// alternatives); nil when it needs no rewriting.
  mutating func rewrite(_ query: Query) -> (body: [Literal], rules: [SourcedRule])? {
    guard AuxiliaryRules.needsRewrite(query.body) else { return nil }
    var outside = Set(query.columns?.map(\.name) ?? [])
    outside.formUnion(query.ordering.map(\.variable))
    let body = rewrite(query.body, outside: outside)
    let made = rules
    rules = []
    return (body, made.flatMap(\.alternatives))
  }

  // MARK: - Bodies

  /// Whether a body holds a construct that needs an auxiliary rule.
  static func needsRewrite(_ body: [Literal]) -> Bool {
    body.contains { literal in
      switch literal {
      case .aggregate: true
      case .negated(let atom, _): atom.arguments.contains { $0.variableName?.hasPrefix("_") == true }
      case .disjunction(let branches, _): branches.contains(where: needsRewrite)
      case .atom, .comparison: false
      }
    }
  }

  /// The body with its constructs replaced; `outside` holds the variables visible from the
  /// enclosing clause.
  private mutating func rewrite(_ body: [Literal], outside: Set<String>) -> [Literal] {
    guard AuxiliaryRules.needsRewrite(body) else { return body }
    // How many literals of this body show each variable to the others.
    let shown = body.map { Set(AuxiliaryRules.visibleVariables($0)) }
    var count: [String: Int] = [:]
    for names in shown { for name in names { count[name, default: 0] += 1 } }
    func around(_ k: Int) -> Set<String> {
      var result = outside
      for (name, n) in count where n > (shown[k].contains(name) ? 1 : 0) { result.insert(name) }
      return result
    }
    var result: [Literal] = []
    for (k, literal) in body.enumerated() {
      switch literal {
      case .aggregate(let a):
        result.append(aggregate(a, outside: around(k)))
      case .negated(let atom, let span) where atom.arguments.contains(where: { $0.variableName?.hasPrefix("_") == true }):
        result.append(negation(atom, span: span, outside: around(k)))
      case .disjunction(let branches, let span) where branches.contains(where: AuxiliaryRules.needsRewrite):
        let visible = around(k)
        result.append(.disjunction(branches.map { rewrite($0, outside: visible) }, span: span))
      default:
        result.append(literal)
      }
    }
    return result
  }

  /// `N = f { T : B }` becomes `_fK(Shared..., N)` with the rule `_fK(Shared..., f(T)) :- B.`;
  /// for `count` and `sum`, which are 0 over nothing, `( _fK(Shared..., N) ; not _fK(Shared...,
  /// _), N = 0 )`.
  private mutating func aggregate(_ a: BodyAggregate, outside: Set<String>) -> Literal {
    let inner = AuxiliaryRules.allVariables(a.body)
    let shared = inner.filter { outside.contains($0.name) && $0.name != a.result }
    let termNames = a.terms.compactMap(\.variableName)
    let body = rewrite(a.body, outside: Set(shared.map(\.name)).union(termNames))
    let name = nextName(a.function.rawValue)
    let nameSpan = SourceSpan(start: a.aggregateSpan.start, end: a.aggregateSpan.start + a.function.rawValue.utf8.count)
    var helper = SourcedRule(
      Rule(
        head: Head(
          predicate: name,
          arguments: shared.map { .term(.variable($0.name, span: $0.span)) } + [.aggregate(Aggregate(function: a.function, arguments: a.terms, span: a.aggregateSpan))],
          predicateSpan: nameSpan, span: a.aggregateSpan),
        body: body, span: a.aggregateSpan),
      source)
    helper.auxiliary = Auxiliary(kind: .aggregate, span: a.aggregateSpan)
    rules.append(contentsOf: splitAggregateBody(helper))
    let sharedTerms = shared.map { Term.variable($0.name, span: a.aggregateSpan) }
    let call = Atom(predicate: name, arguments: sharedTerms + [.variable(a.result, span: a.resultSpan)], predicateSpan: nameSpan, span: a.span)
    guard a.function == .count || a.function == .sum else { return .atom(call) }
    let none = Atom(predicate: name, arguments: sharedTerms + [.anonymous(span: a.aggregateSpan)], predicateSpan: nameSpan, span: a.span)
    let zero = Comparison(op: .equal, left: .term(.variable(a.result, span: a.resultSpan)), right: .term(.constant(.integer(0), span: a.aggregateSpan)), span: a.span)
    return .disjunction([[.atom(call)], [.negated(none, span: a.span), .comparison(zero)]], span: a.span)
  }

  /// `not p(X, _P, _P)`: a variable named with `_` that no other part of the clause uses is
  /// local to the atom. Used once, it is `_`; repeated, the atom becomes `not _notK(X)` with
  /// the rule `_notK(X) :- p(X, _P, _P).`
  private mutating func negation(_ atom: Atom, span: SourceSpan, outside: Set<String>) -> Literal {
    var uses: [String: Int] = [:]
    for name in atom.arguments.compactMap(\.variableName) { uses[name, default: 0] += 1 }
    let isLocal = { (name: String) in name.hasPrefix("_") && !outside.contains(name) }
    guard uses.keys.contains(where: isLocal) else { return .negated(atom, span: span) }
    if uses.allSatisfy({ !isLocal($0.key) || $0.value == 1 }) {
      var plain = atom
      plain.arguments = atom.arguments.map { term in
        if let name = term.variableName, isLocal(name) { return .anonymous(span: term.span) }
        return term
      }
      return .negated(plain, span: span)
    }
    var kept: [Term] = []
    for term in atom.arguments {
      if let name = term.variableName, !isLocal(name), !kept.contains(where: { $0.variableName == name }) { kept.append(term) }
    }
    let name = nextName("not")
    var helper = SourcedRule(
      Rule(head: Head(predicate: name, arguments: kept.map { .term($0) }, predicateSpan: atom.predicateSpan, span: atom.span), body: [.atom(atom)], span: span),
      source)
    helper.auxiliary = Auxiliary(kind: .negation, span: span)
    rules.append(helper)
    return .negated(Atom(predicate: name, arguments: kept, predicateSpan: atom.predicateSpan, span: atom.span), span: span)
  }

  /// An aggregate rule whose body has a disjunction: `h(G, f(X)) :- B.` becomes
  /// `_bodyK(G, X) :- B.` and `h(G, f(X)) :- _bodyK(G, X).`, so the aggregate ranges over the
  /// solutions of every alternative together. Other rules are returned as they are.
  private mutating func splitAggregateBody(_ sourced: SourcedRule) -> [SourcedRule] {
    let rule = sourced.rule
    guard rule.head.hasAggregate, rule.body.contains(where: { if case .disjunction = $0 { true } else { false } }) else { return [sourced] }
    var variables: [VariableOccurrence] = []
    for use in AuxiliaryRules.headVariables(rule.head) where !variables.contains(where: { $0.name == use.name }) {
      variables.append(use)
    }
    let name = nextName("body")
    var helper = SourcedRule(
      Rule(
        head: Head(predicate: name, arguments: variables.map { .term(.variable($0.name, span: $0.span)) }, predicateSpan: rule.head.predicateSpan, span: rule.head.span),
        body: rule.body, span: rule.span),
      source)
    helper.auxiliary = Auxiliary(kind: .body, span: rule.span)
    var main = sourced
    let span = rule.body.first.map { $0.span.union(rule.body.last?.span ?? $0.span) } ?? rule.span
    main.rule.body = [.atom(Atom(predicate: name, arguments: variables.map { .variable($0.name, span: $0.span) }, predicateSpan: span, span: span))]
    return [helper, main]
  }

  private mutating func nextName(_ base: String) -> String {
    counter += 1
    return "_\(base)\(counter)"
  }

  // MARK: - Variables

  struct VariableOccurrence {
    var name: String
    var span: SourceSpan
  }

  /// The variables of a head, aggregated ones included, in order.
  static func headVariables(_ head: Head) -> [VariableOccurrence] {
    head.arguments.flatMap { argument -> [Term] in
      switch argument {
      case .term(let t): [t]
      case .aggregate(let a): a.arguments
      }
    }.compactMap { term in term.variableName.map { VariableOccurrence(name: $0, span: term.span) } }
  }

  /// The variables a literal shares with the rest of its body: all of its own, but only the
  /// result of an aggregate (the variables inside the braces are its own business, unless the
  /// clause uses them elsewhere).
  static func visibleVariables(_ literal: Literal) -> [String] {
    switch literal {
    case .aggregate(let a): [a.result]
    case .disjunction(let branches, _): branches.flatMap { $0.flatMap(visibleVariables) }
    default: ProgramChecker.variables(in: literal).map(\.name)
    }
  }

  /// Every variable written in a body, inside aggregates too: each once, at its first
  /// occurrence.
  static func allVariables(_ body: [Literal]) -> [VariableOccurrence] {
    var seen = Set<String>()
    var result: [VariableOccurrence] = []
    func add(_ name: String, _ span: SourceSpan) {
      if seen.insert(name).inserted { result.append(VariableOccurrence(name: name, span: span)) }
    }
    func visit(_ literals: [Literal]) {
      for literal in literals {
        switch literal {
        case .aggregate(let a):
          add(a.result, a.resultSpan)
          for term in a.terms { if let name = term.variableName { add(name, term.span) } }
          visit(a.body)
        case .disjunction(let branches, _):
          branches.forEach(visit)
        default:
          for use in ProgramChecker.variables(in: literal) { add(use.name, use.span) }
        }
      }
    }
    visit(body)
    return result
  }
}
