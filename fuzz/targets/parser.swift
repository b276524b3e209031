// Fuzz target: the query language's lexer, parser and checker on arbitrary bytes. Any input
// must give a program and diagnostics, never a crash.

import Diagnostics
import GraphModel
import QueryLanguage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  let source = SourceText(name: "fuzz.dl", text: text)
  let (program, diagnostics) = Parser.parse(source, parameters: ["p": .integer(1)])
  for diagnostic in diagnostics { _ = DiagnosticRenderer(style: .rich).render(diagnostic) }
  let checker = ProgramChecker(storedPredicates: ["edge", "label", "type"])
  let (_, problems) = checker.check(rules: program.sourcedRules, queries: program.sourcedQueries)
  for problem in problems { _ = DiagnosticRenderer(style: .rich).render(problem) }
  _ = Parser.needsMoreInput(text)
  return 0
}
