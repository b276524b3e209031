// The engine's behaviour users rely on: every builtin and aggregate, ordering and limits,
// resource limits, magic sets avoiding the whole closure, and deep recursion.

import Diagnostics
import GraphModel
import QueryEngine
import QueryLanguage
import Testing
import TestSupport

/// Runs query text over triples and returns each query's rows as literal-syntax strings.
func rows(_ text: String, _ triples: [Triple] = EngineTests.sample, limits: EvaluationLimits = .defaults) throws -> [[String]] {
  try results(text, triples, limits: limits).map { $0.rows.map { $0.map(\.description).joined(separator: " ") } }
}

func results(_ text: String, _ triples: [Triple] = EngineTests.sample, limits: EvaluationLimits = .defaults, source: (any TripleSource)? = nil) throws -> [QueryResult] {
  let sourceText = SourceText(name: "t.dl", text: text)
  let (program, parse) = Parser.parse(sourceText)
  if !parse.isEmpty { throw DiagnosticError(parse) }
  let interpreter = Interpreter(source: source ?? ArrayTripleSource(triples), limits: limits)
  try interpreter.add(program.sourcedRules)
  return try program.sourcedQueries.map { query in
    let (checked, diagnostics) = interpreter.check([], [query])
    let errors = diagnostics.filter { $0.severity == .error }
    if !errors.isEmpty { throw DiagnosticError(errors) }
    return try interpreter.answer(checked.queries[0], predicates: checked.predicates)
  }
}

@Suite struct EngineTests {
  static let sample: [Triple] = [
    Triple("a", "edge", .entity("b")), Triple("b", "edge", .entity("c")), Triple("c", "edge", .entity("a")),
    Triple("c", "edge", .entity("d")),
    Triple("bank", "label", .string("Bank of England", language: "en")),
    Triple("bank", "label", .string("英格兰银行", language: "zh")),
    Triple("bank", "founded", .integer(1694)), Triple("bank", "since", .date(DateValue(year: 1694, month: 7, day: 27)!)),
    Triple("m1", "value", .integer(10)), Triple("m2", "value", .integer(10)), Triple("m3", "value", .decimal(DecimalValue(units: 25, scale: 1))),
    Triple("m1", "of", .entity("x")), Triple("m2", "of", .entity("x")), Triple("m3", "of", .entity("y")),
  ]

  @Test(arguments: [
    ("?- label(bank, L), contains(L, \"England\").", ["\"Bank of England\"@en"]),
    ("?- label(bank, L), starts_with(L, \"英格\").", ["\"英格兰银行\"@zh"]),
    ("?- label(bank, L), ends_with(L, \"银行\").", ["\"英格兰银行\"@zh"]),
    ("?- label(bank, L), matches(L, \"^B.*d$\").", ["\"Bank of England\"@en"]),
    ("?- label(bank, L), not matches(L, \"[A-Z]\").", ["\"英格兰银行\"@zh"]),
    ("?- edge(X, _), contains(X, \"a\").", ["a"]),
    ("?- label(bank, L), U = lower(L), lang(L, \"en\").", ["\"Bank of England\"@en \"bank of england\"@en"]),
    ("?- label(bank, L), lang(L, \"en\"), upper(L, U).", ["\"Bank of England\"@en \"BANK OF ENGLAND\"@en"]),
    ("?- label(bank, L), N = strlen(L).", ["\"Bank of England\"@en 15", "\"英格兰银行\"@zh 5"]),
    ("?- label(bank, L), T = lang(L).", ["\"Bank of England\"@en \"en\"", "\"英格兰银行\"@zh \"zh\""]),
    ("?- founded(bank, Y), S = str(Y), C = concat(\"year \", Y, \" of \", bank).", ["1694 \"1694\" \"year 1694 of bank\""]),
    ("?- since(bank, D), Y = year_of(D), Y = 1694.", ["@1694-07-27 1694"]),
    ("?- V = abs(-3), W = abs(-2.5).", ["3 2.5"]),
    ("?- triple(bank, P, O), is_integer(O).", ["founded 1694"]),
    ("?- triple(S, value, O), is_decimal(O).", ["m3 2.5"]),
    ("?- triple(S, value, O), is_number(O), S = m1.", ["m1 10"]),
    ("?- triple(bank, P, O), is_string(O), lang(O, \"zh\").", ["label \"英格兰银行\"@zh"]),
    ("?- triple(bank, P, O), is_date(O).", ["since @1694-07-27"]),
    ("?- triple(c, P, O), is_entity(O), O != a.", ["edge d"]),
    ("?- B = true, is_boolean(B).", ["true"]),
  ])
  func builtins(query: String, expected: [String]) throws {
    #expect(try rows(query).first == expected, "\(query)")
  }

  @Test func comparisonsAndArithmetic() throws {
    #expect(try rows("?- value(M, V), V > 9.99.").first == ["m1 10", "m2 10", "m3 2.5"].filter { !$0.hasSuffix("2.5") })
    #expect(try rows("?- value(M, V), V = 10.0.").first == [])  // `=` is identity: 10 is not 10.0
    #expect(try rows("?- value(M, V), V >= 10.0, V <= 10.0.").first == ["m1 10", "m2 10"])
    #expect(try rows("?- founded(bank, Y), Y >= 1694, Y <= 1694, Y != 1695.").first == ["1694"])
    #expect(try rows("?- X = 7 / 2, Y = 7 % 2, Z = 7.0 / 2, W = -7 / 2, V = 2 + 3 * 4.").first == ["3 1 3.5 -3 14"])
    #expect(try rows("?- X = \"a\" + 1.").first == [])  // not a number: no solution
    #expect(try rows("?- edge(X, Y), X < Y.").first == ["a b", "b c", "c d"])  // entities order by identifier
    #expect(try rows("?- since(bank, D), D > @1694, D < @1700.").first == ["@1694-07-27"])
    #expect(try rows("?- founded(bank, Y), Y < @1700.").first == [])  // integers and dates do not compare
  }

  @Test func aggregates() throws {
    let text = """
      n(count(X)) :- edge(X, _).
      pairs(count(X, Y)) :- edge(X, Y).
      per(X, count(Y)) :- edge(X, Y).
      s(O, sum(V, M)) :- value(M, V), of(M, O).
      distinct(sum(V)) :- value(_, V).
      lo(min(V), max(V)) :- value(_, V).
      mean(avg(V)) :- value(_, V).
      none(count(X)) :- edge(X, zz).
      nothing(min(X)) :- edge(X, zz).
      ?- n(N). ?- pairs(N). ?- per(X, N). ?- s(O, S). ?- distinct(S). ?- lo(A, B). ?- mean(M). ?- none(N). ?- nothing(M).
      """
    let answers = try rows(text)
    #expect(answers[0] == ["3"])
    #expect(answers[1] == ["4"])
    #expect(answers[2] == ["a 1", "b 1", "c 2"])
    #expect(answers[3] == ["x 20", "y 2.5"])  // sum(V, M) keeps equal values of different M
    #expect(answers[4] == ["12.5"])  // sum(V) adds distinct values
    #expect(answers[5] == ["2.5 10"])
    #expect(answers[6] == ["6.25"])  // avg over distinct values 10 and 2.5
    #expect(answers[7] == ["0"])  // an ungrouped count over nothing is 0
    #expect(answers[8] == [])  // min over nothing has no value
  }

  @Test func orderByAndLimit() throws {
    let result = try results("?- edge(X, Y) order by Y desc, X limit 2.")[0]
    #expect(result.rows.map { $0.map(\.description) } == [["c", "d"], ["b", "c"]])
    #expect(result.totalRows == 4)
  }

  @Test func recursionNegationAndRulesOverStoredPredicates() throws {
    let text = """
      path(X, Y) :- edge(X, Y).
      path(X, Y) :- path(X, Z), edge(Z, Y).
      edge(d, e).
      cyclic(X) :- path(X, X).
      acyclic(X) :- path(_, X), not cyclic(X).
      ?- cyclic(X). ?- acyclic(X). ?- path(d, X).
      """
    let answers = try rows(text)
    #expect(answers[0] == ["a", "b", "c"])
    #expect(answers[1] == ["d", "e"])
    #expect(answers[2] == ["e"])  // the session fact edge(d, e) joins the stored edges
  }

  @Test func boundQueriesDoNotComputeTheWholeClosure() throws {
    var chain: [Triple] = []
    for i in 0..<300 { chain.append(Triple("n\(i)", "edge", .entity("n\(i + 1)"))) }
    let text = "path(X, Y) :- edge(X, Y). path(X, Y) :- path(X, Z), edge(Z, Y). ?- path(n290, X)."
    let sourceText = SourceText(name: "t.dl", text: text)
    let (program, _) = Parser.parse(sourceText)
    let interpreter = Interpreter(source: ArrayTripleSource(chain))
    interpreter.useDenseClosures = false
    try interpreter.add(program.sourcedRules)
    let (checked, _) = interpreter.check([], program.sourcedQueries)
    let (result, explanation) = try interpreter.explain(checked.queries[0], predicates: checked.predicates, showTimes: false)
    #expect(result.rows.count == 10)
    #expect(explanation.contains("magic sets"))
    // Only paths from n290 are derived: 10 of the 45,150 pairs of the closure.
    let derived = explanation.split(separator: "\n").filter { $0.hasSuffix("new facts for path[bf]") || $0.hasSuffix("new fact for path[bf]") }
      .compactMap { line in Int(line.split(separator: " ").dropFirst().first ?? "") }
    #expect(derived.reduce(0, +) == 10, "\(explanation)")
  }

  @Test func aTimeLimitStopsAnExplosionAndNamesThePredicate() throws {
    var many: [Triple] = []
    for i in 0..<300 { many.append(Triple("x\(i)", "p", .integer(Int64(i)))) }
    let limits = EvaluationLimits(timeout: 0.3, maxDerivedFacts: 1_000_000_000)
    do {
      _ = try rows("big(A, B, C) :- p(A, _), p(B, _), p(C, _). ?- big(A, B, C).", many, limits: limits)
      Issue.record("no limit hit")
    } catch let error as DiagnosticError {
      #expect(error.diagnostics.first?.code == "timeout")
    }
  }

  @Test func aFactCapStopsACartesianProductWithBoundedMemory() throws {
    var many: [Triple] = []
    for i in 0..<2000 { many.append(Triple("x\(i)", "p", .integer(Int64(i)))) }
    let limits = EvaluationLimits(timeout: 60, maxDerivedFacts: 100_000)
    do {
      _ = try rows("?- p(A, _), p(B, _).", many, limits: limits)
      Issue.record("no limit hit")
    } catch let error as DiagnosticError {
      let d = try #require(error.diagnostics.first)
      #expect(d.code == "too-many-facts")
      #expect(d.message.contains("`?-` was growing"))
    }
  }

  @Test func cancellationStopsAQuery() throws {
    var chain: [Triple] = []
    for i in 0..<3000 { chain.append(Triple("n\(i)", "e", .entity("n\(i + 1)"))) }
    let flag = CancellationFlag()
    flag.cancel()
    let limits = EvaluationLimits(timeout: nil, maxDerivedFacts: Int.max, cancellation: flag)
    do {
      _ = try rows("p(X, Y) :- e(X, Y). p(X, Y) :- p(X, Z), p(Z, Y). ?- p(X, Y).", chain, limits: limits)
      Issue.record("not cancelled")
    } catch let error as DiagnosticError {
      #expect(error.diagnostics.first?.code == "cancelled")
    }
  }

  @Test func deepRecursionInTheDataDoesNotOverflowTheStack() throws {
    var chain: [Triple] = []
    for i in 0..<20_000 { chain.append(Triple("n\(i)", "e", .entity("n\(i + 1)"))) }
    // The array source scans for every lookup; the real index keeps this test fast.
    let answer = try results("reach(n0). reach(Y) :- reach(X), e(X, Y). ?- reach(X), X = n20000.", source: IndexedSource(chain).graph)
    #expect(answer[0].rows.map { $0.map(\.description) } == [["n20000"]])
  }

  @Test func divisionByZeroIsAnErrorAtTheLiteral() throws {
    do {
      _ = try rows("?- value(M, V), W = V / 0.")
      Issue.record("no error")
    } catch let error as DiagnosticError {
      let d = try #require(error.diagnostics.first)
      #expect(d.code == "division-by-zero")
      #expect(d.location?.column == 17)
    }
  }

  @Test func invalidRegularExpressionsAreReported() throws {
    #expect(throws: DiagnosticError.self) { try rows("?- label(bank, L), matches(L, \"([\").") }
  }
}

@Suite struct CoverageOfRandomProgramsTests {
  /// The oracle is only as good as what the random programs exercise: make sure recursion,
  /// magic sets and dense closures actually occur, and that answers are not mostly empty.
  @Test func randomProgramsExerciseEveryEvaluationPath() throws {
    var dense = 0
    var magic = 0
    var nonEmpty = 0
    var total = 0
    for seed in UInt64(1)...UInt64(220) {
      let program = RandomProgram(seed: seed)
      let text = SourceText(name: "r.dl", text: program.fullText)
      let (parsed, _) = Parser.parse(text)
      let interpreter = Interpreter(source: ArrayTripleSource(program.triples))
      interpreter.denseMinimumWidth = 1  // as in OracleTests
      interpreter.declare(storedPredicates: RandomProgram.storedPredicates)
      try interpreter.add(parsed.sourcedRules)
      for query in parsed.sourcedQueries {
        let (checked, _) = interpreter.check([], [query])
        let (result, explanation) = try interpreter.explain(checked.queries[0], predicates: checked.predicates, showTimes: false)
        total += 1
        if !result.rows.isEmpty { nonEmpty += 1 }
        if explanation.contains("dense: bit matrix") { dense += 1 }
        if explanation.contains("magic sets") { magic += 1 }
      }
    }
    print("random programs: \(total) queries, \(nonEmpty) non-empty, \(magic) with magic sets, \(dense) with dense closures")
    #expect(dense > 50, "dense closures used in \(dense) queries")
    #expect(magic > 100, "magic sets used in \(magic) queries")
    #expect(nonEmpty * 2 > total, "\(nonEmpty) of \(total) answers are non-empty")
  }
}
