// Golden files: rendered error messages (`errors/*.dl` -> `.err`), the hints of empty answers
// (`hints/*.dl` -> `.out`, against `hints-fixture.facts`), explained plans
// (`explain/*.dl` -> `.out`, `dense-*` with the dense threshold lowered) and derivations (`why/*.dl` -> `.out`; files named `whynot-*` run
// `why not`), all against the fixture store in `Golden/fixture.facts`. Run with
// RECORD_GOLDEN=1 to write the expected files after reviewing a change.

import KnowledgeGraph
import Platform
import TestSupport
import Testing

@Suite struct GoldenTests {
  static let directory: String = {
    var path = #filePath
    while let last = path.last, last != "/" { path.removeLast() }
    return path + "Golden"
  }()

  static func cases(_ folder: String) -> [String] {
    (TextFile.names(inDirectory: directory + "/" + folder) ?? []).filter { $0.hasSuffix(".dl") }.map { String($0.dropLast(3)) }
  }

  /// A fresh store holding the fixture facts.
  static func fixtureStore(_ temporary: TemporaryDirectory) throws -> GraphStore {
    let store = try GraphStore.create(at: temporary.file("fixture"))
    let facts = try FactText.triples(from: readText(directory + "/fixture.facts"), name: "fixture.facts")
    try store.transact(asserting: facts, metadata: [("source", "fixture.facts")])
    return store
  }

  func compare(_ actual: String, _ expectedPath: String) {
    let record = getenv("RECORD_GOLDEN") != nil
    let existing = readFile(expectedPath).map { String(decoding: $0, as: UTF8.self) }
    if record || existing == nil {
      writeFile(expectedPath, Array(actual.utf8))
      if !record { Issue.record("recorded a new golden file \(expectedPath); review it and commit it") }
      return
    }
    #expect(actual == existing, "\(expectedPath) differs:\n--- expected\n\(existing ?? "")\n--- actual\n\(actual)")
  }

  @Test(arguments: cases("errors"))
  func errorMessages(name: String) throws {
    let temporary = TemporaryDirectory()
    let store = try GoldenTests.fixtureStore(temporary)
    let session = try QuerySession(store: store)
    let text = readText("\(GoldenTests.directory)/errors/\(name).dl")
    var rendered = ""
    do {
      _ = try session.run(text, name: "errors/\(name).dl")
      rendered = "(no error)\n"
    } catch {
      rendered = DiagnosticRenderer(style: .rich).render(error.diagnostics) + "\n"
    }
    #expect(rendered != "(no error)\n", "\(name) produced no error")
    compare(rendered, "\(GoldenTests.directory)/errors/\(name).err")
  }

  @Test(arguments: cases("explain"))
  func explainedPlans(name: String) throws {
    let temporary = TemporaryDirectory()
    let store = try GoldenTests.fixtureStore(temporary)
    let session = try QuerySession(store: store)
    // The fixture is too small for the default dense threshold; `dense-*` cases lower it so the
    // bit-matrix plan is shown. The others show the plans users get.
    if name.hasPrefix("dense-") { session.interpreter.denseMinimumWidth = 1 }
    let text = readText("\(GoldenTests.directory)/explain/\(name).dl")
    let explanations = try session.explain(text, name: "explain/\(name).dl", showTimes: false)
    compare(explanations.map(\.1).joined(separator: "\n\n") + "\n", "\(GoldenTests.directory)/explain/\(name).out")
  }

  /// Never silently empty (issue 14): the warnings (or the error) a query gets when its answer
  /// is empty because of a likely slip, against `hints-fixture.facts`.
  @Test(arguments: cases("hints"))
  func emptyAnswerHints(name: String) throws {
    let temporary = TemporaryDirectory()
    let store = try GraphStore.create(at: temporary.file("hints"))
    let facts = try FactText.triples(from: readText(GoldenTests.directory + "/hints-fixture.facts"), name: "hints-fixture.facts")
    try store.transact(asserting: facts, metadata: [("source", "hints-fixture.facts")])
    let session = try QuerySession(store: store)
    let text = readText("\(GoldenTests.directory)/hints/\(name).dl")
    var warnings: [Diagnostic] = []
    var rendered = ""
    do {
      for outcome in try session.run(text, name: "hints/\(name).dl", warnings: { warnings.append($0) }) {
        if case .answer(let result) = outcome { rendered += "(\(result.rowCount) rows)\n" }
      }
    } catch {
      warnings += error.diagnostics
    }
    #expect(!warnings.isEmpty, "\(name): no warning")
    compare(DiagnosticRenderer(style: .rich).render(warnings) + "\n" + rendered, "\(GoldenTests.directory)/hints/\(name).out")
  }

  @Test(arguments: cases("why"))
  func derivations(name: String) throws {
    let temporary = TemporaryDirectory()
    let store = try GoldenTests.fixtureStore(temporary)
    let session = try QuerySession(store: store)
    let text = readText("\(GoldenTests.directory)/why/\(name).dl")
    let output = try session.why(text, name: "why/\(name).dl", not: name.hasPrefix("whynot"))
    compare(output + "\n", "\(GoldenTests.directory)/why/\(name).out")
  }
}
