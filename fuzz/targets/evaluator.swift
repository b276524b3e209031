// Fuzz target: the evaluator on small programs. The input is program text; when it parses and
// checks, its rules are added and every query is answered against a few stored facts, under
// tight limits. Errors are fine; crashes, hangs past the limits and sanitizer reports are not.

import Diagnostics
import GraphModel
import QueryEngine
import QueryLanguage

let facts: [Triple] = [
  Triple("a", "edge", .entity("b")), Triple("b", "edge", .entity("c")), Triple("c", "edge", .entity("a")),
  Triple("c", "edge", .entity("d")), Triple("a", "label", .string("甲", language: "zh")),
  Triple("a", "weight", .integer(3)), Triple("b", "weight", .integer(-7)), Triple("d", "weight", .integer(Int64.max)),
  Triple("a", "type", .entity("node")), Triple("d", "born", DateValue(year: 1694, month: 7, day: 27).map { Value.date($0) } ?? .integer(1694)),
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEvaluator(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let source = SourceText(name: "fuzz.dl", text: text)
  let (program, diagnostics) = Parser.parse(source)
  guard diagnostics.isEmpty else { return 0 }
  let interpreter = Interpreter(source: ArrayTripleSource(facts), limits: EvaluationLimits(timeout: 2, maxDerivedFacts: 20_000))
  let (checked, problems) = interpreter.check(program.sourcedRules, program.sourcedQueries)
  guard !problems.contains(where: { $0.severity == .error }) else { return 0 }
  do {
    _ = try interpreter.add(program.sourcedRules)
    for query in checked.queries {
      let (recheck, _) = interpreter.check([], [query])
      guard let first = recheck.queries.first else { continue }
      _ = try interpreter.answer(first, predicates: recheck.predicates)
    }
  } catch {
    _ = "\(error)"
  }
  return 0
}
