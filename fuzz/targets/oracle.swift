// Fuzz target: differential testing of the evaluator. The input's first 8 bytes seed a random
// program over a random small graph (recursion, negation, aggregates, comparisons; the
// generator the oracle tests use); the engine must give the same answers as the naive
// evaluator with magic sets and dense closures on and off. A disagreement aborts, so
// libFuzzer saves the input; the seed goes into OracleTests.pinned.

import Diagnostics
import Glibc
import GraphModel
import QueryEngine
import QueryLanguage

private func engine(_ program: RandomProgram, magic: Bool, dense: Bool) throws -> [String: Set<[Value]>] {
  let text = SourceText(name: "random.dl", text: program.text)
  let (parsed, _) = Parser.parse(text)
  let interpreter = Interpreter(source: ArrayTripleSource(program.triples), limits: EvaluationLimits(timeout: 5, maxDerivedFacts: 200_000))
  interpreter.useMagicSets = magic
  interpreter.useDenseClosures = dense
  interpreter.denseMinimumWidth = 1
  try interpreter.add(parsed.sourcedRules)
  var answers: [String: Set<[Value]>] = [:]
  for query in parsed.sourcedQueries {
    let (checked, _) = interpreter.check([], [query])
    guard let first = checked.queries.first else { continue }
    answers[text.slice(query.query.span)] = Set(try interpreter.answer(first, predicates: checked.predicates).rows)
  }
  return answers
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOracle(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size >= 8 else { return 0 }
  var seed: UInt64 = 0
  for k in 0..<8 { seed = seed << 8 | UInt64(data[k]) }
  let program = RandomProgram(seed: seed)
  let text = SourceText(name: "random.dl", text: program.text)
  let (parsed, diagnostics) = Parser.parse(text)
  guard diagnostics.isEmpty else { return 0 }
  guard let facts = try? NaiveEvaluator(stored: program.triples, rules: parsed.rules).evaluate() else { return 0 }
  var expected: [String: Set<[Value]>] = [:]
  for query in parsed.queries {
    guard let rows = try? NaiveEvaluator(stored: program.triples, rules: parsed.rules).answer(query.body, columns: ProgramChecker.columns(of: query), facts: facts) else { return 0 }
    expected[text.slice(query.span)] = rows
  }
  for (magic, dense) in [(true, true), (false, false), (true, false), (false, true)] {
    guard let got = try? engine(program, magic: magic, dense: dense) else { continue }
    if got != expected {
      print("seed \(seed): the engine (magic \(magic), dense \(dense)) disagrees with the oracle\n\(program.text)")
      abort()
    }
  }
  return 0
}
