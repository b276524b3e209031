// The index against a plain set model: after every batch (retractions included) all three
// orders hold the same set, every pattern shape answers what a scan would, counts are exact, and
// a checkpoint restores the same graph.

import GraphModel
import Platform
import TestSupport
import Testing

@testable import GraphIndex

@Suite struct IndexedGraphTests {
  static func shapes(_ t: IDTriple) -> [TriplePattern] {
    [
      TriplePattern(s: t.s, p: t.p, o: t.o), TriplePattern(s: t.s, p: t.p), TriplePattern(s: t.s, o: t.o),
      TriplePattern(s: t.s), TriplePattern(p: t.p, o: t.o), TriplePattern(p: t.p), TriplePattern(o: t.o),
      TriplePattern(),
    ]
  }

  func checkAgainstModel(_ graph: IndexedGraph, _ model: Set<IDTriple>, _ probes: [IDTriple], _ label: String) {
    #expect(graph.invariantViolations() == [], "\(label)")
    #expect(graph.tripleCount == model.count, "\(label)")
    for probe in probes {
      for pattern in IndexedGraphTests.shapes(probe) {
        let expected = model.filter { pattern.matches($0) }
        var got: [IDTriple] = []
        graph.forEach(pattern) { got.append($0) }
        #expect(Set(got) == expected, "\(label) \(pattern.shape)")
        #expect(got.count == expected.count, "\(label) duplicates in \(pattern.shape)")
        #expect(graph.count(pattern) == expected.count, "\(label) count \(pattern.shape)")
      }
    }
  }

  @Test(arguments: [1, 2, 3, 4, 5])
  func randomBatchesAgreeWithASetModel(seed: UInt64) {
    var random = SeededRandom(seed: seed)
    let dictionary = TermDictionary()
    let ids = (0..<12).map { dictionary.intern(.entity("t\($0)")) }
    let graph = IndexedGraph(dictionary: dictionary)
    var model = Set<IDTriple>()
    var tx: TxNumber = 0
    for round in 0..<40 {
      var batch = ChangeBatch()
      let transactions = 1 + random.below(3)
      for _ in 0..<transactions {
        tx += 1
        batch.begin(TransactionInfo(number: tx, timestamp: "2026-01-01T00:00:00Z", metadata: []))
        for _ in 0..<random.below(25) {
          let t = IDTriple(ids[random.below(6)], ids[6 + random.below(3)], ids[random.below(12)])
          if random.chance(0.3) {
            batch.retract(t)
            model.remove(t)
          } else {
            batch.assert(t, by: tx)
            model.insert(t)
          }
        }
      }
      // New terms appear over time too.
      if random.chance(0.2) { _ = dictionary.intern(.integer(Int64(round))) }
      graph.apply(batch)
      let probes = (0..<6).map { _ in IDTriple(ids[random.below(6)], ids[6 + random.below(3)], ids[random.below(12)]) }
      checkAgainstModel(graph, model, probes, "seed \(seed) round \(round)")
    }
  }

  @Test func provenanceRestartsAfterARetraction() {
    let dictionary = TermDictionary()
    let t = IDTriple(dictionary.intern(.entity("a")), dictionary.intern(.entity("p")), dictionary.intern(.entity("b")))
    let graph = IndexedGraph(dictionary: dictionary)
    func info(_ n: TxNumber) -> TransactionInfo { TransactionInfo(number: n, timestamp: "2026-01-01T00:00:00Z", metadata: []) }
    var batch = ChangeBatch()
    batch.begin(info(1))
    batch.assert(t, by: 1)
    graph.apply(batch)
    batch = ChangeBatch()
    batch.begin(info(2))
    batch.assert(t, by: 2)
    graph.apply(batch)
    #expect(graph.assertingTransactions(of: t) == [1, 2])
    batch = ChangeBatch()
    batch.begin(info(3))
    batch.retract(t)
    batch.begin(info(4))
    batch.assert(t, by: 4)
    graph.apply(batch)
    #expect(graph.assertingTransactions(of: t) == [4])
    #expect(graph.invariantViolations() == [])
  }

  @Test func checkpointRestoresTheSameGraph() throws {
    var random = SeededRandom(seed: 99)
    let dictionary = TermDictionary()
    let graph = IndexedGraph(dictionary: dictionary)
    var batch = ChangeBatch()
    batch.begin(TransactionInfo(number: 1, timestamp: "2026-01-01T00:00:00Z", metadata: [("source", "x 甲")]))
    for i in 0..<2000 {
      let t = IDTriple(dictionary.intern(.entity("s\(random.below(100))")), dictionary.intern(.entity("p\(random.below(5))")), dictionary.intern(.string("v\(i)", language: "zh")))
      batch.assert(t, by: 1)
    }
    graph.apply(batch)
    batch = ChangeBatch()
    batch.begin(TransactionInfo(number: 2, timestamp: "2026-01-01T00:00:01Z", metadata: []))
    let some = graph.allTriples().prefix(10)
    for t in some { batch.assert(t, by: 2) }
    graph.apply(batch)
    let dir = TemporaryDirectory()
    let path = dir.file("c.checkpoint")
    let stamp = CheckpointStamp(logLength: 123, logHash: 456, lineCount: 7, lastTransaction: 2)
    try graph.writeCheckpoint(to: path, stamp: stamp)
    let (restored, restoredStamp) = try #require(IndexedGraph.readCheckpoint(from: path).loaded)
    #expect(restoredStamp == stamp)
    #expect(restored.allTriples() == graph.allTriples())
    #expect(restored.transactions == graph.transactions)
    for t in some { #expect(restored.assertingTransactions(of: t) == [1, 2]) }
    #expect(restored.invariantViolations() == [])
    // Any damage makes the checkpoint unreadable rather than wrong.
    var bytes = try #require(readFile(path))
    bytes[bytes.count / 2] ^= 0x40
    writeFile(path, bytes)
    #expect(IndexedGraph.readCheckpoint(from: path).rejection != nil)
  }

  /// Found by the checkpoint fuzz target (input `10 05 00 07 ee`): an early offset far beyond
  /// the pairs, with the first and last offsets intact, made the structural check read the
  /// run before noticing that the offsets decrease after it.
  @Test func offsetBeyondThePairsIsRejectedBeforeAnyRunIsRead() throws {
    let dictionary = TermDictionary()
    let graph = IndexedGraph(dictionary: dictionary)
    var batch = ChangeBatch()
    batch.begin(TransactionInfo(number: 1, timestamp: "2026-01-01T00:00:00Z", metadata: []))
    for i in 0..<20 {
      batch.assert(IDTriple(dictionary.intern(.entity("s\(i % 4)")), dictionary.intern(.entity("p")), dictionary.intern(.integer(Int64(i)))), by: 1)
    }
    graph.apply(batch)
    let dir = TemporaryDirectory()
    let path = dir.file("c.checkpoint")
    try graph.writeCheckpoint(to: path, stamp: CheckpointStamp(logLength: 100, logHash: 1, lineCount: 10, lastTransaction: 1))
    let written = try #require(readFile(path))
    var file = try #require(CheckpointFile(written))
    for order in [CheckpointFile.Section.spoOffsets, .posOffsets, .ospOffsets] {
      var crafted = file
      var offsets = crafted.elements(order)
      offsets[1] |= 0xEE00_0000
      crafted.setElements(order, offsets)
      writeFile(path, crafted.bytes)
      let rejection = IndexedGraph.readCheckpoint(from: path).rejection
      #expect(rejection?.contains("offsets decrease") == true, "\(order): \(rejection ?? "accepted")")
    }
    file.set(.lineCount, 10)
    writeFile(path, file.bytes)
    #expect(IndexedGraph.readCheckpoint(from: path).loaded != nil)
  }
}
