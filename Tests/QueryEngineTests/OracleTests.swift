// The semi-naive engine against the naive oracle on seeded random programs: with and without
// magic sets, with and without dense closures, over an array-backed source and over the real
// index. A failing seed is printed; seeds that once failed are pinned in `pinned`.

import Diagnostics
import GraphModel
import QueryEngine
import QueryLanguage
import Testing
import TestSupport

@Suite struct OracleTests {
  /// Seeds that once exposed a bug, kept forever (the bug is named beside each).
  static let pinned: [UInt64] = []

  static func engineAnswers(_ program: RandomProgram, source: any TripleSource, magic: Bool, dense: Bool) throws -> [String: Set<[Value]>] {
    let text = SourceText(name: "random.dl", text: program.text)
    let (parsed, diagnostics) = Parser.parse(text)
    guard diagnostics.isEmpty else { throw DiagnosticError(diagnostics) }
    let interpreter = Interpreter(source: source)
    interpreter.useMagicSets = magic
    interpreter.useDenseClosures = dense
    interpreter.denseMinimumWidth = 1  // random graphs are small: take the dense path whenever it applies
    try interpreter.add(parsed.sourcedRules)
    var answers: [String: Set<[Value]>] = [:]
    for query in parsed.sourcedQueries {
      let (checked, errors) = interpreter.check([], [query])
      if let error = errors.first(where: { $0.severity == .error }) { throw DiagnosticError(error) }
      let result = try interpreter.answer(checked.queries[0], predicates: checked.predicates)
      answers[text.slice(query.query.span)] = Set(result.rows)
    }
    return answers
  }

  static func oracleAnswers(_ program: RandomProgram) throws -> [String: Set<[Value]>] {
    let text = SourceText(name: "random.dl", text: program.text)
    let (parsed, _) = Parser.parse(text)
    let naive = NaiveEvaluator(stored: program.triples, rules: parsed.rules)
    let facts = try naive.evaluate()
    var answers: [String: Set<[Value]>] = [:]
    for query in parsed.queries {
      answers[text.slice(query.span)] = try naive.answer(query.body, columns: ProgramChecker.columns(of: query), facts: facts)
    }
    return answers
  }

  static func check(seed: UInt64) throws {
    let program = RandomProgram(seed: seed)
    let expected = try oracleAnswers(program)
    let array = ArrayTripleSource(program.triples)
    let store = IndexedSource(program.triples)
    for (source, name) in [(array as any TripleSource, "array"), (store.graph, "index")] {
      for (magic, dense) in [(true, true), (false, false), (true, false)] {
        let got = try engineAnswers(program, source: source, magic: magic, dense: dense)
        for (query, rows) in expected where got[query] != rows {
          let missing = rows.subtracting(got[query] ?? [])
          let extra = (got[query] ?? []).subtracting(rows)
          Issue.record("""
            seed \(seed) (\(name) source, magic \(magic), dense \(dense)): `\(query)` differs
              missing: \(missing.map { $0.map(\.description) }.sorted { $0.lexicographicallyPrecedes($1) })
              extra:   \(extra.map { $0.map(\.description) }.sorted { $0.lexicographicallyPrecedes($1) })
            program:
            \(program.text)
            triples: \(program.triples.map(\.description).joined(separator: " "))
            """)
          return
        }
      }
    }
  }

  @Test(arguments: Array(UInt64(1)...UInt64(220)))
  func randomProgramAgreesWithTheOracle(seed: UInt64) throws {
    try OracleTests.check(seed: seed)
  }

  @Test(arguments: pinned)
  func pinnedSeeds(seed: UInt64) throws {
    try OracleTests.check(seed: seed)
  }
}
