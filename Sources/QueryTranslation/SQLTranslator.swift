// Translates a lowered program into SQL steps that give exactly the answers Xinzhi gives, or
// refuses with an `untranslatable` diagnostic at the construct it cannot carry over.
//
// Values are key strings (`ValueKey`): joins and `=` compare keys, which is value identity, as
// the engine's dictionary ids are. Each derived predicate is a table `p<N>(c0, c1, ...)` of keys.
// Strata run in dependency order. A non-recursive predicate is one CREATE TABLE over the union
// of its rules. On DuckDB a linear recursion of one predicate is its WITH RECURSIVE … UNION
// (recursiveCTE); every other recursive stratum is evaluated semi-naively, as the engine does:
//
//   p       := exit rules (bodies that read nothing of the stratum)
//   Δp      := p
//   repeat  new_p := ⋃ rule variants (occurrence j reads Δ, the others the whole relation) − p
//           p := p ∪ new_p;  Δp := new_p            until every new_p is empty
//
// A rule body is one SELECT over its positive atoms (the first occurrence of a variable binds it,
// later ones are join conditions), wrapped once per computed value (`X = Y + 1` adds a column,
// so nested arithmetic stays linear in size), filtered by comparisons and tests, with NOT EXISTS
// for negated atoms. A rule with an aggregate groups the distinct tuples of its body.
//
// What is refused: `search` (Xinzhi's own name index) and a `matches` pattern that is computed
// or uses \d, \w or \s (Unicode classes the engines define differently). The provenance
// relations read the export's assertions and transactions. Decimal arithmetic, sums and
// averages follow DecimalValue step by step; what SQL cannot reproduce exactly (a product past
// 18 fractional digits) stops the translated program with an error instead of a different answer.

import Diagnostics
import GraphModel
import QueryIR
import QueryLanguage

/// Translates an `IRProgram` into SQL steps.
package struct SQLTranslator {
  /// The program (the rules in force and the queries' rules, without magic sets).
  let program: IRProgram
  /// Decodes the program's constants.
  let dictionary: TermDictionary
  let dialect: SQLDialect
  /// What could not be translated.
  package private(set) var diagnostics: [Diagnostic] = []
  /// The number of computed columns made so far (their names are unique per rule).
  private var temporaries = 0

  package init(program: IRProgram, dictionary: TermDictionary, dialect: SQLDialect) {
    self.program = program
    self.dictionary = dictionary
    self.dialect = dialect
  }

  // MARK: - Names

  /// The table of a derived predicate.
  static func table(_ p: Int) -> String { "p\(p)" }
  static func delta(_ p: Int) -> String { "p\(p)_delta" }
  static func new(_ p: Int) -> String { "p\(p)_new" }

  /// The column names of a relation (a relation of no columns keeps one, always 'x').
  static func columns(_ arity: Int) -> [String] { arity == 0 ? ["u"] : (0..<arity).map { "c\($0)" } }

  /// A constant as an SQL literal of its key.
  func constant(_ id: TermID) -> String { dialect.literal(ValueKey.key(dictionary.value(of: id))) }

  // MARK: - Steps

  /// The steps that compute `targets` (and everything they read), strata in dependency order,
  /// leaving out the predicates of `done` (computed by earlier steps) and adding the new ones.
  package mutating func steps(computing targets: [Int], done: inout Set<Int>) throws(DiagnosticError) -> [TranslationStep] {
    let strata = try Stratifier.strata(of: program, computing: Set(targets))
    let byHead = program.rulesByHead()
    var steps: [TranslationStep] = []
    for stratum in strata where !stratum.predicates.allSatisfy(done.contains) {
      done.formUnion(stratum.predicates)
      let members = Set(stratum.predicates)
      if !stratum.isRecursive {
        for p in stratum.predicates.sorted() {
          let selects = (byHead[p] ?? []).compactMap { rule(program.rules[$0], delta: nil) }
          steps.append(.create(table: Self.table(p), query: union(p, selects), note: note(p)))
        }
        continue
      }
      if dialect == .duckDB, let step = recursiveCTE(stratum, byHead: byHead) {
        steps.append(step)
        continue
      }
      // Exit rules first, then the loop.
      var loop: [TranslationStep] = []
      var appends: [TranslationStep] = []
      for p in stratum.predicates.sorted() {
        var exits: [String] = []
        var variants: [String] = []
        for index in byHead[p] ?? [] {
          let r = program.rules[index]
          let occurrences = Self.recursiveAtoms(of: r, in: members)
          if occurrences.isEmpty {
            if let s = rule(r, delta: nil) { exits.append(s) }
          } else {
            for j in occurrences {
              if let s = rule(r, delta: j) { variants.append(s) }
            }
          }
        }
        if dialect == .spark, stratum.predicates.count == 1, let shortcut = closureShortcut(p, (byHead[p] ?? []).map { program.rules[$0] }) {
          for j in 0..<2 {
            if let s = rule(shortcut, delta: j) { variants.append(s) }
          }
        }
        steps.append(.create(table: Self.table(p), query: union(p, exits), note: note(p)))
        steps.append(.create(table: Self.delta(p), query: "SELECT * FROM \(Self.table(p))", note: deltaNote(p)))
        let all = variants.isEmpty ? empty(program.predicates[p].arity) : variants.joined(separator: "\nUNION\n")
        loop.append(.create(table: Self.new(p), query: "\(all)\nEXCEPT\nSELECT * FROM \(Self.table(p))", note: "the facts of \(name(p)) this round derives"))
        appends.append(.append(table: Self.table(p), query: "SELECT * FROM \(Self.new(p))"))
        appends.append(.create(table: Self.delta(p), query: "SELECT * FROM \(Self.new(p))", note: deltaNote(p)))
      }
      let names = stratum.predicates.sorted().map(name).joined(separator: ", ")
      steps.append(.repeatUntilEmpty(steps: loop + appends, until: stratum.predicates.sorted().map(Self.new), note: "the recursion of \(names), semi-naively"))
    }
    return steps
  }

  /// A stratum of one predicate whose recursive rules each read it once (linear recursion) as
  /// DuckDB's `WITH RECURSIVE … UNION`: the exit rules seed it, and each round the recursive
  /// rules read only the rows the last round added (DuckDB's working table is the semi-naive Δ),
  /// with duplicates of earlier rows dropped. The recursive rules are one term (a UNION in a
  /// subquery): DuckDB reads `A UNION B UNION C` as ((A ∪ B) ∪ C) and would take B for the seed.
  /// Nil for other strata (they run as a driven loop).
  mutating func recursiveCTE(_ stratum: Stratum, byHead: [Int: [Int]]) -> TranslationStep? {
    guard stratum.predicates.count == 1, let p = stratum.predicates.first else { return nil }
    let rules = (byHead[p] ?? []).map { program.rules[$0] }
    let occurrences = rules.map { Self.recursiveAtoms(of: $0, in: [p]) }
    // The shape first, so that a stratum left to the loop is translated (and refused) once.
    guard occurrences.allSatisfy({ $0.count <= 1 }), occurrences.contains(where: { !$0.isEmpty }),
      rules.allSatisfy({ $0.aggregates.isEmpty })
    else { return nil }
    var exits: [String] = []
    var recursive: [String] = []
    // A rule that is refused leaves a diagnostic, which stops the whole translation.
    for (r, occurrence) in zip(rules, occurrences) {
      if let j = occurrence.first {
        if let s = rule(r, delta: j, deltaTable: "r") { recursive.append(s) }
      } else {
        if let s = rule(r, delta: nil) { exits.append(s) }
      }
    }
    let columns = Self.columns(program.predicates[p].arity).joined(separator: ", ")
    let query = """
      WITH RECURSIVE r(\(columns)) AS (
      \(union(p, exits))
      UNION
      SELECT * FROM (
      \(recursive.joined(separator: "\nUNION\n"))
      ) AS rounds
      )
      SELECT * FROM r
      """
    return .create(table: Self.table(p), query: query, note: "the facts of \(name(p)), a linear recursion DuckDB evaluates itself")
  }

  /// For a transitive closure written linearly, p = q⁺ (one exit rule `p(X, Y) :- q(X, Y).` and
  /// recursive rules `p(X, Y) :- p(X, Z), q(Z, Y).` or `p(X, Y) :- q(X, Z), p(Z, Y).`), the rule
  /// `p(X, Y) :- p(X, Z), p(Z, Y).`: it derives nothing outside q⁺, but each round then doubles
  /// the length of the paths found, so a chain of n nodes takes about log2 n rounds instead of n
  /// (a round is a few jobs on Spark). Nil for any other stratum.
  func closureShortcut(_ p: Int, _ rules: [IRRule]) -> IRRule? {
    let entry = program.predicates[p]
    guard entry.kind == .derived, entry.arity == 2, program.facts[p] == nil, rules.count >= 2 else { return nil }
    var q: Int?
    var exits = 0
    for r in rules {
      guard r.aggregates.isEmpty, case .variable(let x) = r.head.terms[0], case .variable(let y) = r.head.terms[1], x != y else { return nil }
      let atoms = r.body.compactMap { literal -> IRAtom? in
        if case .positive(let atom) = literal { return atom }
        return nil
      }
      guard atoms.count == r.body.count else { return nil }
      func other(_ atom: IRAtom) -> Bool {
        guard atom.predicate != p else { return false }
        if let q { return atom.predicate == q }
        q = atom.predicate
        return true
      }
      switch atoms.count {
      case 1:
        guard other(atoms[0]), atoms[0].terms == r.head.terms else { return nil }
        exits += 1
      case 2:
        guard case .variable(let z) = atoms[0].terms[1], z != x, z != y, atoms[0].terms[0] == .variable(x), atoms[1].terms == [.variable(z), .variable(y)]
        else { return nil }
        let right = atoms[0].predicate == p && other(atoms[1])
        let left = !right && atoms[1].predicate == p && other(atoms[0])
        guard right || left else { return nil }
      default:
        return nil
      }
    }
    guard exits == 1 else { return nil }
    let (x, y, z) = (IRTerm.variable(0), IRTerm.variable(1), IRTerm.variable(2))
    return IRRule(
      head: IRAtom(predicate: p, terms: [x, y]), aggregates: [],
      body: [.positive(IRAtom(predicate: p, terms: [x, z])), .positive(IRAtom(predicate: p, terms: [z, y]))],
      variableNames: ["X", "Y", "Z"], origin: RuleOrigin(literalSpans: [], note: "the closure's doubling rule"))
  }

  /// The body places of a rule that read a predicate of its stratum (positive atoms only; a
  /// stratified program negates or aggregates none of them).
  static func recursiveAtoms(of rule: IRRule, in members: Set<Int>) -> [Int] {
    rule.body.indices.filter { i in
      if case .positive(let atom) = rule.body[i], members.contains(atom.predicate) { return true }
      return false
    }
  }

  private func deltaNote(_ p: Int) -> String { "the facts of \(name(p)) new in the last round" }

  /// The display name of a predicate.
  func name(_ p: Int) -> String { "`\(program.predicates[p].name)`" }

  private func note(_ p: Int) -> String { "the facts of \(name(p))" }

  /// The union of rule SELECTs for `p`, with its stored facts and text facts.
  private func union(_ p: Int, _ selects: [String]) -> String {
    var parts = selects
    let entry = program.predicates[p]
    if case .storedAndDerived = entry.kind {
      parts.insert(storedRelation(entry.name, arity: entry.arity), at: 0)
    }
    if let table = program.facts[p] {
      parts.insert(factRows(table), at: 0)
    }
    guard !parts.isEmpty else { return empty(entry.arity) }
    return parts.joined(separator: "\nUNION\n")
  }

  /// A text's facts as a VALUES list.
  private func factRows(_ table: FactTable) -> String {
    let arity = table.arity
    let count = arity == 0 ? (table.origins.isEmpty ? 0 : 1) : table.values.count / arity
    guard count > 0 else { return empty(arity) }
    let columns = Self.columns(arity)
    var rows: [String] = []
    for row in 0..<count {
      let cells = arity == 0 ? ["'x'"] : (0..<arity).map { constant(table.values[row * arity + $0]) }
      rows.append("(\(cells.joined(separator: ", ")))")
    }
    return "SELECT * FROM (VALUES \(rows.joined(separator: ", "))) AS t(\(columns.joined(separator: ", ")))"
  }

  /// A relation with no rows.
  func empty(_ arity: Int) -> String {
    "SELECT " + Self.columns(arity).map { "CAST(NULL AS STRING) AS \($0)" }.joined(separator: ", ") + " FROM (SELECT 1 AS one) AS z WHERE 1 = 0"
  }

  /// The stored facts of a predicate as rows `(c0, c1)`.
  private func storedRelation(_ name: String, arity: Int) -> String {
    guard arity == 2 else { return empty(arity) }
    return "SELECT s AS c0, o AS c1 FROM facts WHERE p = \(dialect.literal(ValueKey.key(.entity(name))))"
  }

  // MARK: - Rules

  /// What a body atom reads: a table, or a parenthesised query with columns c0...
  private mutating func relation(_ atom: IRAtom, delta: Bool, deltaTable: String? = nil, rule: IRRule, literal: Int) -> String? {
    let entry = program.predicates[atom.predicate]
    switch entry.kind {
    case .derived, .storedAndDerived:
      return delta ? deltaTable ?? Self.delta(atom.predicate) : Self.table(atom.predicate)
    case .stored:
      return "(\(storedRelation(entry.name, arity: entry.arity)))"
    case .triple:
      return "(SELECT s AS c0, p AS c1, o AS c2 FROM facts)"
    case .txOf:
      return "(SELECT s AS c0, p AS c1, o AS c2, tx AS c3 FROM asserted)"
    case .txMeta:
      return "(SELECT tx AS c0, key AS c1, value AS c2 FROM txmeta)"
    case .sourceOf:
      // The first `source` of each asserting transaction, as TransactionInfo.source reads it.
      return "(SELECT a.s AS c0, a.p AS c1, a.o AS c2, m.value AS c3 FROM asserted AS a JOIN txmeta AS m ON m.tx = a.tx AND m.key = 'esource' AND m.first)"
    case .search:
      refuse("`search` finds entities through Xinzhi's own name index, which a translation does not carry", rule, literal)
      return nil
    }
  }

  /// Records an untranslatable construct.
  private mutating func refuse(_ message: String, _ rule: IRRule, _ literal: Int?) {
    let help = "leave it out of the translated program, or compute it in Xinzhi and import the result as facts"
    if let literal, literal < rule.origin.literalSpans.count, let source = rule.origin.sourced?.source ?? rule.origin.querySource {
      diagnostics.append(.error(code: "untranslatable", "cannot translate: " + message, in: source, at: rule.origin.literalSpans[literal], help: help))
    } else if let sourced = rule.origin.sourced {
      diagnostics.append(.error(code: "untranslatable", "cannot translate: " + message, in: sourced.source, at: sourced.rule.span, help: help))
    } else {
      diagnostics.append(Diagnostic(.error, .data, code: "untranslatable", "cannot translate: " + message, help: help))
    }
  }

  /// A rule as a SELECT of its head's columns; `delta` is the body literal that reads the last
  /// round's new facts. Nil when something in it was refused.
  private mutating func rule(_ rule: IRRule, delta: Int?, deltaTable: String? = nil) -> String? {
    // Positive atoms: the FROM items, joined in body order with explicit conditions (an engine
    // need not push a WHERE into the joins; Spark runs here with predicate pushdown off); a
    // variable's first place binds it.
    var from = ""
    var first: [String] = []
    var bound: [Int: String] = [:]
    var items = 0
    var failed = false
    for (index, literal) in rule.body.enumerated() {
      guard case .positive(let atom) = literal else { continue }
      guard let source = relation(atom, delta: index == delta, deltaTable: deltaTable, rule: rule, literal: index) else {
        failed = true
        continue
      }
      let alias = "a\(items)"
      var conditions: [String] = []
      for (position, term) in atom.terms.enumerated() {
        let column = "\(alias).c\(position)"
        switch term {
        case .variable(let v):
          if let earlier = bound[v] { conditions.append("\(column) = \(earlier)") } else { bound[v] = column }
        case .constant(let c): conditions.append("\(column) = \(constant(c))")
        case .wildcard: break
        }
      }
      if items == 0 {
        from = "\(source) AS \(alias)"
        first = conditions
      } else if conditions.isEmpty {
        from += " CROSS JOIN \(source) AS \(alias)"
      } else {
        from += " JOIN \(source) AS \(alias) ON " + conditions.joined(separator: " AND ")
      }
      items += 1
    }
    if failed { return nil }
    // The base: every bound variable as a column v<N>.
    if items == 0 { from = "(SELECT 1 AS one) AS z" }
    var columns = bound.keys.sorted().map { "\(bound[$0] ?? "NULL") AS v\($0)" }
    if columns.isEmpty { columns = ["1 AS one"] }
    var current = "SELECT \(columns.joined(separator: ", ")) FROM \(from)" + (first.isEmpty ? "" : " WHERE " + first.joined(separator: " AND "))
    var names: [Int: String] = Dictionary(uniqueKeysWithValues: bound.keys.map { ($0, "v\($0)") })
    var filters: [String] = []
    // The other literals, in an order that computes every value before it is read.
    var pending = Array(rule.body.indices.filter { if case .positive = rule.body[$0] { false } else { true } })
    while !pending.isEmpty {
      var progressed = false
      for index in pending {
        let literal = rule.body[index]
        // `X = expression` with X unbound: a computed column.
        if case .compare(.equal, let l, let r) = literal {
          let (target, expression): (Int?, IRExpression) =
            if let v = l.singleVariable, names[v] == nil { (v, r) } else if let v = r.singleVariable, names[v] == nil { (v, l) } else { (nil, l) }
          if let target {
            guard expression.variables.allSatisfy({ names[$0] != nil }) else { continue }
            guard let value = column(expression, names: names, current: &current, rule: rule, literal: index) else { return nil }
            let name = "v\(target)"
            current = "SELECT q.*, \(value) AS \(name) FROM (\(current)) AS q"
            filters.append("\(name) IS NOT NULL")
            names[target] = name
            pending.removeAll { $0 == index }
            progressed = true
            continue
          }
        }
        guard literal.variables.allSatisfy({ names[$0] != nil }) else { continue }
        switch literal {
        case .compare(let op, let l, let r):
          guard let a = column(l, names: names, current: &current, rule: rule, literal: index),
            let b = column(r, names: names, current: &current, rule: rule, literal: index)
          else { return nil }
          filters.append(compare(op, a, b))
        case .test(let test, let arguments, let negated):
          var values: [String] = []
          for argument in arguments {
            guard let value = column(argument, names: names, current: &current, rule: rule, literal: index) else { return nil }
            values.append(value)
          }
          guard let condition = self.test(test, values, arguments: arguments, rule: rule, literal: index) else { return nil }
          filters.append(negated ? "NOT (\(condition))" : condition)
        case .negative(let atom):
          guard let source = relation(atom, delta: false, rule: rule, literal: index) else { return nil }
          var clauses: [String] = []
          for (position, term) in atom.terms.enumerated() {
            switch term {
            case .variable(let v): clauses.append("n.c\(position) = \(names[v] ?? "NULL")")
            case .constant(let c): clauses.append("n.c\(position) = \(constant(c))")
            case .wildcard: break
            }
          }
          filters.append("NOT EXISTS (SELECT 1 FROM \(source) AS n" + (clauses.isEmpty ? ")" : " WHERE " + clauses.joined(separator: " AND ") + ")"))
        case .positive: break
        }
        pending.removeAll { $0 == index }
        progressed = true
      }
      if !progressed {
        refuse("a literal whose values nothing before it computes", rule, pending.first)
        return nil
      }
    }
    let body = "SELECT * FROM (\(current)) AS q" + (filters.isEmpty ? "" : " WHERE " + filters.joined(separator: " AND "))
    func headValue(_ term: IRTerm) -> String {
      switch term {
      case .variable(let v): names[v] ?? "NULL"
      case .constant(let c): constant(c)
      case .wildcard: "NULL"
      }
    }
    if rule.aggregates.isEmpty {
      let heads = rule.head.terms.isEmpty ? ["'x' AS u"] : rule.head.terms.enumerated().map { "\(headValue($0.element)) AS c\($0.offset)" }
      return "SELECT DISTINCT \(heads.joined(separator: ", ")) FROM (\(body)) AS b"
    }
    let heads = rule.head.terms.map(headValue)
    let aggregated = rule.aggregates.map { $0.terms.map(headValue) }
    return aggregates(rule, body: body, heads: heads, aggregated: aggregated)
  }

  /// A rule with aggregates. Each aggregate reads the distinct tuples of (group values, its
  /// terms), grouped by the group values; a group's aggregates are joined on them, so a group
  /// where one aggregate has no value (min, max or avg of nothing) is left out, as in Xinzhi.
  /// `heads` are the SQL values of the head's terms, `aggregated` those of each aggregate's terms.
  private mutating func aggregates(_ rule: IRRule, body: String, heads: [String], aggregated: [[String]]) -> String {
    let positions = Set(rule.aggregates.map(\.position))
    let groups = rule.head.terms.indices.filter { !positions.contains($0) }
    var parts: [String] = []
    for (j, aggregate) in rule.aggregates.enumerated() {
      var inner = groups.map { "\(heads[$0]) AS g\($0)" }
      inner += aggregated[j].enumerated().map { "\($0.element) AS t\($0.offset)" }
      if inner.isEmpty { inner = ["1 AS one"] }
      let distinct = "SELECT DISTINCT \(inner.joined(separator: ", ")) FROM (\(body)) AS b"
      let value = "t0"
      let k = dialect.kind(value)
      let number = "\(dialect.isNumber(value))"
      let keys = groups.map { "g\($0)" }
      var raw: [String]
      var having: String?
      switch aggregate.function {
      case .count:
        raw = ["count(*) AS n"]
      case .sum, .avg:
        raw = [
          "sum(CASE WHEN \(k) = 'i' THEN \(dialect.integer(value)) END) AS isum",
          "sum(CASE WHEN \(k) = 'd' THEN \(dialect.number(value)) END) AS dsum",
          "sum(CASE WHEN \(k) = 'd' THEN 1 ELSE 0 END) AS ndec",
          "sum(CASE WHEN \(number) THEN 1 ELSE 0 END) AS nnum",
          "max(CASE WHEN \(k) = 'd' THEN length(substr(\(value), instr(\(value), '.') + 1)) ELSE 0 END) AS dscale",
        ]
        if aggregate.function == .avg { having = "sum(CASE WHEN \(number) THEN 1 ELSE 0 END) > 0" }
      case .min, .max:
        raw = ["\(aggregate.function == .min ? "min_by" : "max_by")(\(value), \(dialect.row(dialect.sortFields(value)))) AS best"]
        having = "count(*) > 0"
      }
      var current = "SELECT \((keys + raw).joined(separator: ", ")) FROM (\(distinct)) AS d"
      if !keys.isEmpty { current += " GROUP BY " + keys.joined(separator: ", ") }
      if let having { current += " HAVING " + having }
      let result: String
      switch aggregate.function {
      case .count:
        result = add("'i' || CAST(n AS STRING)", to: &current)
      case .min, .max:
        result = "best"
      case .sum, .avg:
        // The exact total (decimals summed as DECIMAL(38,18)), as units at scale 18.
        let total = add("coalesce(dsum, CAST(0 AS DECIMAL(38,18))) + CAST(coalesce(isum, 0) AS DECIMAL(38,18))", to: &current)
        let whole = add("CAST(CASE WHEN \(total) >= 0 THEN floor(\(total)) ELSE ceil(\(total)) END AS DECIMAL(38,0))", to: &current)
        let units = add("\(whole) * \(power10("18")) + CAST((\(total) - \(whole)) * \(power10("18")) AS DECIMAL(38,0))", to: &current)
        let decimal = decimalKey(units: units, scale: "18", current: &current)
        let overflows = "(\(outside64("\(whole) * \(power10("dscale"))")) OR \(outside64("coalesce(isum, 0)")))"
        if aggregate.function == .sum {
          result = add("""
            CASE WHEN \(overflows) THEN \(dialect.error("overflow in a sum")) \
            WHEN ndec > 0 THEN \(decimal) ELSE 'i' || CAST(CAST(coalesce(isum, 0) AS BIGINT) AS STRING) END
            """, to: &current)
        } else {
          // DecimalValue.divide(total, count): the normalised total over the count.
          let totalKey = add("CASE WHEN \(overflows) THEN \(dialect.error("overflow in an average")) WHEN ndec > 0 THEN \(decimal) ELSE 'i' || CAST(CAST(isum AS BIGINT) AS STRING) END", to: &current)
          let dividend = unitsAndScale(totalKey, current: &current)
          let quotient = decimalQuotient(dividend, ("CAST(nnum AS DECIMAL(38,0))", "0"), current: &current)
          result = decimalKey(units: quotient.units, scale: quotient.scale, current: &current)
        }
      }
      let columns = keys + ["\(result) AS r\(j)"]
      parts.append("SELECT \(columns.joined(separator: ", ")) FROM (\(current)) AS q")
    }
    // One row per group: the first aggregate's groups joined with the others'.
    var from = "(\(parts[0])) AS f0"
    for j in parts.indices.dropFirst() {
      let on = groups.map { "f0.g\($0) = f\(j).g\($0)" }
      from += on.isEmpty ? " CROSS JOIN (\(parts[j])) AS f\(j)" : " JOIN (\(parts[j])) AS f\(j) ON " + on.joined(separator: " AND ")
    }
    let columns = rule.head.terms.indices.map { position -> String in
      if let j = rule.aggregates.firstIndex(where: { $0.position == position }) { return "f\(j).r\(j) AS c\(position)" }
      return "f0.g\(position) AS c\(position)"
    }
    return "SELECT \(columns.joined(separator: ", ")) FROM \(from)"
  }

  // MARK: - Values

  /// An expression as a column or literal of the current query, adding a computed column for
  /// each operation (so each operand is read by name, never copied).
  private mutating func column(_ expression: IRExpression, names: [Int: String], current: inout String, rule: IRRule, literal: Int) -> String? {
    func computed(_ sql: String) -> String { add(sql, to: &current) }
    switch expression {
    case .term(.variable(let v)): return names[v] ?? "NULL"
    case .term(.constant(let c)): return constant(c)
    case .term(.wildcard): return "NULL"
    case .negate(let inner):
      guard let a = column(inner, names: names, current: &current, rule: rule, literal: literal) else { return nil }
      let k = dialect.kind(a)
      return computed("""
        CASE \(k) WHEN 'i' THEN 'i' || CAST(-\(dialect.integer(a)) AS STRING) \
        WHEN 'd' THEN CASE WHEN \(dialect.payload(a)) = '0.0' THEN \(a) WHEN substr(\(a), 2, 1) = '-' THEN 'd' || substr(\(a), 3) ELSE 'd-' || substr(\(a), 2) END END
        """)
    case .binary(let op, let l, let r):
      guard let a = column(l, names: names, current: &current, rule: rule, literal: literal),
        let b = column(r, names: names, current: &current, rule: rule, literal: literal)
      else { return nil }
      let x = dialect.integer(a)
      let y = dialect.integer(b)
      let integer: String
      switch op {
      case .add: integer = "\(x) + \(y)"
      case .subtract: integer = "\(x) - \(y)"
      case .multiply: integer = "\(x) * \(y)"
      case .divide: integer = "CASE WHEN \(y) = 0 THEN \(dialect.error("division by zero")) ELSE \(dialect.integerDivide(x, y)) END"
      case .remainder: integer = "CASE WHEN \(y) = 0 THEN \(dialect.error("division by zero")) ELSE \(x) % \(y) END"
      }
      let decimal = decimalArithmetic(op, a, b, current: &current)
      return computed("""
        CASE WHEN \(dialect.kind(a)) = 'i' AND \(dialect.kind(b)) = 'i' THEN 'i' || CAST(\(integer) AS STRING) \
        WHEN \(dialect.isNumber(a)) AND \(dialect.isNumber(b)) THEN \(decimal) END
        """)
    case .call(let function, let arguments):
      var values: [String] = []
      for argument in arguments {
        guard let v = column(argument, names: names, current: &current, rule: rule, literal: literal) else { return nil }
        values.append(v)
      }
      guard let a = values.first else { return nil }
      let k = dialect.kind(a)
      switch function {
      case .lower, .upper:
        let f = function == .lower ? "lower" : "upper"
        return computed("""
          CASE \(k) WHEN 's' THEN 's' || \(dialect.stringLanguage(a)) || '|' || \(f)(\(dialect.stringText(a))) WHEN 'e' THEN 's|' || \(f)(\(dialect.payload(a))) END
          """)
      case .concat:
        return computed("'s|' || " + values.map { "(\(dialect.plain($0)))" }.joined(separator: " || "))
      case .strlen:
        return computed("CASE WHEN \(k) IN ('s', 'e') THEN 'i' || CAST(\(dialect.length(dialect.text(a))) AS STRING) END")
      case .lang:
        return computed("CASE \(k) WHEN 's' THEN 's|' || \(dialect.stringLanguage(a)) END")
      case .str:
        return computed("'s|' || (\(dialect.plain(a)))")
      case .yearOf:
        return computed("CASE \(k) WHEN 't' THEN 'i' || CAST(CAST(substr(\(a), 2, 4) AS BIGINT) AS STRING) END")
      case .abs:
        return computed("""
          CASE \(k) WHEN 'i' THEN 'i' || CAST(abs(\(dialect.integer(a))) AS STRING) \
          WHEN 'd' THEN CASE WHEN substr(\(a), 2, 1) = '-' THEN 'd' || substr(\(a), 3) ELSE \(a) END END
          """)
      }
    }
  }

  /// Adds a computed column to a query; returns its name.
  mutating func add(_ sql: String, to current: inout String) -> String {
    temporaries += 1
    let name = "x\(temporaries)"
    current = "SELECT q.*, \(sql) AS \(name) FROM (\(current)) AS q"
    return name
  }

  // MARK: - Decimals
  //
  // DecimalValue's arithmetic, step for step: a number is (units, scale) with 64-bit units,
  // normalised; + and - align the scales, × adds them, ÷ gives 12 fractional digits rounded half
  // to even; each overflow of the 64-bit units is an error, as in Xinzhi. Units are computed as
  // DECIMAL(38,0), wide enough to hold every intermediate before it is checked. The two cases
  // Xinzhi answers in a way SQL does not reproduce exactly (a product with more than 18
  // fractional digits, rounded digit by digit; a quotient whose scaled numerator overflows, which
  // Xinzhi computes through Double) stop the program with an error instead.

  static let int64Max = "CAST(9223372036854775807 AS DECIMAL(38,0))"
  static let int64Min = "CAST(-9223372036854775808 AS DECIMAL(38,0))"

  /// Whether a DECIMAL(38,0) expression lies outside 64 bits.
  func outside64(_ x: String) -> String { "(\(x) > \(Self.int64Max) OR \(x) < \(Self.int64Min))" }

  /// 10^n as DECIMAL(38,0), for 0 ≤ n ≤ 18.
  func power10(_ n: String) -> String { "CAST(power(10, \(n)) AS DECIMAL(38,0))" }

  /// The units and scale of a number key (NULL for other kinds).
  mutating func unitsAndScale(_ key: String, current: inout String) -> (units: String, scale: String) {
    let k = dialect.kind(key)
    let fraction = "substr(\(key), instr(\(key), '.') + 1)"
    let whole = "substr(\(key), 2, instr(\(key), '.') - 2)"
    let units = add("""
      CASE \(k) WHEN 'i' THEN CAST(substr(\(key), 2) AS DECIMAL(38,0)) \
      WHEN 'd' THEN CASE WHEN \(fraction) = '0' THEN CAST(\(whole) AS DECIMAL(38,0)) ELSE CAST(\(whole) || \(fraction) AS DECIMAL(38,0)) END END
      """, to: &current)
    let scale = add("CASE \(k) WHEN 'i' THEN 0 WHEN 'd' THEN CASE WHEN \(fraction) = '0' THEN 0 ELSE length(\(fraction)) END END", to: &current)
    return (units, scale)
  }

  /// The key of the decimal `units × 10^-scale`, normalised as DecimalValue.description writes it.
  /// (`units` is DECIMAL(38,0), `scale` an integer expression.)
  mutating func decimalKey(units: String, scale: String, current: inout String) -> String {
    let digits = add("CAST(abs(\(units)) AS STRING)", to: &current)
    let padded = add("CASE WHEN length(\(digits)) > \(scale) THEN \(digits) ELSE lpad(\(digits), CAST(\(scale) + 1 AS INTEGER), '0') END", to: &current)
    let fraction = add("regexp_replace(substr(\(padded), length(\(padded)) - \(scale) + 1), '0+$', '')", to: &current)
    return add("""
      'd' || CASE WHEN \(units) < 0 THEN '-' ELSE '' END || substr(\(padded), 1, length(\(padded)) - \(scale)) || '.' || \
      CASE WHEN \(fraction) = '' THEN '0' ELSE \(fraction) END
      """, to: &current)
  }

  /// `a ÷ b` of (units, scale) pairs as DecimalValue.divide: units at scale 12, rounded half to
  /// even; where the scaled numerator overflows 64 bits, Xinzhi's path through Double (the
  /// quotient of the two Doubles scaled up by tens while it stays below 9×10^17, at most 6
  /// digits, rounded half away from zero), step by step in the engine's IEEE doubles; 0 where the
  /// scaled denominator overflows. Returns the units and the scale.
  mutating func decimalQuotient(_ a: (units: String, scale: String), _ b: (units: String, scale: String), current: inout String) -> (units: String, scale: String) {
    let shift = add("12 + \(b.scale) - \(a.scale)", to: &current)
    let numerator = add("CASE WHEN \(shift) >= 0 THEN \(a.units) * \(power10("least(\(shift), 18)")) ELSE \(a.units) END", to: &current)
    let denominator = add("CASE WHEN \(shift) >= 0 THEN \(b.units) ELSE \(b.units) * \(power10("-\(shift)")) END", to: &current)
    let wide = add("(\(shift) >= 0 AND (\(shift) > 18 AND \(a.units) <> 0 OR \(outside64(numerator))))", to: &current)
    let denominatorOverflows = "(\(shift) < 0 AND \(outside64(denominator)))"
    let safe = "NOT \(wide) AND NOT \(denominatorOverflows) AND \(b.units) <> 0"
    let truncated = add("CASE WHEN \(safe) THEN \(dialect.integerDivide("CAST(\(numerator) AS BIGINT)", "CAST(\(denominator) AS BIGINT)")) END", to: &current)
    let remainder = add("CASE WHEN \(safe) THEN abs(CAST(\(numerator) AS DECIMAL(38,0)) - CAST(\(truncated) AS DECIMAL(38,0)) * \(denominator)) END", to: &current)
    let magnitude = "abs(\(denominator))"
    let away = "CASE WHEN (\(numerator) < 0) <> (\(denominator) < 0) THEN -1 ELSE 1 END"
    // The Double path.
    func double(_ x: (units: String, scale: String)) -> String {
      "(CAST(CAST(\(x.units) AS BIGINT) AS DOUBLE) / CAST(power(10, \(x.scale)) AS DOUBLE))"
    }
    var steps = [add("CASE WHEN \(wide) AND \(b.units) <> 0 THEN \(double(a)) / \(double(b)) END", to: &current)]
    for _ in 1...6 { steps.append(add("\(steps[steps.count - 1]) * CAST(10 AS DOUBLE)", to: &current)) }
    let digits = add(steps.dropFirst().map { "CASE WHEN abs(\($0)) < 9.0e17 THEN 1 ELSE 0 END" }.joined(separator: " + "), to: &current)
    let chosen = add("CASE \(digits) " + steps.indices.map { "WHEN \($0) THEN \(steps[$0])" }.joined(separator: " ") + " END", to: &current)
    let units = add("""
      CASE WHEN \(b.units) = 0 THEN \(dialect.error("division by zero")) \
      WHEN \(wide) THEN CASE WHEN NOT \(dialect.isFinite(steps[0])) OR abs(\(steps[0])) >= 9.0e18 THEN \(dialect.error("decimal overflow")) \
      ELSE CAST(CAST(round(\(chosen)) AS BIGINT) AS DECIMAL(38,0)) END \
      WHEN \(denominatorOverflows) THEN CAST(0 AS DECIMAL(38,0)) \
      WHEN \(remainder) > \(magnitude) - \(remainder) OR (\(remainder) = \(magnitude) - \(remainder) AND \(truncated) % 2 <> 0) \
      THEN CAST(\(truncated) AS DECIMAL(38,0)) + \(away) ELSE CAST(\(truncated) AS DECIMAL(38,0)) END
      """, to: &current)
    let scale = add("CASE WHEN \(wide) THEN \(digits) ELSE 12 END", to: &current)
    return (units, scale)
  }

  /// The key of `a op b` for two numbers not both integers (an error where Xinzhi stops).
  mutating func decimalArithmetic(_ op: ArithmeticOperator, _ a: String, _ b: String, current: inout String) -> String {
    let x = unitsAndScale(a, current: &current)
    let y = unitsAndScale(b, current: &current)
    let overflow = dialect.error("decimal overflow")
    /// (units, scale) of x ± y, aligned; an overflow check.
    func aligned(_ x: (units: String, scale: String), _ y: (units: String, scale: String), _ sign: String, current: inout String) -> (String, String, String) {
      let scale = add("CASE WHEN \(x.scale) > \(y.scale) THEN \(x.scale) ELSE \(y.scale) END", to: &current)
      let left = add("\(x.units) * \(power10("\(scale) - \(x.scale)"))", to: &current)
      let right = add("\(y.units) * \(power10("\(scale) - \(y.scale)"))", to: &current)
      let result = add("\(left) \(sign) \(right)", to: &current)
      return (result, scale, "(\(outside64(left)) OR \(outside64(right)) OR \(outside64(result)))")
    }
    switch op {
    case .add, .subtract:
      let (units, scale, overflows) = aligned(x, y, op == .add ? "+" : "-", current: &current)
      let key = decimalKey(units: units, scale: scale, current: &current)
      return "CASE WHEN \(overflows) THEN \(overflow) ELSE \(key) END"
    case .multiply:
      let units = add("\(x.units) * \(y.units)", to: &current)
      let scale = add("\(x.scale) + \(y.scale)", to: &current)
      let key = decimalKey(units: units, scale: scale, current: &current)
      return """
        CASE WHEN \(outside64(units)) THEN \(overflow) \
        WHEN \(scale) > 18 THEN \(dialect.error("a decimal product with more than 18 fractional digits is not translated")) ELSE \(key) END
        """
    case .divide:
      let quotient = decimalQuotient(x, y, current: &current)
      return decimalKey(units: quotient.units, scale: quotient.scale, current: &current)
    case .remainder:
      // x - y × trunc(x ÷ y), the quotient as divide computes it.
      let quotient = decimalQuotient(x, y, current: &current)
      let truncated = add("CAST(\(dialect.integerDivide("CAST(\(quotient.units) AS BIGINT)", "CAST(\(power10(quotient.scale)) AS BIGINT)")) AS DECIMAL(38,0))", to: &current)
      let product = add("\(y.units) * \(truncated)", to: &current)
      let (units, scale, overflows) = aligned(x, (product, y.scale), "-", current: &current)
      let key = decimalKey(units: units, scale: scale, current: &current)
      return "CASE WHEN \(outside64(product)) OR \(overflows) THEN \(overflow) ELSE \(key) END"
    }
  }

  /// `a op b` on keys, as ValueOperations.compare: `=`/`!=` by identity, ordering within a kind
  /// (numbers together), false across kinds. Never NULL.
  func compare(_ op: ComparisonOperator, _ a: String, _ b: String) -> String {
    switch op {
    case .equal: return "coalesce(\(a) = \(b), false)"
    case .notEqual: return "coalesce(\(a) <> \(b), false)"
    default:
      let o = op.rawValue
      let ka = dialect.kind(a)
      let kb = dialect.kind(b)
      return """
        coalesce(CASE WHEN \(dialect.isNumber(a)) AND \(dialect.isNumber(b)) THEN \(dialect.number(a)) \(o) \(dialect.number(b)) \
        WHEN \(ka) = 's' AND \(kb) = 's' THEN (\(dialect.stringText(a)) \(o == "<" || o == "<=" ? "<" : ">") \(dialect.stringText(b)) \
        OR (\(dialect.stringText(a)) = \(dialect.stringText(b)) AND \(dialect.stringLanguage(a)) \(o) \(dialect.stringLanguage(b)))) \
        WHEN \(ka) = \(kb) THEN \(a) \(o) \(b) ELSE false END, false)
        """
    }
  }

  /// A builtin test on keys; never NULL.
  private mutating func test(_ test: TestBuiltin, _ values: [String], arguments: [IRExpression], rule: IRRule, literal: Int) -> String? {
    guard let a = values.first else { return nil }
    let k = dialect.kind(a)
    switch test {
    case .isEntity: return "coalesce(\(k) = 'e', false)"
    case .isString: return "coalesce(\(k) = 's', false)"
    case .isNumber: return "coalesce(\(k) IN ('i', 'd'), false)"
    case .isInteger: return "coalesce(\(k) = 'i', false)"
    case .isDecimal: return "coalesce(\(k) = 'd', false)"
    case .isDate: return "coalesce(\(k) = 't', false)"
    case .isBoolean: return "coalesce(\(k) = 'b', false)"
    case .contains, .startsWith, .endsWith:
      guard values.count == 2 else { return nil }
      let s = dialect.text(a)
      let part = dialect.text(values[1])
      let call =
        switch test {
        case .contains: dialect.contains(s, part)
        case .startsWith: dialect.startsWith(s, part)
        default: dialect.endsWith(s, part)
        }
      return "coalesce(\(call), false)"
    case .matches:
      // The pattern must be a constant: it is parsed here and written in the syntax RE2
      // (DuckDB) and Java (Spark) read alike.
      guard arguments.count == 2, case .term(.constant(let id)) = arguments[1], let pattern = ValueKey.text(of: dictionary.value(of: id)) else {
        refuse("`matches` with a pattern the query computes; a translated pattern must be written in the text", rule, literal)
        return nil
      }
      let parsed: RegexPattern
      do throws(RegexPattern.SyntaxError) {
        parsed = try RegexPattern(pattern)
      } catch {
        refuse("the pattern \(RegexPattern.shown(pattern)) is not valid: \(error.message)", rule, literal)
        return nil
      }
      guard let portable = RegexTranslation.portable(parsed.root) else {
        refuse("the pattern \(RegexPattern.shown(pattern)) uses \\d, \\w or \\s, whose Unicode classes RE2 and Java define differently", rule, literal)
        return nil
      }
      return "coalesce(\(dialect.regexMatches(dialect.text(a), dialect.literal(portable))), false)"
    }
  }
}
