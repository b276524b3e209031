// Declarations (`.decl`, issue 15): a declared predicate with no facts or rules is empty, not
// unknown; typos of undeclared names are still caught; arities and the kinds of constants
// written for declared arguments are checked; standing rules may declare; the REPL numbers the
// auxiliary predicates of later entries past those in force.

import KnowledgeGraph
import Testing
import TestSupport

@Suite struct DeclarationTests {
  func session(_ facts: [Triple] = [], standing: String? = nil) throws -> (TemporaryDirectory, QuerySession) {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    if !facts.isEmpty { try store.transact(asserting: facts, metadata: []) }
    if let standing { try standing.write(toFile: dir.file("g") + "/" + QuerySession.standingRulesFile, atomically: true, encoding: .utf8) }
    return (dir, try QuerySession(store: store))
  }

  func rows(_ session: QuerySession, _ text: String) throws -> [[String]] {
    let outcomes = try session.run(text, name: "<test>")
    guard case .answer(let result)? = outcomes.last else { return [] }
    return result.rows.map { $0.map(\.description) }.sorted { $0.lexicographicallyPrecedes($1) }
  }

  @Test func aDeclaredPredicateWithoutFactsIsEmpty() throws {
    let (_, s) = try session([Triple("a", "edge", .entity("b"))])
    #expect(try rows(s, ".decl pending(loan: entity, amount: integer). ?- pending(L, A).") == [])
    // Declared once, known for the rest of the session; then facts arrive.
    #expect(try rows(s, "?- N = count { L : pending(L, _) }.") == [["0"]])
    _ = try s.run("pending(x, 5). pending(y, 7).", name: "<test>")
    #expect(try rows(s, "?- pending(L, A), A > 6.") == [["y", "7"]])
  }

  @Test func undeclaredNamesAreStillErrors() throws {
    let (_, s) = try session()
    let error = #expect(throws: DiagnosticError.self) { try s.run(".decl pending(loan: entity). ?- pendng(L).", name: "<test>") }
    #expect(error?.diagnostics.first?.code == "unknown-predicate")
    #expect(error?.diagnostics.first?.help?.contains("`pending`") == true)
  }

  @Test(arguments: [
    (".decl p(entity). p(a, b).", "arity"),
    (".decl p(entity). ?- p(X, Y).", "arity"),
    (".decl p(entity). .decl p(entity, entity).", "arity"),
    ("p(X) :- edge(X, _). .decl p(entity, integer).", "arity"),
    (".decl p(who: entity, n: integer). p(a, \"5\").", "declared-kind"),
    (".decl p(entity, number). ?- p(1, N).", "declared-kind"),
    (".decl edge(entity). ", "arity"),
    (".decl triple(entity, entity, any).", "define-builtin"),
    (".decl p(entity, colour).", "syntax"),
  ])
  func misuseIsReported(text: String, code: String) throws {
    let (_, s) = try session([Triple("a", "edge", .entity("b"))])
    let error = #expect(throws: DiagnosticError.self) { try s.run(text, name: "<test>") }
    let codes = error?.diagnostics.map(\.code) ?? []
    #expect(codes.contains(code), "\(text): \(codes)")
  }

  @Test func kindsAdmitWhatTheyName() throws {
    let (_, s) = try session()
    _ = try s.run(".decl m(e: entity, n: number, d: date, s: string, x: any). m(a, 1.5, @2024-06, \"t\"@zh, 3). m(b, 2, @1999, \"u\", c).", name: "<test>")
    #expect(try rows(s, "?- m(E, N, _, _, _).") == [["a", "1.5"], ["b", "2"]])
  }

  @Test func standingRulesMayDeclare() throws {
    let (_, s) = try session(standing: ".decl reviewed(entity) \"已审阅\"@zh.\n")
    #expect(try rows(s, "?- reviewed(X).") == [])
    #expect(s.declarations.map(\.declaration.predicate) == ["reviewed"])
  }

  /// Each entry's auxiliary predicates are numbered past those in force, also after the checker's
  /// context is rebuilt from the rules in force (as declaring stored predicates does): two
  /// aggregates must never share a predicate.
  @Test func auxiliaryPredicatesOfLaterEntriesAreNew() throws {
    let (_, s) = try session([Triple("a", "edge", .entity("b")), Triple("a", "edge", .entity("c")), Triple("b", "edge", .entity("c"))])
    _ = try s.run("out(X, N) :- edge(X, _), N = count { Y : edge(X, Y) }.", name: "<1>")
    _ = try s.run("inn(X, N) :- edge(_, X), N = count { Y : edge(Y, X) }.", name: "<2>")
    #expect(try rows(s, "?- out(X, N).") == [["a", "2"], ["b", "1"]])
    #expect(try rows(s, "?- inn(X, N).") == [["b", "1"], ["c", "2"]])
    #expect(try rows(s, "?- out(X, N), M = max { K : inn(_, K) }.") == [["a", "2", "2"], ["b", "1", "2"]])
  }

  /// A stored predicate named like an auxiliary one (a quoted id) is never merged with it.
  @Test func auxiliaryNamesSkipStoredPredicates() throws {
    let (_, s) = try session([Triple("a", "edge", .entity("b")), Triple("x", "_count1", .integer(99)), Triple("x", "_count2", .integer(98))])
    #expect(try rows(s, "?- N = count { X : edge(X, _) }.") == [["1"]])
    #expect(try rows(s, "?- edge(X, _), N = count { Y : edge(X, Y) }.") == [["a", "1"]])
  }
}
