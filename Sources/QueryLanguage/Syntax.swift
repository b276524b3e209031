// The syntax tree of the query language. Every node carries the span it was parsed from, so that
// later stages (checks, planning, evaluation) can point at the exact text they complain about.

import Diagnostics
import GraphModel

/// A parsed text: facts, rules and queries in source order.
public struct Program: Sendable {
  /// The clauses in source order.
  public var clauses: [Clause]
  /// The text they came from.
  public var source: SourceText

  /// Creates a program.
  public init(clauses: [Clause], source: SourceText) {
    self.clauses = clauses
    self.source = source
  }

  /// The rules, facts included (a fact is a rule with an empty body).
  public var rules: [Rule] {
    clauses.compactMap { if case .rule(let r) = $0 { return r } else { return nil } }
  }

  /// The queries.
  public var queries: [Query] {
    clauses.compactMap { if case .query(let q) = $0 { return q } else { return nil } }
  }

  /// The declarations.
  public var declarations: [Declaration] {
    clauses.compactMap { if case .declaration(let d) = $0 { return d } else { return nil } }
  }
}

/// A fact, a rule or a query.
public enum Clause: Sendable {
  /// A rule; a fact is a rule without a body.
  case rule(Rule)
  /// A query `?- body.`.
  case query(Query)
  /// `.decl name(arg: kind, ...) "label"@zh.`
  case declaration(Declaration)
}

/// `.decl pending(loan: entity, amount: integer) "待审贷款"@zh "pending loans"@en.`: a predicate
/// with its arity, the kind of each argument and labels, known before (or without) any fact or
/// rule for it, so that it is empty rather than unknown.
public struct Declaration: Sendable {
  /// The kinds of value an argument may be declared to hold.
  public enum Kind: String, Sendable, CaseIterable {
    case entity, string, integer, decimal, number, date, any

    /// Whether a value is of this kind (`number`: an integer or a decimal).
    public func admits(_ value: Value) -> Bool {
      switch (self, value) {
      case (.any, _), (.entity, .entity), (.string, .string), (.integer, .integer), (.decimal, .decimal), (.date, .date),
        (.number, .integer), (.number, .decimal):
        true
      default:
        false
      }
    }
  }

  /// One declared argument.
  public struct Argument: Sendable {
    /// Its name, if given (for documentation and `.schema`).
    public var name: String?
    /// The kind of value it holds.
    public var kind: Kind
    /// Where it is written.
    public var span: SourceSpan

    /// Creates an argument.
    public init(name: String?, kind: Kind, span: SourceSpan) {
      self.name = name
      self.kind = kind
      self.span = span
    }
  }

  /// The predicate.
  public var predicate: String
  /// Its arguments.
  public var arguments: [Argument]
  /// Its labels (strings, usually with language tags).
  public var labels: [Value]
  /// The span of the predicate name.
  public var predicateSpan: SourceSpan
  /// The whole declaration.
  public var span: SourceSpan

  /// Creates a declaration.
  public init(predicate: String, arguments: [Argument], labels: [Value], predicateSpan: SourceSpan, span: SourceSpan) {
    self.predicate = predicate
    self.arguments = arguments
    self.labels = labels
    self.predicateSpan = predicateSpan
    self.span = span
  }
}

/// `head :- body.`, or a fact `head.` when the body is empty.
public struct Rule: Sendable {
  /// The head.
  public var head: Head
  /// The body literals; empty for a fact.
  public var body: [Literal]
  /// The whole clause.
  public var span: SourceSpan

  /// Creates a rule.
  public init(head: Head, body: [Literal], span: SourceSpan) {
    self.head = head
    self.body = body
    self.span = span
  }

  /// Whether this is a fact (no body).
  public var isFact: Bool { body.isEmpty }
}

/// The head of a rule: a predicate applied to terms or aggregates.
public struct Head: Sendable {
  /// The predicate name.
  public var predicate: String
  /// The arguments.
  public var arguments: [HeadArgument]
  /// The span of the predicate name.
  public var predicateSpan: SourceSpan
  /// The whole head.
  public var span: SourceSpan

  /// Creates a head.
  public init(predicate: String, arguments: [HeadArgument], predicateSpan: SourceSpan, span: SourceSpan) {
    self.predicate = predicate
    self.arguments = arguments
    self.predicateSpan = predicateSpan
    self.span = span
  }

  /// Whether any argument is an aggregate.
  public var hasAggregate: Bool {
    arguments.contains { if case .aggregate = $0 { true } else { false } }
  }
}

/// An argument of a head: a plain term or an aggregate such as `count(I)`.
public enum HeadArgument: Sendable {
  /// A variable or constant.
  case term(Term)
  /// An aggregate over the body's solutions.
  case aggregate(Aggregate)

  /// The argument's span.
  public var span: SourceSpan {
    switch self {
    case .term(let t): t.span
    case .aggregate(let a): a.span
    }
  }
}

/// The aggregate functions allowed in rule heads.
public enum AggregateFunction: String, Sendable, CaseIterable {
  case count, sum, min, max, avg
}

/// `count(X, Y)`, `sum(V)`...: aggregates group by the head's other arguments.
public struct Aggregate: Sendable {
  /// The function.
  public var function: AggregateFunction
  /// The aggregated terms; `count` counts distinct tuples of them.
  public var arguments: [Term]
  /// The whole aggregate.
  public var span: SourceSpan

  /// Creates an aggregate.
  public init(function: AggregateFunction, arguments: [Term], span: SourceSpan) {
    self.function = function
    self.arguments = arguments
    self.span = span
  }
}

/// `?- body [order by ...] [limit n].`
public struct Query: Sendable {
  /// The goals.
  public var body: [Literal]
  /// Requested ordering; empty means the default (all columns ascending).
  public var ordering: [OrderKey]
  /// The maximum number of rows, if given.
  public var limit: Int?
  /// The result columns as written (`?- [Name, Year] : ...`), with their spans; nil: the
  /// body's named variables in order of first appearance.
  public var columns: [(name: String, span: SourceSpan)]?
  /// The whole query.
  public var span: SourceSpan

  /// Creates a query.
  public init(body: [Literal], ordering: [OrderKey] = [], limit: Int? = nil, columns: [(name: String, span: SourceSpan)]? = nil, span: SourceSpan) {
    self.body = body
    self.ordering = ordering
    self.limit = limit
    self.columns = columns
    self.span = span
  }
}

/// One key of `order by`.
public struct OrderKey: Sendable {
  /// The variable to sort on.
  public var variable: String
  /// Whether to sort descending.
  public var descending: Bool
  /// Where it was written.
  public var span: SourceSpan

  /// Creates an order key.
  public init(variable: String, descending: Bool, span: SourceSpan) {
    self.variable = variable
    self.descending = descending
    self.span = span
  }
}

/// A body literal.
public enum Literal: Sendable {
  /// A positive atom.
  case atom(Atom)
  /// `not atom`.
  case negated(Atom, span: SourceSpan)
  /// `left op right`.
  case comparison(Comparison)
  /// `(A, B ; C)`: the alternatives, each a conjunction. A rule or query with a disjunction
  /// stands for one rule or query body per combination of alternatives (see ``expand(_:)``).
  case disjunction([[Literal]], span: SourceSpan)
  /// `N = count { X : body }`: an aggregate over a body of its own (see ``BodyAggregate``).
  case aggregate(BodyAggregate)

  /// The literal's span.
  public var span: SourceSpan {
    switch self {
    case .atom(let a): a.span
    case .negated(_, let span): span
    case .comparison(let c): c.span
    case .disjunction(_, let span): span
    case .aggregate(let a): a.span
    }
  }

  /// The atoms of a body, positive and negated, inside disjunctions and aggregates too, in
  /// order.
  public static func atoms(in body: [Literal]) -> [Atom] {
    body.flatMap { literal -> [Atom] in
      switch literal {
      case .atom(let a), .negated(let a, _): [a]
      case .comparison: []
      case .disjunction(let branches, _): branches.flatMap { atoms(in: $0) }
      case .aggregate(let a): atoms(in: a.body)
      }
    }
  }

  /// The most bodies one rule or query may stand for.
  public static let maximumAlternatives = 256

  /// The bodies without disjunctions that a body stands for: one per combination of
  /// alternatives, in order (`a, (b ; c), (d ; e)` → `a, b, d`; `a, b, e`; `a, c, d`;
  /// `a, c, e`); nil when there would be more than ``maximumAlternatives``.
  public static func expand(_ body: [Literal]) -> [[Literal]]? {
    var bodies: [[Literal]] = [[]]
    for literal in body {
      guard case .disjunction(let branches, _) = literal else {
        for k in bodies.indices { bodies[k].append(literal) }
        continue
      }
      var choices: [[Literal]] = []
      for branch in branches {
        guard let expanded = expand(branch) else { return nil }
        choices += expanded
      }
      guard bodies.count * choices.count <= maximumAlternatives else { return nil }
      bodies = bodies.flatMap { prefix in choices.map { prefix + $0 } }
    }
    return bodies
  }
}

/// `Result = function { Terms : Body }` in a rule's or a query's body: the aggregate of the
/// distinct tuples of `Terms` over the solutions of `Body`. Variables of `Body` that also occur
/// outside the aggregate (in the enclosing body, the head, the result columns) are shared with
/// it: the aggregate is computed once for each of their values. The others are local. `count`
/// and `sum` of no solutions are 0; `min`, `max` and `avg` of none have no value, and the
/// literal fails.
public struct BodyAggregate: Sendable {
  /// The variable the result is bound to (or compared with, if already bound).
  public var result: String
  /// Where the result variable is written.
  public var resultSpan: SourceSpan
  /// The function.
  public var function: AggregateFunction
  /// The aggregated terms (before the `:`).
  public var terms: [Term]
  /// The aggregate's own body (after the `:`).
  public var body: [Literal]
  /// The whole literal, result variable included.
  public var span: SourceSpan
  /// From the function name to the closing `}`.
  public var aggregateSpan: SourceSpan

  /// Creates a body aggregate.
  public init(result: String, resultSpan: SourceSpan, function: AggregateFunction, terms: [Term], body: [Literal], span: SourceSpan, aggregateSpan: SourceSpan) {
    self.result = result
    self.resultSpan = resultSpan
    self.function = function
    self.terms = terms
    self.body = body
    self.span = span
    self.aggregateSpan = aggregateSpan
  }
}

/// A predicate applied to terms.
public struct Atom: Sendable {
  /// The predicate name.
  public var predicate: String
  /// The arguments.
  public var arguments: [Term]
  /// The span of the predicate name.
  public var predicateSpan: SourceSpan
  /// The whole atom.
  public var span: SourceSpan

  /// Creates an atom.
  public init(predicate: String, arguments: [Term], predicateSpan: SourceSpan, span: SourceSpan) {
    self.predicate = predicate
    self.arguments = arguments
    self.predicateSpan = predicateSpan
    self.span = span
  }
}

/// A comparison between two expressions; `=` with an unbound variable on one side binds it.
public struct Comparison: Sendable {
  /// The operator.
  public var op: ComparisonOperator
  /// The left side.
  public var left: Expression
  /// The right side.
  public var right: Expression
  /// The whole comparison.
  public var span: SourceSpan

  /// Creates a comparison.
  public init(op: ComparisonOperator, left: Expression, right: Expression, span: SourceSpan) {
    self.op = op
    self.left = left
    self.right = right
    self.span = span
  }
}

/// Arithmetic operators.
public enum ArithmeticOperator: String, Sendable {
  case add = "+"
  case subtract = "-"
  case multiply = "*"
  case divide = "/"
  case remainder = "%"
}

/// An arithmetic or function expression.
public indirect enum Expression: Sendable {
  /// A variable or constant.
  case term(Term)
  /// `left op right`.
  case binary(ArithmeticOperator, Expression, Expression, span: SourceSpan)
  /// `-operand`.
  case negate(Expression, span: SourceSpan)
  /// A builtin function call such as `lower(S)`.
  case call(String, [Expression], span: SourceSpan)

  /// The expression's span.
  public var span: SourceSpan {
    switch self {
    case .term(let t): t.span
    case .binary(_, _, _, let span), .negate(_, let span), .call(_, _, let span): span
    }
  }

  /// The variables in the expression, in order of appearance.
  public var variables: [String] {
    switch self {
    case .term(let t): t.variableName.map { [$0] } ?? []
    case .binary(_, let l, let r, _): l.variables + r.variables
    case .negate(let e, _): e.variables
    case .call(_, let args, _): args.flatMap(\.variables)
    }
  }

  /// Every term in the expression, left to right.
  public var terms: [Term] {
    switch self {
    case .term(let t): [t]
    case .binary(_, let l, let r, _): l.terms + r.terms
    case .negate(let e, _): e.terms
    case .call(_, let args, _): args.flatMap(\.terms)
    }
  }
}

/// A variable, a constant, the anonymous variable, or a script parameter.
public enum Term: Sendable {
  /// A named variable.
  case variable(String, span: SourceSpan)
  /// `_`: a fresh variable at each occurrence.
  case anonymous(span: SourceSpan)
  /// A constant value.
  case constant(Value, span: SourceSpan)
  /// `$name`, replaced by a constant before checking.
  case parameter(String, span: SourceSpan)

  /// The term's span.
  public var span: SourceSpan {
    switch self {
    case .variable(_, let s), .anonymous(let s), .constant(_, let s), .parameter(_, let s): s
    }
  }

  /// The variable's name, for named variables.
  public var variableName: String? {
    if case .variable(let name, _) = self { return name }
    return nil
  }
}
