// Seeded random programs over random graphs for the differential tests (the naive oracle, clingo
// and the fuzz `oracle` target all read them). Safe and stratifiable by construction, and weighted
// towards the corners where optimisations go wrong: repeated variables inside one atom (stored,
// derived, negated, `triple/3`), constants in every position of heads and bodies, queries binding
// every adornment of derived predicates (so magic sets run), linear, non-linear and mutual
// recursion, negation of stored and derived predicates, comparisons, arithmetic, aggregates
// (ungrouped ones over bodies that are often empty, and over recursive predicates), anonymous
// variables, facts in the store, in the text and both, standing rules, and the shapes dense
// closures take. `ProgramFeatures` measures what a program really contains.
//
// The `.clingo` fragment keeps to what clingo evaluates with the same meaning: entities, small
// integers and plain strings, stratified negation, count/sum/min/max over integers.

import Diagnostics
import GraphModel
import QueryLanguage

/// A random graph and program.
public struct RandomProgram: Sendable {
  /// Which part of the language a program may use.
  public enum Fragment: Sendable {
    /// Everything the naive evaluator interprets: also string and date builtins, language-tagged
    /// strings, dates and `avg`.
    case full
    /// What clingo evaluates with the same meaning.
    case clingo
  }

  /// The stored triples.
  public var triples: [Triple]
  /// Rules loaded before the text, as the store's standing rules are (may be empty).
  public var standing: String
  /// Facts, rules and queries, as query-language text.
  public var text: String
  /// The seed it was made from.
  public let seed: UInt64
  /// Its fragment.
  public let fragment: Fragment

  /// The stored predicates programs may read (a graph need not hold facts of each).
  public static let storedPredicates = ["e", "f", "val", "name", "born"]

  /// The whole program (standing rules, then the text).
  public var fullText: String { standing.isEmpty ? text : standing + "\n" + text }

  /// Generates the graph and program for a seed.
  public init(seed: UInt64, fragment: Fragment = .full) {
    self.seed = seed
    self.fragment = fragment
    var generator = Generator(random: SeededRandom(seed: seed), fragment: fragment)
    generator.generate()
    triples = generator.triples
    standing = generator.standingLines.joined(separator: "\n")
    text = generator.lines.joined(separator: "\n")
  }
}

/// The kind of values a column holds (comparisons and arithmetic only meet one kind).
private enum Kind: Equatable {
  case entity, integer, string, date, decimal, any
}

private struct PredicateSpec {
  var name: String
  var kinds: [Kind]
}

private struct Generator {
  var random: SeededRandom
  let fragment: RandomProgram.Fragment
  var triples: [Triple] = []
  var lines: [String] = []
  var standingLines: [String] = []
  var nodes: [String] = []
  /// Predicates with stored facts or text facts (complete before any rule runs).
  var base: [PredicateSpec] = []
  /// Derived predicates, in definition order (a later one may read an earlier one).
  var derived: [PredicateSpec] = []
  /// The derived predicates that are views (see `view`).
  var views: Set<String> = []

  init(random: SeededRandom, fragment: RandomProgram.Fragment) {
    self.random = random
    self.fragment = fragment
  }

  var full: Bool { fragment == .full }

  mutating func pick<T>(_ items: [T]) -> T { items[random.below(items.count)] }

  mutating func node() -> String { pick(nodes) }

  mutating func constant(_ kind: Kind) -> String {
    switch kind {
    case .entity, .any: return node()
    case .integer: return String(random.below(10))
    case .string: return pick(["\"ab\"", "\"Ba\"", "\"c\""])
    case .date: return pick(["@1900-01-02", "@1999", "@2024-06"])
    case .decimal: return "1.5"
    }
  }

  // MARK: - The graph

  mutating func generate() {
    let nodeCount = 3 + random.below(6)
    nodes = (0..<nodeCount).map { "n\($0)" }
    for predicate in ["e", "f"] {
      for _ in 0..<(random.below(nodeCount * 2) + 1) {
        triples.append(Triple(node(), predicate, .entity(node())))
      }
      // Loops, so repeated variables (`e(X, X)`) have something to find.
      if random.chance(0.5) {
        let n = node()
        triples.append(Triple(n, predicate, .entity(n)))
      }
    }
    for n in nodes where random.chance(0.7) {
      triples.append(Triple(n, "val", .integer(Int64(random.below(10)))))
    }
    base = [PredicateSpec(name: "e", kinds: [.entity, .entity]), PredicateSpec(name: "f", kinds: [.entity, .entity]), PredicateSpec(name: "val", kinds: [.entity, .integer])]
    if full {
      let strings: [Value] = [.string("ab", language: nil), .string("Ba", language: nil), .string("c", language: "en"), .string("AB", language: "zh")]
      for n in nodes where random.chance(0.6) { triples.append(Triple(n, "name", pick(strings))) }
      let dates = [DateValue(year: 1900, month: 1, day: 2), DateValue(year: 1999), DateValue(year: 2024, month: 6)].compactMap { $0 }
      for n in nodes where random.chance(0.5) { triples.append(Triple(n, "born", .date(pick(dates)))) }
      base.append(PredicateSpec(name: "name", kinds: [.entity, .string]))
      base.append(PredicateSpec(name: "born", kinds: [.entity, .date]))
    }
    // Facts in the text: for a predicate of their own, and for a stored one (both at once).
    if random.chance(0.35) {
      for _ in 0..<(1 + random.below(4)) { lines.append("g(\(node()), \(node())).") }
      base.append(PredicateSpec(name: "g", kinds: [.entity, .entity]))
    }
    if random.chance(0.3) {
      for _ in 0..<(1 + random.below(3)) { lines.append("\(pick(["e", "f"]))(\(node()), \(node())).") }
    }
    // Rules that add to a stored predicate (read back through `f`, never through `triple`).
    if random.chance(0.15) {
      lines.append("f(X, Y) :- e(Y, X), \(pick(["X != Y", "val(X, _)", "not e(X, Y)"])).")
    }
    let count = 2 + random.below(4)
    var index = 0
    while index < count {
      let roll = random.below(100)
      if roll < 14, !derived.isEmpty || random.chance(0.5) {
        aggregate("r\(index)")
      } else if roll < 26 {
        mutual("r\(index)", "r\(index + 1)")
        index += 1
      } else if roll < 36 {
        tagged("r\(index)")
      } else if roll < 48 {
        view("r\(index)")
      } else if roll < 68 {
        binaryRecursive("r\(index)")
      } else {
        general("r\(index)")
      }
      index += 1
    }
    queries()
    // Standing rules: a prefix of the rules is loaded first, as a store's rules.dl is.
    if random.chance(0.3) {
      let ruleLines = lines.filter { !$0.hasPrefix("?-") }
      let split = random.below(ruleLines.count + 1)
      standingLines = Array(ruleLines.prefix(split))
      lines = Array(ruleLines.dropFirst(split)) + lines.filter { $0.hasPrefix("?-") }
    }
  }

  // MARK: - Bodies

  /// A rule body under construction: literals and the variables bound so far, with kinds.
  struct Body {
    var literals: [String] = []
    var bound: [(name: String, kind: Kind)] = []
    var fresh = 0

    mutating func newVariable(_ kind: Kind) -> String {
      fresh += 1
      let name = "V\(fresh)"
      bound.append((name, kind))
      return name
    }

    func variables(_ kind: Kind) -> [String] {
      bound.filter { $0.kind == kind || kind == .any && $0.kind != .decimal }.map(\.name)
    }
  }

  /// A positive atom over a predicate, its arguments joined to the body's variables, constants,
  /// anonymous variables, or repeated inside the atom.
  mutating func atom(_ spec: PredicateSpec, _ body: inout Body, join: Double = 0.5) {
    var arguments: [String] = []
    var local: [(String, Kind)] = []
    let repeatAt = spec.kinds.count >= 2 && random.chance(0.12) ? 1 + random.below(spec.kinds.count - 1) : nil
    for (position, kind) in spec.kinds.enumerated() {
      let roll = random.below(100)
      let earlier = body.variables(kind)
      if position == repeatAt, let same = local.last(where: { $0.1 == kind || kind == .any })?.0 {
        arguments.append(same)
      } else if roll < Int(join * 100), !earlier.isEmpty {
        arguments.append(pick(earlier))
      } else if roll < Int(join * 100) + 12 {
        arguments.append(constant(kind))
      } else if roll < Int(join * 100) + 20 {
        arguments.append("_")
      } else {
        let v = body.newVariable(kind)
        arguments.append(v)
        local.append((v, kind))
      }
    }
    body.literals.append("\(spec.name)(\(arguments.joined(separator: ", ")))")
  }

  /// `triple(S, P, O)` with a constant or variable predicate, maybe a repeated variable.
  mutating func tripleAtom(_ body: inout Body) {
    let subjects = body.variables(.entity)
    let s = !subjects.isEmpty && random.chance(0.5) ? pick(subjects) : body.newVariable(.entity)
    switch random.below(4) {
    case 0: body.literals.append("triple(\(s), \(pick(["e", "f"])), \(s))")
    case 1:
      let p = body.newVariable(.entity)
      body.literals.append("triple(\(s), \(p), _)")
    case 2:
      let o = body.newVariable(.entity)
      body.literals.append("triple(\(s), \(pick(["e", "f"])), \(o))")
    default:
      let p = body.newVariable(.entity)
      body.literals.append("triple(\(s), \(p), \(body.newVariable(.any)))")
    }
  }

  /// Filters over bound variables: negation, comparisons, arithmetic, builtins.
  mutating func filters(_ body: inout Body, lower: [PredicateSpec]) {
    if random.chance(0.35) {
      // Negation of a stored or lower derived predicate, arguments bound, constant or `_`.
      let candidates = base + lower.filter { !$0.kinds.contains(.decimal) }
      let lowerViews = lower.filter { view in views.contains(view.name) }
      let spec = !lowerViews.isEmpty && random.chance(0.5) ? pick(lowerViews) : pick(candidates)
      var arguments: [String] = []
      for kind in spec.kinds {
        let vars = body.variables(kind)
        let roll = random.below(10)
        if roll < 5, !vars.isEmpty {
          arguments.append(pick(vars))
        } else if roll < 7 {
          arguments.append(constant(kind))
        } else {
          arguments.append("_")
        }
      }
      // `not e(X, X)`: a repeated variable under negation.
      if spec.kinds.count == 2, spec.kinds[0] == spec.kinds[1], random.chance(0.3), let v = body.variables(spec.kinds[0]).first {
        arguments = [v, v]
      }
      if arguments.contains(where: { $0 != "_" }) || random.chance(0.5) {
        body.literals.append("not \(spec.name)(\(arguments.joined(separator: ", ")))")
      }
    }
    if random.chance(0.15) {
      // A variable local to a negated atom, repeated (`not p(X, _L1, _L1)`: no such L) or not.
      let candidates = (base + lower).filter { $0.kinds.count >= 2 && $0.kinds[$0.kinds.count - 1] == $0.kinds[$0.kinds.count - 2] && !$0.kinds.contains(.decimal) }
      if !candidates.isEmpty {
        let spec = pick(candidates)
        var arguments = spec.kinds.dropLast(2).map { kind in body.variables(kind).first ?? constant(kind) }
        arguments += random.chance(0.7) ? ["_L1", "_L1"] : [body.variables(spec.kinds[spec.kinds.count - 2]).first ?? "_L1", "_L1"]
        body.literals.append("not \(spec.name)(\(arguments.joined(separator: ", ")))")
      }
    }
    let integers = body.variables(.integer)
    let entities = body.variables(.entity)
    if random.chance(0.3), let v = integers.first {
      let ops = ["<", "<=", ">", ">=", "!=", "="]
      if integers.count >= 2, random.chance(0.4) {
        body.literals.append("\(v) \(pick(ops)) \(integers[1])")
      } else {
        body.literals.append("\(v) \(pick(ops)) \(random.below(10))")
      }
    }
    if random.chance(0.25), let v = integers.last {
      let w = body.newVariable(.integer)
      switch random.below(4) {
      case 0: body.literals.append("\(w) = \(v) * 2 + 1")
      case 1: body.literals.append("\(w) = \(v) - \(random.below(5))")
      case 2: body.literals.append("\(w) = \(v) / \(1 + random.below(3))")
      default: body.literals.append("\(w) = (\(v) + \(random.below(4))) % \(2 + random.below(3))")
      }
      if random.chance(0.5) { body.literals.append("\(w) \(pick(["<", ">", "!="])) \(random.below(12))") }
    }
    if random.chance(0.2), entities.count >= 2 {
      body.literals.append("\(entities[0]) \(pick(["!=", "="])) \(entities[1])")
    }
    if full, random.chance(0.3) { builtins(&body) }
  }

  /// String and date builtins (the full fragment only).
  mutating func builtins(_ body: inout Body) {
    let entities = body.variables(.entity)
    guard let x = entities.first else { return }
    switch random.below(6) {
    case 0:
      let s = body.newVariable(.string)
      body.literals.append("name(\(x), \(s)), \(pick(["contains", "starts_with", "ends_with"]))(\(s), \(pick(["\"a\"", "\"B\"", "\"\""])))")
    case 1:
      let s = body.newVariable(.string)
      let n = body.newVariable(.integer)
      body.literals.append("name(\(x), \(s)), \(n) = strlen(\(s))")
    case 2:
      let s = body.newVariable(.string)
      let u = body.newVariable(.string)
      body.literals.append("name(\(x), \(s)), \(pick(["upper", "lower"]))(\(s), \(u)), \(pick(["contains(\(u), \"A\")", "\(u) != \(s)", "\(u) = \"AB\""]))")
    case 3:
      let d = body.newVariable(.date)
      let y = body.newVariable(.integer)
      body.literals.append("born(\(x), \(d)), \(y) = year_of(\(d)), \(y) \(pick(["<", ">="])) 1950")
    case 4:
      let c = body.newVariable(.string)
      body.literals.append("\(c) = concat(\(x), \"-\", \(pick(["1", "\"z\""]))), \(pick(["contains(\(c), \"n1\")", "ends_with(\(c), \"z\")", "strlen(\(c), 4)"]))")
    default:
      let o = body.newVariable(.any)
      body.literals.append("triple(\(x), _, \(o)), \(pick(["is_integer", "is_entity", "is_string", "is_date", "is_number"]))(\(o))")
    }
  }

  /// A head over the body's variables: a constant or a repeated variable now and then.
  mutating func head(_ name: String, _ kinds: [Kind], _ body: Body) -> String {
    var arguments: [String] = []
    for kind in kinds {
      let vars = body.variables(kind)
      if vars.isEmpty || random.chance(0.1) {
        arguments.append(constant(kind))
      } else {
        // Prefer a variable not used yet in the head.
        let unused = vars.filter { !arguments.contains($0) }
        arguments.append(unused.isEmpty || random.chance(0.1) ? pick(vars) : pick(unused))
      }
    }
    return "\(name)(\(arguments.joined(separator: ", ")))"
  }

  /// A non-recursive rule for `name` reading stored, text and lower derived predicates.
  mutating func exitRule(_ name: String, _ kinds: [Kind], lower: [PredicateSpec]) -> String {
    var body = Body()
    let readable = base + lower.filter { !$0.kinds.contains(.decimal) }
    let atoms = 1 + random.below(3)
    for k in 0..<atoms {
      if random.chance(0.12) {
        tripleAtom(&body)
      } else {
        atom(pick(readable), &body, join: k == 0 ? 0 : 0.55)
      }
    }
    filters(&body, lower: lower)
    return "\(head(name, kinds, body)) :- \(body.literals.joined(separator: ", "))."
  }

  // MARK: - Predicates

  /// A predicate defined by one to three non-recursive rules with random bodies.
  mutating func general(_ name: String) {
    let kinds: [Kind] = pick([[.entity], [.entity, .entity], [.entity, .integer], [.entity, .entity, .entity], [.integer]])
    let lower = derived
    for _ in 0..<(1 + random.below(3)) { lines.append(exitRule(name, kinds, lower: lower)) }
    derived.append(PredicateSpec(name: name, kinds: kinds))
  }

  /// A binary entity predicate with an exit rule and linear, non-linear or same-generation
  /// recursive rules (the shapes dense closures take, and some they must refuse).
  mutating func binaryRecursive(_ name: String) {
    let lower = derived
    lines.append(exitRule(name, [.entity, .entity], lower: lower))
    let edges = base.filter { $0.kinds == [.entity, .entity] }.map(\.name) + lower.filter { $0.kinds == [.entity, .entity] }.map(\.name)
    for _ in 0..<(1 + random.below(2)) {
      let edge = pick(edges)
      let other = pick(edges)
      var body: [String]
      switch random.below(10) {
      case 9:  // a disjunction: each alternative binds X and Y, one of them recursive
        body = ["(\(edge)(X, Y) ; \(other)(Y, X) ; \(name)(X, Z), \(edge)(Z, Y))"]
      case 0, 1: body = ["\(name)(X, Z)", "\(edge)(Z, Y)"]  // right-linear
      case 2, 3: body = ["\(edge)(X, Z)", "\(name)(Z, Y)"]  // left-linear
      case 4: body = ["\(edge)(X, A)", "\(name)(A, B)", "\(other)(B, Y)"]  // same generation
      case 5: body = ["\(name)(X, Z)", "\(name)(Z, Y)"]  // non-linear
      case 6: body = ["\(name)(X, Z)", "triple(Z, \(pick(["e", "f"])), Y)"]  // right-linear over triple
      case 7: body = ["\(name)(X, Z)", "\(edge)(Z, Y)", pick(["X != Y", "not \(other)(X, Y)", "not \(other)(Y, Y)"])]
      default: body = ["\(name)(X, \(node()))", "\(edge)(X, Y)"]  // a constant in the recursive atom
      }
      lines.append("\(name)(X, Y) :- \(body.joined(separator: ", ")).")
    }
    derived.append(PredicateSpec(name: name, kinds: [.entity, .entity]))
  }

  /// A view: one rule whose body is one stored atom, which the engine inlines where it is used
  /// (under negation too), sometimes with a variable repeated in the atom.
  mutating func view(_ name: String) {
    views.insert(name)
    let edge = pick(["e", "f"])
    switch random.below(5) {
    case 0:
      lines.append("\(name)(X) :- \(edge)(X, X).")
      derived.append(PredicateSpec(name: name, kinds: [.entity]))
    case 1:
      lines.append("\(name)(P) :- triple(X, P, X).")
      derived.append(PredicateSpec(name: name, kinds: [.entity]))
    case 2:
      lines.append("\(name)(X) :- \(edge)(X, \(random.chance(0.5) ? "_" : node())).")
      derived.append(PredicateSpec(name: name, kinds: [.entity]))
    case 3:
      lines.append("\(name)(X, Y) :- triple(X, \(edge), Y).")
      derived.append(PredicateSpec(name: name, kinds: [.entity, .entity]))
    default:
      lines.append("\(name)(Y, X) :- \(edge)(X, Y).")
      derived.append(PredicateSpec(name: name, kinds: [.entity, .entity]))
    }
  }

  /// Two predicates defined through each other.
  mutating func mutual(_ p: String, _ q: String) {
    let lower = derived
    lines.append(exitRule(p, [.entity, .entity], lower: lower))
    if random.chance(0.5) { lines.append(exitRule(q, [.entity, .entity], lower: lower)) }
    let edge = pick(["e", "f"])
    lines.append("\(q)(X, Y) :- \(p)(X, Z), \(edge)(Z, Y).")
    switch random.below(3) {
    case 0: lines.append("\(p)(X, Y) :- \(q)(X, Z), \(pick(["e", "f"]))(Z, Y).")
    case 1: lines.append("\(p)(X, Y) :- \(q)(Y, X).")
    default: lines.append("\(p)(X, Y) :- \(q)(X, Z), \(p)(Z, Y).")
    }
    derived.append(PredicateSpec(name: p, kinds: [.entity, .entity]))
    derived.append(PredicateSpec(name: q, kinds: [.entity, .entity]))
  }

  /// A ternary predicate whose rules have constants in the head and call the predicate itself
  /// with a constant argument (the magic-sets shape of issue 11).
  mutating func tagged(_ name: String) {
    let tags = full ? ["\"p\"", "\"s\""] : ["t1", "t2"]
    let edges = base.filter { $0.kinds == [.entity, .entity] }.map(\.name)
    lines.append("\(name)(A, X, \(tags[0])) :- \(pick(edges))(A, X).")
    lines.append("\(name)(A, X, \(tags[1])) :- \(name)(A, Y, \(tags[0])), \(pick(edges))(X, Y).")
    if random.chance(0.5) { lines.append("\(name)(A, X, \(tags[0])) :- \(name)(A, Y, \(tags[1])), \(pick(edges))(Y, X).") }
    derived.append(PredicateSpec(name: name, kinds: [.entity, .entity, .entity]))
  }

  /// An aggregate over stored or lower predicates, grouped or not.
  mutating func aggregate(_ name: String) {
    var body = Body()
    // Over a derived (often recursive) predicate more often than not: the upper stratum.
    let lower = derived.filter { $0.kinds == [.entity, .entity] }
    let source = !lower.isEmpty && random.chance(0.6) ? pick(lower) : pick(base.filter { $0.kinds == [.entity, .entity] })
    let x = body.newVariable(.entity)
    let y = body.newVariable(.entity)
    if random.chance(0.3) {
      // An aggregate in a body: grouped by a variable it shares with the rule, or not.
      bodyAggregate(name, source: source)
      return
    }
    if random.chance(0.25) {
      // Over a disjunction: the aggregate ranges over both alternatives' solutions together.
      let other = pick(base.filter { $0.kinds == [.entity, .entity] })
      body.literals.append("(\(source.name)(\(x), \(y)) ; \(other.name)(\(y), \(x)))")
    } else {
      body.literals.append("\(source.name)(\(x), \(y))")
    }
    var functions = ["count", "count2", "sum", "min", "max"]
    if full { functions.append("avg") }
    let function = pick(functions)
    var aggregated: String
    var kind: Kind = .integer
    switch function {
    case "count": aggregated = "count(\(y))"
    case "count2": aggregated = "count(\(x), \(y))"
    default:
      let v = body.newVariable(.integer)
      body.literals.append("val(\(y), \(v))")
      aggregated = "\(function)(\(v))"
      if function == "avg" { kind = .decimal }
    }
    // A selective filter, so some groups (and some ungrouped aggregates) are empty.
    if random.chance(0.4) {
      body.literals.append(pick(["\(x) = \(y)", "\(x) = \(node())", "not e(\(y), _)"]))
    }
    if random.chance(0.35) {
      lines.append("\(name)(\(aggregated)) :- \(body.literals.joined(separator: ", ")).")
      derived.append(PredicateSpec(name: name, kinds: [kind]))
    } else {
      lines.append("\(name)(\(x), \(aggregated)) :- \(body.literals.joined(separator: ", ")).")
      derived.append(PredicateSpec(name: name, kinds: [.entity, kind]))
    }
  }

  /// `name(X, N) :- dom(X, _), N = f { T : source(X, Y) ... }.` or `name(N) :- N = f { ... }.`
  mutating func bodyAggregate(_ name: String, source: PredicateSpec) {
    var functions = ["count", "count", "sum", "min", "max"]
    if full { functions.append("avg") }
    let function = pick(functions)
    var inner = ["\(source.name)(X, Y)"]
    var terms = "Y"
    var kind: Kind = .integer
    if function != "count" {
      inner.append("val(Y, V)")
      terms = random.chance(0.5) ? "V" : "V, Y"
      if function == "avg" { kind = .decimal }
    } else if random.chance(0.3) {
      terms = "Y, X"
    }
    if random.chance(0.4) { inner.append(pick(["X != Y", "not e(Y, _)", "Y = \(node())"])) }
    let aggregate = "N = \(function) { \(terms) : \(inner.joined(separator: ", ")) }"
    let filter = random.chance(0.3) ? ", N \(pick([">", "<=", "!="])) \(random.below(3))" : ""
    if random.chance(0.35) {
      lines.append("\(name)(N) :- \(aggregate)\(filter).")
      derived.append(PredicateSpec(name: name, kinds: [kind]))
    } else {
      // The groups: every node with an outgoing edge, whether or not the aggregate finds any.
      let domain = pick(base.filter { $0.kinds == [.entity, .entity] } + [source])
      lines.append("\(name)(X, N) :- \(domain.name)(X, _), \(aggregate)\(filter).")
      derived.append(PredicateSpec(name: name, kinds: [.entity, kind]))
    }
  }

  // MARK: - Queries

  mutating func queries() {
    // The model, so that most bound queries take their constants from real answers (a query
    // whose answer is empty checks less). Only the choice of constants depends on it.
    let (parsed, _) = Parser.parse(SourceText(name: "random.dl", text: lines.joined(separator: "\n")))
    let model = (try? NaiveEvaluator(stored: triples, rules: parsed.rules).evaluate()) ?? [:]
    for spec in derived {
      let columns = spec.kinds.indices.map { "A\($0)" }
      lines.append("?- \(spec.name)(\(columns.joined(separator: ", "))).")
      // Bound queries of random adornments, so magic sets run with each.
      let tuples = (model[spec.name] ?? []).sorted { $0.lexicographicallyPrecedes($1) }
      for _ in 0..<(1 + random.below(3)) {
        let tuple = !tuples.isEmpty && random.chance(0.7) ? pick(tuples) : nil
        let arguments = spec.kinds.enumerated().map { position, kind in
          guard random.chance(0.5) else { return columns[position] }
          return tuple.map { $0[position].description } ?? constant(kind)
        }
        lines.append("?- \(spec.name)(\(arguments.joined(separator: ", "))).")
      }
      if spec.kinds.count >= 2, spec.kinds[0] == spec.kinds[1], random.chance(0.5) {
        lines.append("?- \(spec.name)(A, A\(spec.kinds.count > 2 ? ", B" : "")).")
      }
      if spec.kinds.count >= 2, random.chance(0.3) {
        // Result columns listed: reversed, or a subset.
        let listed = random.chance(0.5) ? Array(columns.reversed()) : [columns[columns.count - 1]]
        lines.append("?- [\(listed.joined(separator: ", "))] : \(spec.name)(\(columns.joined(separator: ", "))).")
      }
      if spec.kinds == [.entity, .entity], random.chance(0.3) {
        // A disjunction in a query: both alternatives bind both columns.
        lines.append("?- (\(spec.name)(A, B) ; \(pick(["e", "f"]))(B, A)), A != \(node()).")
      }
      if spec.kinds.first == .entity, random.chance(0.4) {
        let rest = spec.kinds.dropFirst().indices.map { "B\($0)" }
        lines.append("?- \(pick(["e", "f"]))(\(node()), A), \(spec.name)(\((["A"] + rest).joined(separator: ", "))).")
      }
      // Demand next to the negation of a view (inlined under `not`).
      let negatable = derived.filter { views.contains($0.name) && $0.name != spec.name }
      if spec.kinds.first == .entity, !negatable.isEmpty, random.chance(0.35) {
        let view = pick(negatable)
        let arguments = view.kinds.indices.map { $0 == 0 && random.chance(0.5) ? "A0" : "_" }
        lines.append("?- \(spec.name)(\(columns.joined(separator: ", "))), not \(view.name)(\(arguments.joined(separator: ", "))).")
      }
      if spec.kinds == [.entity, .entity], random.chance(0.25) {
        lines.append("?- \(spec.name)(A, B), not \(pick(["e", "f"]))(\(pick(["A, B", "B, _L1", "_L1, _L1"]))).")
      }
      if spec.kinds == [.entity, .entity], random.chance(0.35) {
        // Aggregates in a query: per node of a stored edge, and over everything.
        let function = pick(["count", "sum", "min", "max"])
        let inner = function == "count" ? "B : \(spec.name)(A, B)" : "V : \(spec.name)(A, B), val(B, V)"
        if random.chance(0.5) {
          lines.append("?- \(pick(["e", "f"]))(A, _), N = \(function) { \(inner) }\(random.chance(0.3) ? ", N > 0" : "").")
        } else {
          lines.append("?- [N] : N = count { A, B : \(spec.name)(A, B) }.")
        }
      }
    }
  }
}
