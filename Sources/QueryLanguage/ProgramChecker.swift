// Semantic checks before evaluation: every predicate resolves (stored, defined by a rule, or a
// builtin) with one arity; every variable is range-restricted (safe); aggregates sit in heads.
// Errors name the predicate or variable and point at it; the nearest known names are suggested.

import Diagnostics
import GraphModel

/// A rule with the text it was parsed from.
public struct SourcedRule: Sendable {
  /// The rule.
  public var rule: Rule
  /// Its source text.
  public var source: SourceText
  /// For one of the rules a rule with a disjunction stands for: which alternative (from 0) of
  /// how many. Nil for a rule written without one.
  public var alternative: (index: Int, count: Int)?
  /// For a rule the checker made for a construct of another clause (an aggregate in a body, a
  /// negated atom with local variables): which construct. Nil for a rule as written.
  public var auxiliary: Auxiliary?

  /// Pairs a rule with its source.
  public init(_ rule: Rule, _ source: SourceText) {
    self.rule = rule
    self.source = source
  }

  /// Whether this is a rule as its author wrote it: not an auxiliary rule, and the first of the
  /// rules a disjunction stands for (so that listings show each written rule once).
  public var isAsWritten: Bool { auxiliary == nil && (alternative?.index ?? 0) == 0 }

  /// Where the rule starts, as `file:line:col`.
  public var location: SourceLocation { source.location(of: rule.span) }

  /// The rules without disjunctions this rule stands for, one per combination of alternatives
  /// (itself when it has no disjunction, or when it stands for too many: the checker reports
  /// that).
  public var alternatives: [SourcedRule] {
    // An aggregate ranges over all of its body's solutions, so its rule is never split (the
    // checker refuses a disjunction there).
    guard !rule.head.hasAggregate, rule.body.contains(where: { if case .disjunction = $0 { true } else { false } }),
      let bodies = Literal.expand(rule.body)
    else {
      return [self]
    }
    return bodies.enumerated().map { k, body in
      var one = self
      one.rule.body = body
      one.alternative = (k, bodies.count)
      return one
    }
  }
}

/// A query with the text it was parsed from and its result columns.
public struct SourcedQuery: Sendable {
  /// The query.
  public var query: Query
  /// Its source text.
  public var source: SourceText
  /// The result columns: named variables (not starting with `_`) in order of first appearance.
  public var columns: [String]
  /// The bodies without disjunctions the query's body stands for (just the body when it has
  /// none; the body itself, unexpanded, when it stands for too many, which the checker reports),
  /// after the checker replaced its aggregates and local negations by auxiliary predicates.
  public var branches: [[Literal]]
  /// The auxiliary rules the checker made for the query's body (see ``Auxiliary``); they are
  /// in force for this query alone.
  public var auxiliaryRules: [SourcedRule] = []

  /// Pairs a query with its source; columns are filled in by the checker.
  public init(_ query: Query, _ source: SourceText) {
    self.query = query
    self.source = source
    self.columns = []
    branches = Literal.expand(query.body) ?? [query.body]
  }
}

/// A declaration with the text it was parsed from.
public struct SourcedDeclaration: Sendable {
  /// The declaration.
  public var declaration: Declaration
  /// Its source text.
  public var source: SourceText

  /// Pairs a declaration with its source.
  public init(_ declaration: Declaration, _ source: SourceText) {
    self.declaration = declaration
    self.source = source
  }

  /// Where it is written, as `file:line:col`.
  public var location: SourceLocation { source.location(of: declaration.span) }
}

extension Program {
  /// The declarations of this program with their source.
  public var sourcedDeclarations: [SourcedDeclaration] { declarations.map { SourcedDeclaration($0, source) } }
  /// The rules of this program with their source, as written (the checker expands their
  /// disjunctions and adds their auxiliary rules).
  public var sourcedRules: [SourcedRule] { rules.map { SourcedRule($0, source) } }
  /// The queries of this program with their source.
  public var sourcedQueries: [SourcedQuery] { queries.map { SourcedQuery($0, source) } }
}

/// Where a predicate's facts come from.
public enum PredicateKind: Hashable, Sendable {
  /// Only stored facts (binary).
  case stored
  /// Only rules.
  case derived
  /// Stored facts plus rules (binary): the union of both.
  case storedAndDerived
  /// A builtin.
  case builtin(Builtin)

  /// Whether rules define it.
  public var isDerived: Bool { self == .derived || self == .storedAndDerived }
}

/// What the checker learnt about one predicate.
public struct PredicateInfo: Sendable, Hashable {
  /// The name.
  public var name: String
  /// The number of arguments.
  public var arity: Int
  /// Where its facts come from.
  public var kind: PredicateKind
}

/// A program that passed the checks.
public struct CheckedProgram: Sendable {
  /// The rules checked (facts included), in order: those given to the check, not the rules of
  /// an established ``ProgramChecker/Context`` it extended.
  public var rules: [SourcedRule]
  /// The queries, with their result columns.
  public var queries: [SourcedQuery]
  /// Every predicate defined or used.
  public var predicates: [String: PredicateInfo]
}

/// Checks names, arities and safety.
public struct ProgramChecker {
  /// Predicates the store has facts for (or declares); all are binary.
  public var storedPredicates: Set<String>

  /// Creates a checker for a store with these predicates.
  public init(storedPredicates: Set<String>) {
    self.storedPredicates = storedPredicates
  }

  /// What checking a set of rules established, so that more rules and queries can be checked
  /// against it without checking those rules again: every predicate defined or used, and where
  /// each derived predicate was first defined (for arity messages).
  ///
  /// Checking rules R then S against R's context finds exactly the problems of S that checking
  /// R and S together finds (R's own were found before): a rule's checks depend on the rules
  /// before it only through the predicates they define and use, and S can only define more.
  public struct Context: Sendable {
    var predicates: [String: PredicateInfo] = [:]
    var definedAt: [String: (rule: SourcedRule, arity: Int)] = [:]
    /// How many auxiliary predicates the rules checked so far made (the next is numbered one
    /// more).
    var auxiliaries = 0
    /// The declared predicates.
    var declared: [String: SourcedDeclaration] = [:]

    /// Nothing established.
    public init() {}

    /// Every predicate defined or used.
    public var knownPredicates: [String: PredicateInfo] { predicates }
    /// The declared predicates, by name.
    public var declarations: [String: SourcedDeclaration] { declared }
  }

  /// Checks rules and queries together.
  ///
  /// - Returns: The checked program and the diagnostics (errors and warnings); the program is
  ///   usable only when no diagnostic is an error.
  ///
  /// At most ``BoundedDiagnostics/maximum`` diagnostics are returned, then one counting the
  /// rest. `shouldStop` is asked between clauses; when it answers true, checking ends with a
  /// `stopped` error and the caller says why (a time limit, Ctrl-C).
  public func check(rules: [SourcedRule], queries: [SourcedQuery], declarations: [SourcedDeclaration] = [], shouldStop: StopRequest? = nil) -> (CheckedProgram, [Diagnostic]) {
    let (checked, diagnostics, _) = extend(Context(), rules: rules, queries: queries, declarations: declarations, shouldStop: shouldStop)
    return (checked, diagnostics)
  }

  /// Checks rules and queries against what rules already checked established (see
  /// ``Context``): only the new clauses are checked, so the cost is theirs alone.
  ///
  /// - Returns: The checked program (its `rules` are the new ones), the diagnostics of the new
  ///   clauses, and the context extended by the new rules (meaningful only without errors).
  public func extend(
    _ context: Context, rules given: [SourcedRule], queries: [SourcedQuery], declarations: [SourcedDeclaration] = [], shouldStop: StopRequest? = nil
  ) -> (CheckedProgram, [Diagnostic], Context) {
    var diagnostics = BoundedDiagnostics()
    // Aggregates in bodies, local variables of negated atoms and aggregates over disjunctions
    // become auxiliary rules; rules with disjunctions are checked (and returned) as the rules
    // they stand for. A query's auxiliary rules are checked with the rules, and kept with it.
    for sourced in given { checkBodyAggregates(sourced.rule.body, sourced.source, &diagnostics) }
    for sourced in queries { checkBodyAggregates(sourced.query.body, sourced.source, &diagnostics) }
    // Auxiliary predicates are numbered past every one in force (also when the context was
    // rebuilt from checked rules, whose auxiliary rules keep their names).
    var highest = context.auxiliaries
    if given.contains(where: { AuxiliaryRules.needsRewrite($0.rule.body) || $0.rule.head.hasAggregate }) || queries.contains(where: { AuxiliaryRules.needsRewrite($0.query.body) }) {
      // A stored predicate could be named like one too (a quoted id such as '_count3').
      for name in context.predicates.keys.filter({ $0.hasPrefix("_") }) + storedPredicates.filter({ $0.hasPrefix("_") }) {
        if let n = Int(name.drop(while: { !$0.isNumber })) { highest = max(highest, n) }
      }
    }
    var auxiliary = AuxiliaryRules(counter: highest, source: SourceText(name: "", text: ""))
    var rules: [SourcedRule] = []
    for sourced in given {
      auxiliary = AuxiliaryRules(counter: auxiliary.counter, source: sourced.source)
      rules += auxiliary.rewrite(sourced).flatMap(\.alternatives)
    }
    let auxiliariesOfRules = auxiliary.counter
    var queries = queries
    var queryRules: [SourcedRule] = []
    for k in queries.indices {
      auxiliary = AuxiliaryRules(counter: auxiliary.counter, source: queries[k].source)
      if let (body, made) = auxiliary.rewrite(queries[k].query) {
        guard let branches = Literal.expand(body) else {
          diagnostics.append(.error(
            code: "disjunction", "the disjunctions and aggregates of this query stand for more than \(Literal.maximumAlternatives) bodies", in: queries[k].source,
            at: queries[k].query.span, help: "define a helper predicate for some of the alternatives and use it here"))
          continue
        }
        queries[k].branches = branches
        queries[k].auxiliaryRules = made
        queryRules += made
      }
    }
    let allRules = rules + queryRules
    var stopped = false
    func stop() -> Bool {
      if !stopped, let shouldStop, shouldStop() {
        stopped = true
        diagnostics.append(Diagnostic(.error, .data, code: "stopped", "checking stopped before the end of the text"))
      }
      return stopped
    }
    var predicates = context.predicates
    var definedAt = context.definedAt
    var declared = context.declared

    // Declarations: a predicate known with its arity before any rule or fact defines it.
    for sourced in declarations {
      let declaration = sourced.declaration
      let name = declaration.predicate
      let arity = declaration.arguments.count
      if Builtins.named(name) != nil {
        diagnostics.append(.error(code: "define-builtin", "cannot declare `\(name)`: it is a builtin", in: sourced.source, at: declaration.predicateSpan, help: "choose another name"))
      } else if let prior = declared[name], prior.declaration.arguments.count != arity {
        diagnostics.append(.error(code: "arity", "`\(name)` is declared with \(prior.declaration.arguments.count) arguments at \(prior.location) and with \(arity) here", in: sourced.source, at: declaration.span))
      } else if let (first, firstArity) = definedAt[name], firstArity != arity {
        diagnostics.append(.error(code: "arity", "`\(name)` is defined with \(firstArity) argument\(firstArity == 1 ? "" : "s") at \(first.location); this declaration gives it \(arity)", in: sourced.source, at: declaration.span))
      } else if storedPredicates.contains(name), arity != 2 {
        diagnostics.append(.error(code: "arity", "`\(name)` is a stored predicate with 2 arguments; a declaration cannot give it \(arity)", in: sourced.source, at: declaration.span))
      } else {
        declared[name] = sourced
        if predicates[name] == nil {
          predicates[name] = PredicateInfo(name: name, arity: arity, kind: storedPredicates.contains(name) ? .stored : .derived)
        }
      }
    }
    /// A constant written for an argument of a declared predicate must be of its declared kind.
    func checkKinds(_ predicate: String, _ terms: [Term?], _ source: SourceText) {
      guard let declaration = declared[predicate]?.declaration, declaration.arguments.count == terms.count else { return }
      for (k, (term, argument)) in zip(terms, declaration.arguments).enumerated() {
        guard case .constant(let value, let span)? = term, !argument.kind.admits(value) else { continue }
        let place = argument.name.map { "`\($0)` (argument \(k + 1))" } ?? "argument \(k + 1)"
        diagnostics.append(.error(
          code: "declared-kind", "\(place) of `\(predicate)` is declared `\(argument.kind.rawValue)`, but `\(value)` is \(value.kind == .integer || value.kind == .entity ? "an" : "a") \(value.kind.name)", in: source, at: span,
          help: "declared at \(declared[predicate].map { $0.location.description } ?? "?")"))
      }
    }

    // Heads: what rules define.
    for sourced in allRules {
      let head = sourced.rule.head
      let arity = head.arguments.count
      if let builtin = Builtins.named(head.predicate) {
        diagnostics.append(.error(code: "define-builtin", "cannot define `\(head.predicate)`: it is a builtin \(builtin.kind == .test ? "test" : builtin.kind == .function ? "function" : "relation")", in: sourced.source, at: head.predicateSpan, help: "choose another name for the rule"))
        continue
      }
      if let aggregate = AggregateFunction(rawValue: head.predicate) {
        _ = aggregate
      }
      if let prior = declared[head.predicate], prior.declaration.arguments.count != arity {
        diagnostics.append(.error(
          code: "arity", "`\(head.predicate)` is declared with \(prior.declaration.arguments.count) argument\(prior.declaration.arguments.count == 1 ? "" : "s") at \(prior.location), found \(arity) here",
          in: sourced.source, at: head.span, help: "a predicate has one number of arguments everywhere"))
        continue
      }
      checkKinds(head.predicate, head.arguments.map { if case .term(let t) = $0 { t } else { nil } }, sourced.source)
      if let (first, firstArity) = definedAt[head.predicate], firstArity != arity {
        diagnostics.append(.error(
          code: "arity", "`\(head.predicate)` is defined with \(firstArity) argument\(firstArity == 1 ? "" : "s") at \(first.location) and with \(arity) here",
          in: sourced.source, at: head.span, help: "a predicate has one number of arguments everywhere"))
        continue
      }
      if storedPredicates.contains(head.predicate), arity != 2 {
        diagnostics.append(.error(
          code: "arity", "`\(head.predicate)` is a stored predicate with 2 arguments; a rule cannot give it \(arity)",
          in: sourced.source, at: head.span))
        continue
      }
      if definedAt[head.predicate] == nil { definedAt[head.predicate] = (sourced, arity) }
      predicates[head.predicate] = PredicateInfo(
        name: head.predicate, arity: arity,
        kind: storedPredicates.contains(head.predicate) ? .storedAndDerived : .derived)
    }

    let knownNames = Set(predicates.keys).union(storedPredicates).union(Builtins.all.map(\.name))

    func unbound(_ terms: [Term], _ source: SourceText) {
      for case .parameter(let name, let span) in terms {
        diagnostics.append(.error(code: "parameter", "parameter `$\(name)` has no value", in: source, at: span, help: "give it one when running the script: `xinzhi run FILE --param \(name)=VALUE`"))
      }
    }
    func unbound(_ comparison: Comparison, _ source: SourceText) {
      unbound(comparison.left.terms + comparison.right.terms, source)
    }

    func resolve(_ atom: Atom, _ source: SourceText) {
      unbound(atom.arguments, source)
      let arity = atom.arguments.count
      if let builtin = Builtins.named(atom.predicate) {
        if !builtin.atomArities.contains(arity) {
          let expected = builtin.kind == .function
            ? "\(builtin.arity.lowerBound + 1)\(builtin.arity.upperBound == Int.max ? " or more" : "") (its inputs and the result)"
            : "\(builtin.arity.lowerBound)"
          diagnostics.append(.error(code: "arity", "`\(atom.predicate)` takes \(expected) arguments, found \(arity)", in: source, at: atom.span, help: "`\(builtin.name)(\(builtin.signature))`: \(builtin.summary)"))
        }
        predicates[atom.predicate] = PredicateInfo(name: atom.predicate, arity: arity, kind: .builtin(builtin))
        if builtin.name == "search", arity == 2 {
          var isText = false
          if case .constant(.string, _) = atom.arguments[1] { isText = true }
          if case .parameter = atom.arguments[1] { isText = true }  // reported as unbound if it has no value
          if !isText {
            diagnostics.append(.error(
              code: "search-text", "`search` takes the text to find as a string constant, such as `search(E, \"再贷款\")`",
              in: source, at: atom.arguments[1].span, help: "to test a text computed by the query, use `contains(S, Part)` or `matches(S, Regex)`"))
          }
        }
        if builtin.name == "matches", arity == 2, case .constant(let pattern, let span) = atom.arguments[1],
          let error = ProgramChecker.patternDiagnostic(pattern, at: span, in: source)
        {
          diagnostics.append(error)
        }
        return
      }
      if let info = predicates[atom.predicate] {
        checkKinds(atom.predicate, atom.arguments, source)
        if info.arity != arity, info.kind != .stored {
          let place = definedAt[atom.predicate].map { " (defined at \($0.0.location))" } ?? declared[atom.predicate].map { " (declared at \($0.location))" } ?? ""
          diagnostics.append(.error(code: "arity", "`\(atom.predicate)` has \(info.arity) argument\(info.arity == 1 ? "" : "s")\(place), found \(arity)", in: source, at: atom.span))
        } else if info.kind == .stored, arity != 2 {
          diagnostics.append(.error(code: "arity", "`\(atom.predicate)` is a stored predicate: `\(atom.predicate)(Subject, Object)` has 2 arguments, found \(arity)", in: source, at: atom.span))
        }
        return
      }
      if storedPredicates.contains(atom.predicate) {
        if arity != 2 {
          diagnostics.append(.error(code: "arity", "`\(atom.predicate)` is a stored predicate: `\(atom.predicate)(Subject, Object)` has 2 arguments, found \(arity)", in: source, at: atom.span))
        }
        predicates[atom.predicate] = PredicateInfo(name: atom.predicate, arity: 2, kind: .stored)
        return
      }
      if AggregateFunction(rawValue: atom.predicate) != nil {
        diagnostics.append(.error(code: "aggregate-in-body", "`\(atom.predicate)` is an aggregate, not a predicate", in: source, at: atom.span, help: "in a body write `N = \(atom.predicate) { X : p(G, X) }`; in a head `n(G, \(atom.predicate)(X)) :- p(G, X).`"))
        return
      }
      diagnostics.append(.error(
        code: "unknown-predicate", "unknown predicate `\(atom.predicate)`: the store has no such facts and no rule defines it",
        in: source, at: atom.predicateSpan,
        help: Suggestions.didYouMean(atom.predicate, in: knownNames) ?? "`.schema` (at the command line: `xinzhi schema`) lists the predicates and builtins"))
    }

    /// A body with disjunctions that stand for too many bodies.
    func tooManyAlternatives(_ body: [Literal], _ source: SourceText) {
      guard let first = body.first(where: { if case .disjunction = $0 { true } else { false } }), Literal.expand(body) == nil else { return }
      diagnostics.append(.error(
        code: "disjunction", "the disjunctions of this body stand for more than \(Literal.maximumAlternatives) bodies", in: source, at: first.span,
        help: "define a helper predicate for some of the alternatives and use it here"))
    }

    func resolve(_ body: [Literal], _ source: SourceText) {
      for literal in body {
        switch literal {
        case .atom(let atom), .negated(let atom, _): resolve(atom, source)
        case .comparison(let c):
          unbound(c, source)
          checkCalls(c, source, &diagnostics, knownNames)
        case .disjunction(let branches, _):
          for branch in branches { resolve(branch, source) }
        case .aggregate:
          break  // its body is checked as its auxiliary rule's
        }
      }
    }

    var unresolved = Set<Int>()
    for (index, sourced) in allRules.enumerated() {
      if stop() { break }
      let before = diagnostics.count
      unbound(sourced.rule.head.arguments.compactMap { if case .term(let t) = $0 { t } else { nil } }, sourced.source)
      if !sourced.rule.head.hasAggregate { tooManyAlternatives(sourced.rule.body, sourced.source) }
      resolve(sourced.rule.body, sourced.source)
      if diagnostics.count > before { unresolved.insert(index) }
    }
    var checkedQueries: [SourcedQuery] = []
    var unresolvedQueries = Set<Int>()
    for var sourced in queries {
      if stop() { break }
      let before = diagnostics.count
      if !AuxiliaryRules.needsRewrite(sourced.query.body) { tooManyAlternatives(sourced.query.body, sourced.source) }
      resolve(sourced.query.body, sourced.source)
      sourced.columns = ProgramChecker.columns(of: sourced.query)
      if diagnostics.count > before { unresolvedQueries.insert(checkedQueries.count) }
      checkedQueries.append(sourced)
    }

    // Safety, for every clause whose names all resolved.
    for (index, sourced) in allRules.enumerated() where !unresolved.contains(index) {
      if stop() { break }
      checkSafety(sourced, predicates, &diagnostics)
    }
    for (index, sourced) in checkedQueries.enumerated() where !unresolvedQueries.contains(index) {
      if stop() { break }
      // Columns listed by name: each once, each a variable of the body.
      if let listed = sourced.query.columns {
        var seen = Set<String>()
        let used = Set(sourced.query.body.flatMap { ProgramChecker.variables(in: $0) }.map(\.name))
        for column in listed {
          if !seen.insert(column.name).inserted {
            diagnostics.append(.error(code: "query-columns", "result column `\(column.name)` is listed twice", in: sourced.source, at: column.span))
          } else if !used.contains(column.name) {
            diagnostics.append(.error(
              code: "query-columns", "result column `\(column.name)` does not appear in the query's body", in: sourced.source, at: column.span,
              help: "the body's variables are \(Array(Set(used)).sorted().map { "`\($0)`" }.joined(separator: ", "))"))
          }
        }
      }
      // Each body the query stands for must be safe and bind every result column.
      for body in sourced.branches {
        let bound = safeOrder(body, predicates, initiallyBound: [], sourced.source, &diagnostics)
        if sourced.branches.count > 1, let missing = sourced.columns.first(where: { !bound.contains($0) }) {
          let span = sourced.query.body.first(where: { if case .disjunction = $0 { true } else { false } })?.span ?? sourced.query.span
          diagnostics.append(.error(
            code: "disjunction-column", "result column `\(missing)` is not bound in every alternative of the query",
            in: sourced.source, at: span, help: "bind it in each alternative, or name it `_\(missing)` if it is not wanted in the result"))
          break
        }
      }
      for key in sourced.query.ordering where !sourced.columns.contains(key.variable) {
        diagnostics.append(.error(code: "order-by", "cannot order by `\(key.variable)`: it is not a result column of the query", in: sourced.source, at: key.span, help: "the columns are \(sourced.columns.map { "`\($0)`" }.joined(separator: ", "))"))
      }
    }
    var extended = Context()
    extended.predicates = predicates
    extended.definedAt = definedAt
    extended.auxiliaries = auxiliariesOfRules
    extended.declared = declared
    // The alternatives of a rule with a disjunction share their text: a problem in a part they
    // share is reported once.
    var seen = Set<String>()
    let unique = diagnostics.all.filter { seen.insert("\($0.code)|\($0.location.map { "\($0.line):\($0.column)" } ?? "")|\($0.message)").inserted }
    return (CheckedProgram(rules: rules, queries: checkedQueries, predicates: predicates), unique, extended)
  }

  /// The result columns of a query: those listed (`?- [A, B] : ...`), else its named variables
  /// not starting with `_`, in order of first appearance.
  public static func columns(of query: Query) -> [String] {
    if let listed = query.columns { return listed.map(\.name) }
    var seen: [String] = []
    func visit(_ name: String) {
      if !name.hasPrefix("_"), !seen.contains(name) { seen.append(name) }
    }
    for literal in query.body {
      for variable in variables(in: literal) { visit(variable.name) }
    }
    return seen
  }

  // MARK: - Aggregates in bodies

  /// Misuses of `N = f { T : B }` that its auxiliary rule would report obscurely: the result
  /// used inside the braces, `_` among the aggregated terms.
  private func checkBodyAggregates(_ body: [Literal], _ source: SourceText, _ diagnostics: inout BoundedDiagnostics) {
    for literal in body {
      switch literal {
      case .disjunction(let branches, _):
        for branch in branches { checkBodyAggregates(branch, source, &diagnostics) }
      case .aggregate(let a):
        for term in a.terms {
          if case .anonymous(let span) = term {
            diagnostics.append(.error(code: "aggregate-terms", "`_` cannot be aggregated", in: source, at: span, help: "name the variable: `\(a.function.rawValue) { X : ... }` aggregates the distinct values of X"))
          }
        }
        let inside = a.terms.compactMap { t in t.variableName.map { ($0, t.span) } } + AuxiliaryRules.allVariables(a.body).map { ($0.name, $0.span) }
        if let use = inside.first(where: { $0.0 == a.result }) {
          diagnostics.append(.error(
            code: "aggregate-result", "`\(a.result)` is the result of this aggregate; it cannot also be used inside it", in: source, at: use.1,
            help: "give the value inside the braces another name"))
        }
        checkBodyAggregates(a.body, source, &diagnostics)
      case .atom, .negated, .comparison:
        break
      }
    }
  }

  // MARK: - Functions in expressions

  private func checkCalls(_ comparison: Comparison, _ source: SourceText, _ diagnostics: inout BoundedDiagnostics, _ known: Set<String>) {
    func visit(_ e: Expression) {
      switch e {
      case .term: break
      case .negate(let inner, _): visit(inner)
      case .binary(_, let l, let r, _):
        visit(l)
        visit(r)
      case .call(let name, let args, let span):
        args.forEach(visit)
        guard let builtin = Builtins.named(name), builtin.kind == .function else {
          let functions = Builtins.all.filter { $0.kind == .function }.map(\.name)
          let what = Builtins.named(name) != nil ? "`\(name)` is a builtin test or relation, not a function" : "unknown function `\(name)`"
          let help = AggregateFunction(rawValue: name) != nil
            ? "`\(name)` is an aggregate; in a body it is written with braces: `N = \(name) { X : p(X) }`"
            : Suggestions.didYouMean(name, in: functions) ?? "the functions are \(functions.joined(separator: ", "))"
          diagnostics.append(.error(code: "unknown-function", what, in: source, at: SourceSpan(start: span.start, end: span.start + name.utf8.count), help: help))
          return
        }
        if !builtin.arity.contains(args.count) {
          diagnostics.append(.error(code: "arity", "`\(name)` takes \(builtin.arity.lowerBound)\(builtin.arity.upperBound == Int.max ? " or more" : "") argument\(builtin.arity.lowerBound == 1 && builtin.arity.upperBound == 1 ? "" : "s"), found \(args.count)", in: source, at: span))
        }
      }
    }
    visit(comparison.left)
    visit(comparison.right)
  }

  // MARK: - Safety

  struct VariableUse {
    var name: String
    var span: SourceSpan
  }

  static func variables(in term: Term) -> [VariableUse] {
    if case .variable(let name, let span) = term { return [VariableUse(name: name, span: span)] }
    return []
  }

  static func variables(in expression: Expression) -> [VariableUse] {
    switch expression {
    case .term(let t): return variables(in: t)
    case .binary(_, let l, let r, _): return variables(in: l) + variables(in: r)
    case .negate(let e, _): return variables(in: e)
    case .call(_, let args, _): return args.flatMap { variables(in: $0) }
    }
  }

  static func variables(in literal: Literal) -> [VariableUse] {
    switch literal {
    case .atom(let a), .negated(let a, _): return a.arguments.flatMap { variables(in: $0) }
    case .comparison(let c): return variables(in: c.left) + variables(in: c.right)
    case .disjunction(let branches, _): return branches.flatMap { $0.flatMap { variables(in: $0) } }
    // The variables inside the braces are the aggregate's own (see ``BodyAggregate``).
    case .aggregate(let a): return [VariableUse(name: a.result, span: a.resultSpan)]
    }
  }

  private func checkSafety(_ sourced: SourcedRule, _ predicates: [String: PredicateInfo], _ diagnostics: inout BoundedDiagnostics) {
    let rule = sourced.rule
    let source = sourced.source
    var bound: Set<String>
    if sourced.auxiliary?.kind == .aggregate {
      // A shared variable the aggregate's body does not bind is reported once, at the head
      // (below), not again at each literal of the body that needs it.
      var scratch = BoundedDiagnostics()
      let alone = safeOrder(rule.body, predicates, initiallyBound: [], source, &scratch)
      let shared = Set(rule.head.arguments.compactMap { if case .term(let t) = $0 { t.variableName } else { nil } })
      safeOrder(rule.body, predicates, initiallyBound: shared.subtracting(alone), source, &diagnostics)
      bound = alone
    } else {
      bound = safeOrder(rule.body, predicates, initiallyBound: [], source, &diagnostics)
    }
    if rule.isFact {
      for argument in rule.head.arguments {
        if case .term(let t) = argument {
          if case .variable(let name, let span) = t {
            diagnostics.append(.error(code: "unsafe-variable", "a fact cannot contain the variable `\(name)`", in: source, at: span, help: "facts are ground; to state something for every X, write a rule with a body that binds X"))
          } else if case .anonymous(let span) = t {
            diagnostics.append(.error(code: "unsafe-variable", "a fact cannot contain `_`", in: source, at: span))
          }
        }
      }
      return
    }
    var reported = Set<String>()
    let isAggregate = sourced.auxiliary?.kind == .aggregate
    for argument in rule.head.arguments {
      let terms: [Term]
      let aggregated: Bool
      switch argument {
      case .term(let t): (terms, aggregated) = ([t], false)
      case .aggregate(let a): (terms, aggregated) = (a.arguments, true)
      }
      for term in terms {
        switch term {
        case .anonymous where isAggregate:
          break  // reported as `aggregate-terms`
        case .anonymous(let span):
          diagnostics.append(.error(code: "unsafe-variable", "`_` cannot appear in the head of `\(rule.head.predicate)`", in: source, at: span, help: "name the variable and bind it in the body"))
        case .variable(let name, let span) where !bound.contains(name) && !reported.contains(name) && isAggregate:
          reported.insert(name)
          diagnostics.append(aggregated
            ? .error(code: "unsafe-variable", "`\(name)` is aggregated, but nothing inside the braces binds it", in: source, at: span, help: "bind it with an atom after the `:`")
            : .error(
              code: "unsafe-variable", "`\(name)` is used inside this aggregate and outside it, so the aggregate is computed for each of its values, but nothing inside the braces binds it",
              in: source, at: span, help: "bind `\(name)` inside the braces too (repeat the atom that binds it outside), or give the variable inside another name"))
        case .variable(let name, let span) where !bound.contains(name) && !reported.contains(name):
          reported.insert(name)
          diagnostics.append(.error(
            code: "unsafe-variable", "variable `\(name)` in the head of `\(rule.head.predicate)` is not bound by the body",
            in: source, at: span, help: "every head variable must appear in a positive body atom, or be computed with `\(name) = ...`"))
        default:
          break
        }
      }
    }
    // Singletons: a named variable used once in a rule is usually a typo.
    var counts: [String: (Int, SourceSpan)] = [:]
    let all = rule.body.flatMap { ProgramChecker.variables(in: $0) } + rule.head.arguments.flatMap { argument -> [VariableUse] in
      switch argument {
      case .term(let t): return ProgramChecker.variables(in: t)
      case .aggregate(let a): return a.arguments.flatMap { ProgramChecker.variables(in: $0) }
      }
    }
    for use in all {
      counts[use.name, default: (0, use.span)].0 += 1
    }
    for (name, (count, span)) in counts.sorted(by: { $0.value.1.start < $1.value.1.start }) where count == 1 && !name.hasPrefix("_") {
      diagnostics.append(Diagnostic(.warning, .data, code: "singleton-variable", "variable `\(name)` appears only once in this \(sourced.auxiliary?.kind == .aggregate ? "aggregate" : "rule")", at: source.location(of: span), help: "if any value will do, write `_` (or `_\(name)`)"), severity: .warning)
    }
  }

  /// Finds an order in which every literal's inputs are bound; reports the literals for which
  /// none exists, naming their first unbound variable. Returns the variables bound at the end.
  @discardableResult
  func safeOrder(_ body: [Literal], _ predicates: [String: PredicateInfo], initiallyBound: Set<String>, _ source: SourceText, _ diagnostics: inout BoundedDiagnostics) -> Set<String> {
    var bound = initiallyBound
    var remaining = Array(body.indices)
    var progress = true
    while progress && !remaining.isEmpty {
      progress = false
      for (position, index) in remaining.enumerated().reversed() {
        if let binds = ProgramChecker.evaluable(body[index], bound, predicates) {
          bound.formUnion(binds)
          remaining.remove(at: position)
          progress = true
        }
      }
    }
    for index in remaining.sorted() {
      let literal = body[index]
      let unbound = ProgramChecker.variables(in: literal).first { !bound.contains($0.name) }
      let text = source.slice(literal.span)
      guard let variable = unbound else { continue }
      switch literal {
      case .negated:
        diagnostics.append(.error(
          code: "unsafe-variable", "variable `\(variable.name)` in `\(text)` is not bound by a positive atom", in: source, at: variable.span,
          help: "bind it in a positive atom first; to mean \"for no value of it\", write `_` or, where the value must repeat, `_\(variable.name)` (a variable named with `_` that the rest of the clause does not use is local to the negated atom)"))
      case .comparison:
        diagnostics.append(.error(code: "unsafe-variable", "variable `\(variable.name)` in `\(text)` is not bound", in: source, at: variable.span, help: "comparisons need their variables bound by a positive atom (`=` may bind one side when the other is bound)"))
      case .atom:
        diagnostics.append(.error(code: "unsafe-variable", "variable `\(variable.name)` in `\(text)` is not bound", in: source, at: variable.span, help: "builtin tests and function inputs need their variables bound by a positive atom"))
      case .disjunction, .aggregate:
        break  // bodies are expanded, and aggregates made auxiliary rules, before their safety is checked
      }
    }
    return bound
  }

  /// The variables a literal binds when it can be evaluated with `bound` variables bound; nil
  /// when it cannot be evaluated yet.
  static func evaluable(_ literal: Literal, _ bound: Set<String>, _ predicates: [String: PredicateInfo]) -> Set<String>? {
    switch literal {
    case .atom(let atom):
      let names = atom.arguments.flatMap { variables(in: $0) }.map(\.name)
      if case .builtin(let builtin)? = predicates[atom.predicate]?.kind {
        switch builtin.kind {
        case .relation:
          return Set(names)
        case .test:
          return names.allSatisfy(bound.contains) ? [] : nil
        case .function:
          let inputs = atom.arguments.dropLast().flatMap { variables(in: $0) }.map(\.name)
          guard inputs.allSatisfy(bound.contains) else { return nil }
          return Set(atom.arguments.last.map { variables(in: $0) }?.map(\.name) ?? [])
        }
      }
      return Set(names)
    case .negated(let atom, _):
      let names = atom.arguments.flatMap { variables(in: $0) }.map(\.name)
      return names.allSatisfy(bound.contains) ? [] : nil
    case .comparison(let c):
      let left = variables(in: c.left).map(\.name)
      let right = variables(in: c.right).map(\.name)
      let leftBound = left.allSatisfy(bound.contains)
      let rightBound = right.allSatisfy(bound.contains)
      if leftBound && rightBound { return [] }
      guard c.op == .equal else { return nil }
      if case .term(.variable(let name, _)) = c.left, !bound.contains(name), rightBound { return [name] }
      if case .term(.variable(let name, _)) = c.right, !bound.contains(name), leftBound { return [name] }
      return nil
    case .disjunction, .aggregate:
      return nil
    }
  }
}
