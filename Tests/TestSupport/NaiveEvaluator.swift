// The oracle: a deliberately simple evaluator of the query language (naive fixpoint per stratum,
// nested loops, sets of values), written independently of the engine, so the engine's
// semi-naive, magic-sets, inlined and dense paths can be checked against it on random programs.

import GraphModel
import QueryLanguage

/// Evaluates parsed programs over stored triples by naive iteration.
public struct NaiveEvaluator {
  public typealias Tuple = [Value]
  let stored: [Triple]
  let rules: [Rule]

  /// Creates an evaluator for rules over triples.
  public init(stored: [Triple], rules: [Rule]) {
    self.stored = stored
    self.rules = rules
  }

  enum Failure: Error { case notStratifiable, arithmetic }

  /// All derived relations, by predicate name.
  public func evaluate() throws -> [String: Set<Tuple>] {
    var facts: [String: Set<Tuple>] = [:]
    let defined = Set(rules.map(\.head.predicate))
    // Strata numbers: a predicate sits above what it reads, strictly above what it negates or
    // aggregates over.
    var stratum: [String: Int] = [:]
    for p in defined { stratum[p] = 0 }
    var changed = true
    var rounds = 0
    while changed {
      changed = false
      rounds += 1
      if rounds > defined.count + 2 { throw Failure.notStratifiable }
      for rule in rules {
        let head = rule.head.predicate
        for (q, negatedOrAggregated) in NaiveEvaluator.reads(rule.body) where defined.contains(q) {
          let strict = rule.head.hasAggregate || negatedOrAggregated
          let need = (stratum[q] ?? 0) + (strict ? 1 : 0)
          if (stratum[head] ?? 0) < need {
            stratum[head] = need
            changed = true
          }
        }
      }
    }
    let levels = Set(stratum.values).sorted()
    for level in levels {
      let members = Set(stratum.filter { $0.value == level }.map(\.key))
      let stratumRules = rules.filter { members.contains($0.head.predicate) }
      // Naive fixpoint: apply every rule to everything until nothing changes.
      while true {
        var grew = false
        for rule in stratumRules {
          for tuple in try apply(rule, facts) where facts[rule.head.predicate, default: []].insert(tuple).inserted {
            grew = true
          }
        }
        if !grew { break }
      }
    }
    return facts
  }

  /// The answers of a query body: tuples of the given variables.
  public func answer(_ body: [Literal], columns: [String], facts: [String: Set<Tuple>]) throws -> Set<Tuple> {
    var result = Set<Tuple>()
    try solve(body, [:], facts) { env in
      result.insert(columns.map { env[$0] ?? .entity("?") })
    }
    return result
  }

  func apply(_ rule: Rule, _ facts: [String: Set<Tuple>]) throws -> Set<Tuple> {
    if !rule.head.hasAggregate {
      var out = Set<Tuple>()
      try solve(rule.body, [:], facts) { env in
        out.insert(rule.head.arguments.map { argument in
          if case .term(let t) = argument { return value(t, env) ?? .entity("?") }
          return .entity("?")
        })
      }
      return out
    }
    var groups: [[Value]: [[[Value]]]] = [:]
    try solve(rule.body, [:], facts) { env in
      var key: [Value] = []
      var aggregates: [[Value]] = []
      for argument in rule.head.arguments {
        switch argument {
        case .term(let t): key.append(value(t, env) ?? .entity("?"))
        case .aggregate(let a): aggregates.append(a.arguments.map { value($0, env) ?? .entity("?") })
        }
      }
      groups[key, default: []].append(aggregates)
    }
    let grouped = rule.head.arguments.contains { if case .term = $0 { true } else { false } }
    if groups.isEmpty && !grouped { groups[[]] = [] }
    var out = Set<Tuple>()
    for (key, rows) in groups {
      var tuple: [Value] = []
      var keys = key.makeIterator()
      var ok = true
      var aggregateIndex = 0
      for argument in rule.head.arguments {
        switch argument {
        case .term: tuple.append(keys.next() ?? .entity("?"))
        case .aggregate(let a):
          let distinct = Set(rows.map { $0[aggregateIndex] })
          aggregateIndex += 1
          guard let v = aggregate(a.function, distinct) else {
            ok = false
            break
          }
          tuple.append(v)
        }
      }
      if ok { out.insert(tuple) }
    }
    return out
  }

  func aggregate(_ f: AggregateFunction, _ tuples: Set<[Value]>) -> Value? {
    let firsts = tuples.compactMap(\.first)
    switch f {
    case .count: return .integer(Int64(tuples.count))
    case .min: return firsts.min()
    case .max: return firsts.max()
    case .sum, .avg:
      var integers: Int64 = 0
      var decimal: DecimalValue?
      var n = 0
      for v in firsts {
        switch v {
        case .integer(let i):
          if let d = decimal { decimal = DecimalValue.add(d, DecimalValue(integer: i)) } else { integers += i }
          n += 1
        case .decimal(let d):
          decimal = DecimalValue.add(decimal ?? DecimalValue(integer: integers), d)
          n += 1
        default: continue
        }
      }
      if f == .sum { return decimal.map { .decimal($0) } ?? .integer(integers) }
      guard n > 0, let total = Optional(decimal ?? DecimalValue(integer: integers)),
        let average = DecimalValue.divide(total, DecimalValue(integer: Int64(n)))
      else { return nil }
      return .decimal(average)
    }
  }

  func value(_ t: Term, _ env: [String: Value]) -> Value? {
    switch t {
    case .variable(let name, _): env[name]
    case .constant(let v, _): v
    default: nil
    }
  }

  func relation(_ predicate: String, _ arity: Int, _ facts: [String: Set<Tuple>]) -> [Tuple] {
    if predicate == "triple" { return stored.map { [.entity($0.subject), .entity($0.predicate), $0.object] } }
    var result = Array(facts[predicate] ?? [])
    for t in stored where t.predicate == predicate && arity == 2 {
      let tuple: Tuple = [.entity(t.subject), t.object]
      if !(facts[predicate]?.contains(tuple) ?? false) { result.append(tuple) }
    }
    return result
  }

  /// Backtracking over body literals, each taken as soon as its inputs are bound.
  func solve(_ body: [Literal], _ env: [String: Value], _ facts: [String: Set<Tuple>], _ emit: ([String: Value]) throws -> Void) throws {
    guard !body.isEmpty else {
      try emit(env)
      return
    }
    // Pick the first literal that can run.
    var pick = 0
    for (i, literal) in body.enumerated() {
      var others: [Literal] = []
      switch literal {
      case .aggregate, .negated:
        others = body
        others.remove(at: i)
      default: break
      }
      if ready(literal, env, others: others) {
        pick = i
        break
      }
    }
    var rest = body
    let literal = rest.remove(at: pick)
    switch literal {
    case .aggregate(let a):
      // Read directly: the distinct tuples of the terms over the solutions of the aggregate's
      // body under the clause's bindings (variables bound so far are shared, the rest local).
      var tuples = Set<[Value]>()
      try solve(a.body, env, facts) { inner in
        tuples.insert(a.terms.map { value($0, inner) ?? .entity("?") })
      }
      let result: Value?
      switch a.function {
      case .count: result = .integer(Int64(tuples.count))
      default: result = tuples.isEmpty && a.function != .sum ? nil : aggregate(a.function, tuples)
      }
      guard let result else { return }
      var next = env
      if let bound = next[a.result] {
        if bound != result { return }
      } else {
        next[a.result] = result
      }
      try solve(rest, next, facts, emit)
    case .disjunction(let branches, _):
      // Read directly: the solutions of the body are those of each alternative in its place.
      for branch in branches { try solve(branch + rest, env, facts, emit) }
    case .atom(let atom) where NaiveEvaluator.tests.contains(atom.predicate):
      let values = atom.arguments.map { value($0, env) }
      if values.allSatisfy({ $0 != nil }), test(atom.predicate, values.compactMap { $0 }) { try solve(rest, env, facts, emit) }
    case .atom(let atom) where NaiveEvaluator.functions.contains(atom.predicate):
      // `f(In..., Out)`: Out is the function's value.
      let inputs = atom.arguments.dropLast().map { value($0, env) }
      guard inputs.allSatisfy({ $0 != nil }), let result = call(atom.predicate, inputs.compactMap { $0 }), let out = atom.arguments.last else { return }
      var next = env
      switch out {
      case .variable(let name, _):
        if let bound = next[name] {
          if bound != result { return }
        } else {
          next[name] = result
        }
      case .constant(let c, _): if c != result { return }
      default: break
      }
      try solve(rest, next, facts, emit)
    case .atom(let atom):
      for tuple in relation(atom.predicate, atom.arguments.count, facts) where tuple.count == atom.arguments.count {
        var next = env
        var ok = true
        for (term, v) in zip(atom.arguments, tuple) {
          switch term {
          case .variable(let name, _):
            if let bound = next[name], bound != v { ok = false } else { next[name] = v }
          case .constant(let c, _): if c != v { ok = false }
          default: break
          }
          if !ok { break }
        }
        if ok { try solve(rest, next, facts, emit) }
      }
    case .negated(let atom, _) where NaiveEvaluator.tests.contains(atom.predicate):
      let values = atom.arguments.map { value($0, env) }
      if values.allSatisfy({ $0 != nil }), !test(atom.predicate, values.compactMap { $0 }) { try solve(rest, env, facts, emit) }
    case .negated(let atom, _):
      // Variables still unbound here are local to the atom (`_L` names): some value of them.
      let exists = relation(atom.predicate, atom.arguments.count, facts).contains { tuple in
        var local: [String: Value] = [:]
        return zip(atom.arguments, tuple).allSatisfy { term, v in
          switch term {
          case .variable(let name, _):
            if let bound = env[name] { return bound == v }
            if let seen = local[name] { return seen == v }
            local[name] = v
            return true
          case .constant(let c, _): return c == v
          default: return true
          }
        }
      }
      if !exists { try solve(rest, env, facts, emit) }
    case .comparison(let c):
      if c.op == .equal, case .term(.variable(let name, _)) = c.left, env[name] == nil {
        guard let v = try evaluate(c.right, env) else { return }
        var next = env
        next[name] = v
        try solve(rest, next, facts, emit)
        return
      }
      if c.op == .equal, case .term(.variable(let name, _)) = c.right, env[name] == nil {
        guard let v = try evaluate(c.left, env) else { return }
        var next = env
        next[name] = v
        try solve(rest, next, facts, emit)
        return
      }
      guard let l = try evaluate(c.left, env), let r = try evaluate(c.right, env) else { return }
      if compare(c.op, l, r) { try solve(rest, env, facts, emit) }
    }
  }

  /// The predicates a body reads, each with whether it is read under negation or an aggregate
  /// (for the strata, which depend only on which predicates a rule reads and how).
  static func reads(_ body: [Literal], strict: Bool = false) -> [(String, Bool)] {
    body.flatMap { literal -> [(String, Bool)] in
      switch literal {
      case .atom(let a): [(a.predicate, strict)]
      case .negated(let a, _): [(a.predicate, true)]
      case .comparison: []
      case .disjunction(let branches, _): branches.flatMap { reads($0, strict: strict) }
      case .aggregate(let a): reads(a.body, strict: true)
      }
    }
  }

  /// The variables a literal shares with the others of its body: an aggregate shows only its
  /// result.
  static func shown(_ literal: Literal) -> [String] {
    switch literal {
    case .aggregate(let a): [a.result]
    case .disjunction(let branches, _): branches.flatMap { $0.flatMap(shown) }
    case .atom(let a), .negated(let a, _): a.arguments.compactMap(\.variableName)
    case .comparison(let c): c.left.variables + c.right.variables
    }
  }

  /// Every variable written inside a body, aggregates and disjunctions included.
  static func inside(_ body: [Literal]) -> [String] {
    body.flatMap { literal -> [String] in
      switch literal {
      case .aggregate(let a): [a.result] + a.terms.compactMap(\.variableName) + inside(a.body)
      case .disjunction(let branches, _): branches.flatMap(inside)
      default: shown(literal)
      }
    }
  }

  func ready(_ literal: Literal, _ env: [String: Value], others: [Literal]) -> Bool {
    switch literal {
    case .aggregate(let a):
      // Every variable it shares with the rest must be bound first.
      let elsewhere = Set(others.flatMap(NaiveEvaluator.shown))
      return (a.terms.compactMap(\.variableName) + NaiveEvaluator.inside(a.body)).allSatisfy { env[$0] != nil || !elsewhere.contains($0) }
    case .negated(let a, _) where !NaiveEvaluator.tests.contains(a.predicate):
      // A `_L` variable no other literal uses is the atom's own; the others must be bound.
      let elsewhere = Set(others.flatMap(NaiveEvaluator.shown))
      return a.arguments.allSatisfy { term in
        guard let n = term.variableName else { return true }
        return env[n] != nil || n.hasPrefix("_") && !elsewhere.contains(n)
      }
    default:
      return ready(literal, env)
    }
  }

  func ready(_ literal: Literal, _ env: [String: Value]) -> Bool {
    func vars(_ e: Expression) -> [String] {
      switch e {
      case .term(.variable(let n, _)): [n]
      case .term: []
      case .binary(_, let l, let r, _): vars(l) + vars(r)
      case .negate(let x, _): vars(x)
      case .call(_, let args, _): args.flatMap(vars)
      }
    }
    switch literal {
    case .disjunction, .aggregate:
      return true
    case .atom(let a) where NaiveEvaluator.tests.contains(a.predicate):
      return a.arguments.allSatisfy { if case .variable(let n, _) = $0 { env[n] != nil } else { true } }
    case .atom(let a) where NaiveEvaluator.functions.contains(a.predicate):
      return a.arguments.dropLast().allSatisfy { if case .variable(let n, _) = $0 { env[n] != nil } else { true } }
    case .atom: return true
    case .negated(let a, _):
      return a.arguments.allSatisfy { if case .variable(let n, _) = $0 { env[n] != nil } else { true } }
    case .comparison(let c):
      let l = vars(c.left).allSatisfy { env[$0] != nil }
      let r = vars(c.right).allSatisfy { env[$0] != nil }
      if l && r { return true }
      if c.op == .equal, case .term(.variable(let n, _)) = c.left, env[n] == nil, r { return true }
      if c.op == .equal, case .term(.variable(let n, _)) = c.right, env[n] == nil, l { return true }
      return false
    }
  }

  func evaluate(_ e: Expression, _ env: [String: Value]) throws -> Value? {
    switch e {
    case .term(let t): return value(t, env)
    case .negate(let x, _):
      guard case .integer(let i)? = try evaluate(x, env) else { return nil }
      return .integer(-i)
    case .binary(let op, let l, let r, _):
      guard case .integer(let a)? = try evaluate(l, env), case .integer(let b)? = try evaluate(r, env) else { return nil }
      switch op {
      case .add: return .integer(a + b)
      case .subtract: return .integer(a - b)
      case .multiply: return .integer(a * b)
      case .divide:
        if b == 0 { throw Failure.arithmetic }
        return .integer(a / b)
      case .remainder:
        if b == 0 { throw Failure.arithmetic }
        return .integer(a % b)
      }
    case .call(let name, let args, _):
      var values: [Value] = []
      for arg in args {
        guard let v = try evaluate(arg, env) else { return nil }
        values.append(v)
      }
      return call(name, values)
    }
  }

  // The builtins again, written from their documentation (QueryLanguage.md §5), not shared with
  // the engine's ValueOperations: a reference that called the engine's code would agree with it
  // on its mistakes.
  static let tests: Set<String> = ["contains", "starts_with", "ends_with", "is_entity", "is_string", "is_number", "is_integer", "is_decimal", "is_date", "is_boolean"]
  static let functions: Set<String> = ["lower", "upper", "concat", "strlen", "lang", "str", "year_of", "abs"]

  /// The text a string builtin reads: a string's characters or an entity's identifier.
  func text(_ v: Value) -> String? {
    switch v {
    case .string(let s, _): s
    case .entity(let e): e
    default: nil
    }
  }

  /// Every value's text, for `concat` and `str`.
  func anyText(_ v: Value) -> String {
    switch v {
    case .entity(let e): e
    case .string(let s, _): s
    case .integer(let i): String(i)
    case .decimal(let d): d.description
    case .boolean(let b): b ? "true" : "false"
    case .date(let d): d.isoText
    }
  }

  func test(_ name: String, _ args: [Value]) -> Bool {
    switch name {
    case "is_entity": if case .entity = args[0] { return true } else { return false }
    case "is_string": if case .string = args[0] { return true } else { return false }
    case "is_integer": if case .integer = args[0] { return true } else { return false }
    case "is_decimal": if case .decimal = args[0] { return true } else { return false }
    case "is_number":
      switch args[0] {
      case .integer, .decimal: return true
      default: return false
      }
    case "is_date": if case .date = args[0] { return true } else { return false }
    case "is_boolean": if case .boolean = args[0] { return true } else { return false }
    default:
      guard args.count == 2, let s = text(args[0]), let part = text(args[1]) else { return false }
      switch name {
      case "contains": return part.isEmpty || s.contains(part)
      case "starts_with": return s.hasPrefix(part)
      default: return s.hasSuffix(part)
      }
    }
  }

  func call(_ name: String, _ args: [Value]) -> Value? {
    guard let first = args.first else { return nil }
    switch name {
    case "lower", "upper":
      switch first {
      case .string(let s, let language): return .string(name == "lower" ? s.lowercased() : s.uppercased(), language: language)
      case .entity(let e): return .string(name == "lower" ? e.lowercased() : e.uppercased(), language: nil)
      default: return nil
      }
    case "concat": return .string(args.map(anyText).joined(), language: nil)
    case "strlen": return text(first).map { .integer(Int64($0.count)) }
    case "lang":
      guard case .string(_, let language) = first else { return nil }
      return .string(language ?? "", language: nil)
    case "str": return .string(anyText(first), language: nil)
    case "year_of":
      guard case .date(let d) = first else { return nil }
      return .integer(Int64(d.year))
    default:
      guard case .integer(let i) = first, i != Int64.min else { return nil }
      return .integer(abs(i))
    }
  }

  func compare(_ op: ComparisonOperator, _ a: Value, _ b: Value) -> Bool {
    func numeric(_ v: Value) -> DecimalValue? { v.numericValue }
    let equal = a == b
    switch op {
    case .equal: return equal
    case .notEqual: return !equal
    default:
      let c: Int
      if let x = numeric(a), let y = numeric(b) {
        c = DecimalValue.compare(x, y)
      } else if a.kind == b.kind {
        c = Value.compare(a, b)
      } else {
        return false
      }
      switch op {
      case .less: return c < 0
      case .lessOrEqual: return c <= 0
      case .greater: return c > 0
      default: return c >= 0
      }
    }
  }
}
