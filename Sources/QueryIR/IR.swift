// The engine's intermediate representation: rules over numbered variables and dictionary ids,
// with every builtin resolved. Lowering builds it from a checked program; magic sets rewrite it;
// the planner and the evaluator run it.

import Diagnostics
import GraphModel
import QueryLanguage

/// A predicate of the program being evaluated.
package struct PredicateEntry: Sendable {
  /// How its tuples come into being.
  package enum Kind: Equatable, Sendable {
    /// Stored facts only; the id is the predicate entity in the store (nil: no facts at all).
    case stored(TermID?)
    /// Derived by rules only.
    case derived
    /// Stored facts seed it; rules add more.
    case storedAndDerived(TermID?)
    /// `triple(S, P, O)`.
    case triple
    /// `tx_of(S, P, O, Tx)`.
    case txOf
    /// `tx_meta(Tx, Key, Value)`.
    case txMeta
    /// `source_of(S, P, O, Source)`.
    case sourceOf
    /// `search(E, Text)`: entities found by name through the source's `TextSearch`.
    case search
  }

  /// The name shown in plans and errors (`path`, `path[bf]`, `magic_path[bf]`).
  package var name: String
  /// The number of arguments.
  package var arity: Int
  /// How its tuples come into being.
  package var kind: Kind

  package init(name: String, arity: Int, kind: Kind) {
    self.name = name
    self.arity = arity
    self.kind = kind
  }

  /// Whether rules define it (so it has a relation the evaluator fills).
  package var isDerived: Bool {
    switch kind {
    case .derived, .storedAndDerived: true
    default: false
    }
  }

  /// Whether its tuples are read straight from the store.
  package var isStoreBacked: Bool {
    switch kind {
    case .stored, .triple, .txOf, .txMeta, .sourceOf, .search: true
    default: false
    }
  }
}

/// A term: a numbered variable of the rule, a constant, or (in negated atoms) "any value".
package enum IRTerm: Hashable, Sendable {
  case variable(Int)
  case constant(TermID)
  case wildcard
}

/// Builtin tests.
package enum TestBuiltin: String, Sendable {
  case contains, startsWith = "starts_with", endsWith = "ends_with", matches
  case isEntity = "is_entity", isString = "is_string", isNumber = "is_number", isInteger = "is_integer"
  case isDecimal = "is_decimal", isDate = "is_date", isBoolean = "is_boolean"
}

/// Builtin functions.
package enum FunctionBuiltin: String, Sendable {
  case lower, upper, concat, strlen, lang, str, yearOf = "year_of", abs
}

/// An arithmetic or function expression over terms.
package indirect enum IRExpression: Sendable {
  case term(IRTerm)
  case binary(ArithmeticOperator, IRExpression, IRExpression)
  case negate(IRExpression)
  case call(FunctionBuiltin, [IRExpression])

  /// Variables used, in order.
  package var variables: [Int] {
    switch self {
    case .term(.variable(let v)): [v]
    case .term: []
    case .binary(_, let l, let r): l.variables + r.variables
    case .negate(let e): e.variables
    case .call(_, let args): args.flatMap(\.variables)
    }
  }

  /// The variable, when the expression is just one.
  package var singleVariable: Int? {
    if case .term(.variable(let v)) = self { return v }
    return nil
  }
}

/// A predicate applied to terms.
package struct IRAtom: Sendable {
  package var predicate: Int
  package var terms: [IRTerm]

  package init(predicate: Int, terms: [IRTerm]) {
    self.predicate = predicate
    self.terms = terms
  }

  package var variables: [Int] {
    terms.compactMap { if case .variable(let v) = $0 { v } else { nil } }
  }
}

/// A body literal.
package enum IRLiteral: Sendable {
  case positive(IRAtom)
  case negative(IRAtom)
  /// A builtin test; `negated` for `not contains(S, x)`.
  case test(TestBuiltin, [IRExpression], negated: Bool)
  case compare(ComparisonOperator, IRExpression, IRExpression)

  package var variables: [Int] {
    switch self {
    case .positive(let a), .negative(let a): a.variables
    case .test(_, let args, _): args.flatMap(\.variables)
    case .compare(_, let l, let r): l.variables + r.variables
    }
  }

  package var atom: IRAtom? {
    switch self {
    case .positive(let a), .negative(let a): a
    default: nil
    }
  }
}

/// An aggregate in a rule head.
package struct IRAggregate: Sendable {
  /// The head position it fills.
  package var position: Int
  package var function: AggregateFunction
  /// The aggregated terms; the first is the aggregated value.
  package var terms: [IRTerm]

  package init(position: Int, function: AggregateFunction, terms: [IRTerm]) {
    self.position = position
    self.function = function
    self.terms = terms
  }
}

/// Where a rule came from, for plans, derivations and error messages.
package struct RuleOrigin: Sendable {
  /// The source rule, when the rule was written by a user.
  package var sourced: SourcedRule?
  /// Spans of the body literals in the source, in body order (empty for synthesized rules).
  package var literalSpans: [SourceSpan]
  /// What produced a synthesized rule (`magic sets`, `query`), when not written by a user.
  package var note: String?
  /// For the query rule: the query's text and source.
  package var queryText: String?
  package var querySource: SourceText?

  package init(sourced: SourcedRule? = nil, literalSpans: [SourceSpan], note: String? = nil, queryText: String? = nil, querySource: SourceText? = nil) {
    self.sourced = sourced
    self.literalSpans = literalSpans
    self.note = note
    self.queryText = queryText
    self.querySource = querySource
  }
}

/// One rule of the intermediate representation.
package struct IRRule: Sendable {
  /// The head; aggregate positions hold a placeholder variable.
  package var head: IRAtom
  package var aggregates: [IRAggregate]
  package var body: [IRLiteral]
  /// Variable names by number, for display.
  package var variableNames: [String]
  package var origin: RuleOrigin

  package init(head: IRAtom, aggregates: [IRAggregate], body: [IRLiteral], variableNames: [String], origin: RuleOrigin) {
    self.head = head
    self.aggregates = aggregates
    self.body = body
    self.variableNames = variableNames
    self.origin = origin
  }

  package var isFact: Bool { body.isEmpty && aggregates.isEmpty }
}

/// The ground facts a text states for one predicate, kept as data rather than as one rule each:
/// they fill a hidden predicate (`p[facts]`) that one rule copies into `p`, so a text with
/// 100,000 facts gives a program of a few rules, evaluated once.
package struct FactTable: Sendable {
  /// The hidden predicate holding the facts.
  package var predicate: Int
  package var arity: Int
  /// The facts' values, flattened, in text order.
  package var values: [TermID] = []
  /// Where each fact was stated.
  package var origins: [SourcedRule] = []

  package init(predicate: Int, arity: Int, values: [TermID] = [], origins: [SourcedRule] = []) {
    self.predicate = predicate
    self.arity = arity
    self.values = values
    self.origins = origins
  }

  /// Where a fact was stated first, if the table holds it.
  package func origin(of tuple: [TermID]) -> SourcedRule? {
    guard tuple.count == arity else { return nil }
    var row = 0
    while row < origins.count {
      if values[(row * arity)..<((row + 1) * arity)].elementsEqual(tuple) { return origins[row] }
      row += 1
    }
    return nil
  }
}

/// A whole lowered program.
package struct IRProgram: Sendable {
  package var predicates: [PredicateEntry]
  package var rules: [IRRule]
  package var indexByName: [String: Int]
  /// Fact tables by hidden predicate.
  package var facts: [Int: FactTable] = [:]
  /// The hidden fact predicate of each predicate that has facts.
  package var factsOf: [Int: Int] = [:]

  package init(predicates: [PredicateEntry], rules: [IRRule], indexByName: [String: Int], facts: [Int: FactTable] = [:], factsOf: [Int: Int] = [:]) {
    self.predicates = predicates
    self.rules = rules
    self.indexByName = indexByName
    self.facts = facts
    self.factsOf = factsOf
  }

  package mutating func add(_ entry: PredicateEntry) -> Int {
    if let existing = indexByName[entry.name] { return existing }
    predicates.append(entry)
    indexByName[entry.name] = predicates.count - 1
    return predicates.count - 1
  }

  /// The rules whose head is a predicate, by predicate.
  package func rulesByHead() -> [Int: [Int]] {
    var result: [Int: [Int]] = [:]
    for (i, rule) in rules.enumerated() { result[rule.head.predicate, default: []].append(i) }
    return result
  }
}

extension IRRule {
  /// Head variables that nothing in the body binds: neither a positive atom nor `X = ...`. A
  /// rule the engine evaluates must have none (its head would read an unset register).
  package var unboundHeadVariables: [Int] {
    var bound = Set<Int>()
    for literal in body {
      switch literal {
      case .positive(let atom): bound.formUnion(atom.variables)
      case .compare(.equal, let l, let r):
        if let v = l.singleVariable { bound.insert(v) }
        if let v = r.singleVariable { bound.insert(v) }
      default: break
      }
    }
    let aggregated = Set(aggregates.map(\.position))
    return head.terms.enumerated().compactMap { position, term in
      guard !aggregated.contains(position), case .variable(let v) = term, !bound.contains(v) else { return nil }
      return v
    }
  }
}
