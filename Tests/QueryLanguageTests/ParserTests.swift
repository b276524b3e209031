// The parser: every construct of the grammar, and recovery after errors.

import Diagnostics
import GraphModel
import Testing

@testable import QueryLanguage

@Suite struct ParserTests {
  func parse(_ text: String) -> (Program, [Diagnostic]) {
    Parser.parse(SourceText(name: "t.dl", text: text))
  }

  @Test func factsRulesAndQueries() throws {
    let (program, diagnostics) = parse("""
      % a comment
      edge(a, b).
      path(X, Y) :- edge(X, Y).
      path(X, Y) :- path(X, Z), edge(Z, Y).
      ?- path(a, Y).
      """)
    #expect(diagnostics.isEmpty)
    #expect(program.rules.count == 3)
    #expect(program.queries.count == 1)
    #expect(program.rules[0].isFact)
    #expect(program.rules[2].body.count == 2)
  }

  @Test func literalsOfEveryKind() throws {
    let (program, diagnostics) = parse("""
      p(X) :- q(X, "英"@zh, 'Big Bank', 英格兰银行, -3, 1.5, @1694-07, true, _), not r(X, _), X != 3, Z = X * 2 + 1, Z % 2 = 1, L = lower("A"), contains(X, "b").
      """)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    let body = try #require(program.rules.first?.body)
    #expect(body.count == 7)
    guard case .atom(let q) = body[0] else { Issue.record("not an atom"); return }
    let constants = q.arguments.compactMap { if case .constant(let v, _) = $0 { v } else { nil } }
    #expect(constants == [
      .string("英", language: "zh"), .entity("Big Bank"), .entity("英格兰银行"), .integer(-3),
      .decimal(DecimalValue(units: 15, scale: 1)), .date(DateValue(year: 1694, month: 7)!), .boolean(true),
    ])
    guard case .negated = body[1] else { Issue.record("not a negation"); return }
    guard case .comparison(let assignment) = body[3], case .binary(.add, .binary(.multiply, _, _, _), _, _) = assignment.right else {
      Issue.record("precedence: * binds tighter than +")
      return
    }
    guard case .comparison(let modulo) = body[4], case .binary(.remainder, _, _, _) = modulo.left else {
      Issue.record("`%` inside arithmetic is modulo")
      return
    }
  }

  @Test func percentStartsACommentOutsideArithmetic() {
    let (program, diagnostics) = parse("p(X) :- q(X). % 50% of it\nr(X) :- q(X), Y = X % 3, Y > 0. % trailing\n")
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    #expect(program.rules.count == 2)
  }

  @Test func aggregatesInHeadsAndQueryModifiers() throws {
    let (program, diagnostics) = parse("n(R, count(I)) :- financed(I, R). t(sum(V, M)) :- v(M, V). ?- n(R, N) order by N desc, R limit 3.")
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    #expect(program.rules[0].head.hasAggregate)
    let query = try #require(program.queries.first)
    #expect(query.ordering.map(\.variable) == ["N", "R"])
    #expect(query.ordering.map(\.descending) == [true, false])
    #expect(query.limit == 3)
  }

  @Test func recoversAfterAnErrorAndReportsTheNext() {
    let (program, diagnostics) = parse("p(X :- q(X).\nr(a).\ns(X) :- t(X\n.\nu(b).")
    #expect(diagnostics.count == 2)
    #expect(diagnostics.map { $0.location?.line } == [1, 4])
    #expect(program.rules.map(\.head.predicate) == ["r", "u"])
  }

  @Test func deepNestingIsRefusedNotACrash() {
    let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
    let (_, diagnostics) = parse("p(X) :- q(X), Y = \(deep).")
    #expect(diagnostics.first?.message.contains("nested more than") == true)
  }

  /// Issue 12 item 11: each operator of a chain is a level of the tree and counts towards the
  /// nesting limit (a chain of 5,000 `+` overflowed every later tree walk); the limit is the
  /// same whatever mixes parentheses, signs and operators, and a later clause is still read.
  @Test func operatorChainsCountTowardsTheNestingLimit() throws {
    let limit = Parser.maximumNesting
    let atLimit = Array(repeating: "1", count: limit + 1).joined(separator: " + ")
    let (program, ok) = parse("?- X = \(atLimit).")
    #expect(ok.isEmpty)
    #expect(program.queries.count == 1)
    let over = Array(repeating: "1", count: limit + 2).joined(separator: " * ")
    let mixed = String(repeating: "1 - (", count: limit / 2 + 1) + "1" + String(repeating: ")", count: limit / 2 + 1)
    for text in [over, mixed] {
      let (program, diagnostics) = parse("?- X = \(text).\n?- Y = 1 + 2.")
      #expect(diagnostics.count == 1)
      #expect(diagnostics.first?.message == "expression nested more than \(limit) levels deep")
      #expect(diagnostics.first?.help?.contains("intermediate variables") == true)
      #expect(program.queries.count == 1)
    }
  }

  @Test func bodiesAreBoundedWithThePlaceOfTheFirstLiteralOver() throws {
    let atLimit = Array(repeating: "p(X)", count: Parser.maximumBodyLength).joined(separator: ", ")
    let (program, ok) = parse("?- \(atLimit).")
    #expect(ok.isEmpty)
    #expect(program.queries.first?.body.count == Parser.maximumBodyLength)
    let (_, diagnostics) = parse("q(X) :- \(atLimit), r(X).")
    let diagnostic = try #require(diagnostics.first)
    #expect(diagnostic.message == "a body may hold at most \(Parser.maximumBodyLength) literals")
    #expect(diagnostic.location?.column == 9 + 6 * Parser.maximumBodyLength)
  }

  @Test func aStopRequestEndsParsingWithAnError() {
    var asked = 0
    let text = String(repeating: "p(a).\n", count: 10_000)
    let (program, diagnostics) = Parser.parse(SourceText(name: "t.dl", text: text), shouldStop: {
      asked += 1
      return asked > 3
    })
    #expect(diagnostics.map(\.code) == ["stopped"])
    #expect(program.rules.count < 10_000)
  }

  @Test func columnsAreVariablesInOrderOfFirstAppearance() throws {
    let (program, _) = parse("?- q(Y, X), r(X, _Z, _), s(W, Y).")
    #expect(ProgramChecker.columns(of: try #require(program.queries.first)) == ["Y", "X", "W"])
  }
}

@Suite struct CheckerTests {
  func check(_ text: String, stored: Set<String> = ["edge", "label", "value"]) -> [Diagnostic] {
    let source = SourceText(name: "t.dl", text: text)
    let (program, parse) = Parser.parse(source)
    let (_, diagnostics) = ProgramChecker(storedPredicates: stored).check(rules: program.sourcedRules, queries: program.sourcedQueries)
    return parse + diagnostics
  }

  @Test(arguments: [
    ("?- edg(X, Y).", "unknown-predicate", "did you mean `edge`?"),
    ("p(X, Y) :- edge(X, Z).", "unsafe-variable", "variable `Y` in the head of `p`"),
    ("p(X) :- edge(X, _), not edge(Y, X).", "unsafe-variable", "variable `Y` in `not edge(Y, X)`"),
    ("p(X) :- edge(X, _), V > 3.", "unsafe-variable", "variable `V` in `V > 3`"),
    ("p(X) :- edge(X).", "arity", "has 2 arguments, found 1"),
    ("p(X) :- edge(X, _). q(Y) :- p(Y, Y).", "arity", "`p` has 1 argument"),
    ("contains(X, Y) :- edge(X, Y).", "define-builtin", "cannot define `contains`"),
    ("p(X) :- count(X).", "aggregate-in-body", "is an aggregate, not a predicate"),
    ("p(X) :- edge(X, Y), Z = frob(Y).", "unknown-function", "unknown function `frob`"),
    ("p(X).", "unsafe-variable", "a fact cannot contain the variable `X`"),
    ("p(X, _) :- edge(X, _).", "unsafe-variable", "`_` cannot appear in the head"),
    ("p(X) :- edge(X, Y).", "singleton-variable", "variable `Y` appears only once"),
    ("?- edge(X, Y) order by Z.", "order-by", "cannot order by `Z`"),
    ("p(X) :- edge(X, Y), lower(Y).", "arity", "`lower` takes 2 (its inputs and the result) arguments"),
  ])
  func diagnosticsNameTheProblem(text: String, code: String, message: String) {
    let diagnostics = check(text)
    let match = diagnostics.first { $0.code == code }
    #expect(match != nil, "\(text): \(diagnostics.map(\.description))")
    #expect(match?.description.contains(message) == true, "\(text): \(diagnostics.map(\.description))")
  }

  /// Issue 12 item 11: 10,000 errors are 50 diagnostics and a count; the count is an error so
  /// that dropping diagnostics never lets a text pass.
  @Test func diagnosticsAreCappedWithACountOfTheRest() {
    let rules = (0..<10_000).map { "q\($0)(X) :- p\($0)(X)." }.joined(separator: " ")
    let diagnostics = check(rules)
    #expect(diagnostics.count == BoundedDiagnostics.maximum + 1)
    #expect(diagnostics.prefix(BoundedDiagnostics.maximum).allSatisfy { $0.code == "unknown-predicate" })
    #expect(diagnostics.last?.severity == .error)
    #expect(diagnostics.last?.message == "… and 9950 more errors")
    // Warnings past the cap are counted as warnings.
    let singletons = (0..<60).map { "s\($0)(X) :- edge(X, Y)." }.joined(separator: " ")
    let warnings = check(singletons)
    #expect(warnings.last?.severity == .warning)
    #expect(warnings.last?.message == "… and 10 more warnings")
  }

  @Test func aStopRequestEndsCheckingWithAnError() {
    let source = SourceText(name: "t.dl", text: String(repeating: "p(X) :- edge(X, _).\n", count: 100))
    let (program, _) = Parser.parse(source)
    let (_, diagnostics) = ProgramChecker(storedPredicates: ["edge"]).check(rules: program.sourcedRules, queries: [], shouldStop: { true })
    #expect(diagnostics.map(\.code) == ["stopped"])
  }

  @Test func validProgramsPass() {
    #expect(check("p(X, Y) :- edge(X, Y), Y != X. ?- p(a, Y), label(Y, L), lower(L, M), N = strlen(M).").filter { $0.severity == .error }.isEmpty)
  }
}
