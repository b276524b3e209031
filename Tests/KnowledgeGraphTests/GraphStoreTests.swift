// The store facade: transactions, reopening, time travel, history, provenance, checkpoints,
// catching up with another writer, and import/export round trips.

import Foundation
import KnowledgeGraph
import Platform
import TestSupport
import Testing

@Suite struct GraphStoreTests {
  let bank = Triple("bank_of_england", "type", .entity("central_bank"))
  let label = Triple("bank_of_england", "label", .string("英格兰银行", language: "zh"))
  let founded = Triple("bank_of_england", "founded_in", .integer(1694))

  func fixedClock() -> GraphStore.Options {
    var options = GraphStore.Options()
    options.clock = { 1_795_000_000 }
    return options
  }

  @Test func transactionsPersistAndReopen() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"), options: fixedClock())
    let t1 = try store.transact(asserting: [bank, label], metadata: [("source", "000:L146-L152")])
    let t2 = try store.transact(asserting: [founded], metadata: [("source", "000:L160"), ("note", "n")])
    #expect((t1, t2) == (1, 2))
    let reopened = try GraphStore.open(at: dir.file("g"))
    #expect(Set(reopened.triples()) == [bank, label, founded])
    #expect(reopened.provenance(of: founded).map(\.source) == ["000:L160"])
    #expect(reopened.transactionInfo(2)?.metadata("note") == "n")
    #expect(reopened.transactionInfo(1)?.timestamp == "2026-11-18T11:06:40Z")
  }

  @Test func asOfShowsEarlierStatesAndIsReadOnly() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    try store.transact(asserting: [bank, label])
    try store.transact(retracting: [label])
    try store.transact(asserting: [founded])
    #expect(try Set(GraphStore.open(at: dir.file("g"), asOf: 0).triples()) == [])
    #expect(try Set(GraphStore.open(at: dir.file("g"), asOf: 1).triples()) == [bank, label])
    #expect(try Set(GraphStore.open(at: dir.file("g"), asOf: 2).triples()) == [bank])
    #expect(try Set(GraphStore.open(at: dir.file("g"), asOf: 3).triples()) == [bank, founded])
    let past = try GraphStore.open(at: dir.file("g"), asOf: 1)
    #expect(throws: DiagnosticError.self) { try past.transact(asserting: [founded]) }
    #expect(throws: DiagnosticError.self) { try GraphStore.open(at: dir.file("g"), asOf: 9) }
  }

  @Test func historyListsAssertionsAndRetractions() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    try store.transact(asserting: [bank, label], metadata: [("source", "a")])
    try store.transact(asserting: [Triple("x", "part_of", .entity("bank_of_england"))], metadata: [("source", "b")])
    try store.transact(retracting: [label], metadata: [("source", "c")])
    let history = try store.history(of: "bank_of_england")
    #expect(history.map(\.transaction.number) == [1, 1, 2, 3])
    #expect(history.map(\.asserted) == [true, true, true, false])
    #expect(history.last?.transaction.source == "c")
  }

  @Test func retractingAnAbsentFactWritesNothing() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    try store.transact(asserting: [bank])
    let before = readFile(dir.file("g/xinzhi.log"))
    #expect(throws: DiagnosticError.self) { try store.transact(retracting: [label]) }
    #expect(throws: DiagnosticError.self) { try store.transact(asserting: []) }
    #expect(throws: DiagnosticError.self) { try store.transact(asserting: [label], metadata: [("Bad Key", "x")]) }
    #expect(readFile(dir.file("g/xinzhi.log")) == before)
    #expect(store.lastTransaction == 1)
  }

  @Test func assertingAgainAddsProvenance() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    try store.transact(asserting: [bank], metadata: [("source", "000:L1")])
    try store.transact(asserting: [bank], metadata: [("source", "002:L9")])
    #expect(store.provenance(of: bank).map(\.source) == ["000:L1", "002:L9"])
    #expect(store.tripleCount == 1)
    let reopened = try GraphStore.open(at: dir.file("g"))
    #expect(reopened.provenance(of: bank).map(\.source) == ["000:L1", "002:L9"])
  }

  @Test func aSecondStoreObjectCatchesUpBeforeWriting() throws {
    let dir = TemporaryDirectory()
    let a = try GraphStore.create(at: dir.file("g"))
    let b = try GraphStore.open(at: dir.file("g"))
    try a.transact(asserting: [bank])
    let n = try b.transact(asserting: [label])
    #expect(n == 2)
    #expect(b.contains(bank))
    #expect(try GraphStore.open(at: dir.file("g")).verify().isClean)
  }

  @Test func checkpointIsUsedValidatedAndRebuilt() throws {
    let dir = TemporaryDirectory()
    var options = GraphStore.Options()
    options.checkpointThreshold = 0
    let store = try GraphStore.create(at: dir.file("g"))
    for i in 0..<30 {
      try store.transact(asserting: [Triple("e\(i)", "p", .integer(Int64(i)))])
    }
    let first = try GraphStore.open(at: dir.file("g"), options: options)  // writes a checkpoint
    #expect(!first.openedFromCheckpoint)
    let second = try GraphStore.open(at: dir.file("g"), options: options)
    #expect(second.openedFromCheckpoint)
    #expect(Set(second.triples()) == Set(first.triples()))
    // Writes after the checkpoint are replayed from the log on top of it.
    try second.transact(asserting: [bank])
    let third = try GraphStore.open(at: dir.file("g"))
    #expect(third.openedFromCheckpoint)
    #expect(third.contains(bank))
    #expect(third.verify().checkedCheckpoint)
    // A log that no longer matches the checkpoint's stamp makes it ignored.
    let path = dir.file("g/xinzhi.log")
    var bytes = try #require(readFile(path))
    let text = String(decoding: bytes, as: UTF8.self)
    let range = try #require(text.range(of: "+ e3 p 3"))
    let offset = text.utf8.distance(from: text.startIndex, to: range.upperBound) - 1
    bytes[offset] = UInt8(ascii: "3")  // same byte: still valid, still matching
    writeFile(path, bytes)
    #expect(try GraphStore.open(at: dir.file("g")).openedFromCheckpoint)
    writeFile(dir.file("g/xinzhi.checkpoint"), [1, 2, 3])
    let fallback = try GraphStore.open(at: dir.file("g"))
    #expect(!fallback.openedFromCheckpoint)
    #expect(fallback.tripleCount == 31)
  }

  /// Opening from a checkpoint reads only the log after it; an unfinished transaction there is
  /// judged from the start of the log as without a checkpoint: ignored with a warning, and the
  /// transactions between the checkpoint and it are all read.
  @Test func tornTailAfterACheckpointIsReportedAndEverythingBeforeItRead() throws {
    let dir = TemporaryDirectory()
    var options = GraphStore.Options()
    options.checkpointThreshold = 0
    let store = try GraphStore.create(at: dir.file("g"))
    for i in 0..<5 { try store.transact(asserting: [Triple("e\(i)", "p", .integer(Int64(i)))]) }
    _ = try GraphStore.open(at: dir.file("g"), options: options)  // writes a checkpoint
    try store.transact(asserting: [bank])
    let path = dir.file("g/xinzhi.log")
    let good = try #require(readFile(path))
    writeFile(path, good + Array("tx 7 2026-11-24T00:00:00Z\n+ a b c\n".utf8))
    let reopened = try GraphStore.open(at: dir.file("g"))
    #expect(reopened.warnings.map(\.code) == ["log-torn-tail"])
    #expect(reopened.tripleCount == 6 && reopened.lastTransaction == 6 && reopened.contains(bank))
    // Without the unfinished block, the same store opens from the checkpoint, silently.
    writeFile(path, good)
    let clean = try GraphStore.open(at: dir.file("g"))
    #expect(clean.openedFromCheckpoint && clean.warnings.isEmpty)
    #expect(Set(clean.triples()) == Set(reopened.triples()))
  }

  @Test func tornTailIsIgnoredThenCutByTheNextWrite() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    try store.transact(asserting: [bank])
    let path = dir.file("g/xinzhi.log")
    let good = try #require(readFile(path))
    writeFile(path, good + Array("tx 2 2026-11-24T00:00:00Z\n+ a b c\n".utf8))
    let reopened = try GraphStore.open(at: dir.file("g"))
    #expect(reopened.warnings.map(\.code) == ["log-torn-tail"])
    #expect(reopened.verify().isClean)
    #expect(reopened.tripleCount == 1)
    try reopened.transact(asserting: [label])
    #expect(readText(path).hasPrefix(String(decoding: good, as: UTF8.self) + "tx 2 "))
    #expect(readText(dir.file("g/xinzhi.log.cut")).contains("+ a b c"))
    let final = try GraphStore.open(at: dir.file("g"))
    #expect(final.warnings.isEmpty)
    #expect(Set(final.triples()) == [bank, label])
  }

  @Test func damageInTheMiddleIsAnErrorNamingTheLine() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    try store.transact(asserting: [bank])
    try store.transact(asserting: [label])
    let path = dir.file("g/xinzhi.log")
    let text = readText(path).replacingFirst("+ bank_of_england type central_bank", with: "+ bank_of_england type central_bonk")
    writeFile(path, Array(text.utf8))
    do {
      _ = try GraphStore.open(at: dir.file("g"))
      Issue.record("damage not reported")
    } catch {
      // The damaged record still parses; its transaction's checksum on the commit line fails.
      #expect(error.diagnostics.first?.location?.line == 4)
      #expect(error.diagnostics.first?.message.contains("checksum mismatch in transaction 1") == true)
      #expect(error.category == .data)
    }
  }

  @Test func tsvAndNTriplesRoundTrip() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    let triples = [
      bank, label, founded,
      Triple("m1", "value", .decimal(DecimalValue(units: 12, scale: 1))),
      Triple("m1", "date", .date(DateValue(year: 1694, month: 7, day: 27)!)),
      Triple("m1", "ok", .boolean(false)),
      Triple("m1", "note", .string("tab\there \"q\" \\ 换行\n", language: "en")),
      Triple("http://example.org/x y", "see also", .entity("Upper Case")),
      Triple("_:b1", "p", .entity("英格兰银行")),
      Triple("m1", "year", .date(DateValue(year: 2024, month: 5)!)),
    ]
    try store.transact(asserting: triples)
    for format in [TripleWriterFormat.tsv, .ntriples] {
      let text = store.triples().map { store.exportLine($0, format: format) + "\n" }.joined()
      let file = dir.write("export.\(format.rawValue)", text)
      let copy = try GraphStore.create(at: dir.file("copy-\(format.rawValue)"))
      let report = try copy.importTriples(from: file, format: format == .tsv ? .tsv : .ntriples)
      #expect(report.triples == triples.count)
      #expect(Set(copy.triples()) == Set(triples), "\(format)")
    }
  }

  @Test func importErrorsNameTheLineAndWriteNothing() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    let file = dir.write("bad.tsv", "a\tp\tb\nc\td\n")
    let before = readFile(dir.file("g/xinzhi.log"))
    do {
      _ = try store.importTriples(from: file, format: .tsv)
      Issue.record("accepted a bad line")
    } catch {
      #expect(error.diagnostics.first?.location?.line == 2)
      #expect(error.category == .data)
    }
    #expect(readFile(dir.file("g/xinzhi.log")) == before)
    let nt = dir.write("bad.nt", "<a> <b> \"unterminated .\n")
    #expect(throws: DiagnosticError.self) { try store.importTriples(from: nt, format: .ntriples) }
    #expect(throws: DiagnosticError.self) { try store.importTriples(from: dir.file("missing.tsv"), format: .tsv) }
    #expect(readFile(dir.file("g/xinzhi.log")) == before)
  }

  @Test func importSkipsDuplicateLinesAndTypesNTriplesLiterals() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    let file = dir.write("d.nt", """
      # comment
      <urn:xinzhi:a> <urn:xinzhi:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
      <urn:xinzhi:a> <urn:xinzhi:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .
      <urn:xinzhi:a> <urn:xinzhi:q> "2024"^^<http://www.w3.org/2001/XMLSchema#gYear> .
      <urn:xinzhi:a> <urn:xinzhi:r> "x"^^<http://example.org/custom> .
      <http://ex.org/s> <http://ex.org/p> _:b0 .

      """)
    let report = try store.importTriples(from: file, format: .ntriples)
    #expect(report.triples == 4)
    #expect(report.duplicates == 1)
    #expect(report.droppedDatatypes == 1)
    #expect(store.contains(Triple("a", "p", .integer(1))))
    #expect(store.contains(Triple("a", "q", .date(DateValue(year: 2024)!))))
    #expect(store.contains(Triple("a", "r", .string("x"))))
    #expect(store.contains(Triple("http://ex.org/s", "http://ex.org/p", .entity("_:b0"))))
  }
}

extension String {
  func replacingFirst(_ target: String, with replacement: String) -> String {
    guard let range = range(of: target) else { return self }
    return replacingCharacters(in: range, with: replacement)
  }
}
