// Faults injected into the store's writes through the log's I/O seam: a failed write, a short
// write, a failed fsync, a full disk, a lock that stays taken. Each transaction is reported as
// failed (74), nothing of it is visible in memory or on disk, and the store keeps working.

import KnowledgeGraph
import Platform
import TestSupport
import Testing
import TripleLog

@Suite struct FaultInjectionTests {
  @Test(arguments: WriteFault.allCases)
  func aFailedTransactionLeavesNothingAndTheStoreKeepsWorking(fault: WriteFault) throws {
    let dir = TemporaryDirectory()
    let toggle = FaultSwitch(armed: false)
    var options = GraphStore.Options()
    options.io = faultyIO(fault, toggle)
    options.lockTimeout = 0.2
    options.writesCheckpoints = false
    let store = try GraphStore.create(at: dir.file("g"), options: options)
    try store.transact(asserting: [Triple("a", "edge", .entity("b"))], metadata: [("source", "first")])
    let logBefore = try #require(readFile(dir.file("g/xinzhi.log")))

    toggle.armed.store(true, ordering: .relaxed)
    let failing = [Triple("a", "edge", .entity("c")), Triple("c", "label", .string("丙", language: "zh"))]
    #expect {
      try store.transact(asserting: failing, retracting: [Triple("a", "edge", .entity("b"))], metadata: [("source", "second")])
    } throws: { error in
      guard let error = error as? DiagnosticError else { return false }
      return error.category == .io && error.category.exitStatus == 74
    }
    // Nothing of it: not in memory, not on disk.
    #expect(store.lastTransaction == 1)
    #expect(!store.contains(failing[0]) && !store.contains(failing[1]))
    #expect(store.contains(Triple("a", "edge", .entity("b"))))
    #expect(readFile(dir.file("g/xinzhi.log")) == logBefore)

    // The store keeps working: the next transaction gets the next number.
    toggle.armed.store(false, ordering: .relaxed)
    #expect(try store.transact(asserting: [Triple("d", "edge", .entity("e"))], metadata: [("source", "third")]) == 2)
    let reopened = try GraphStore.open(at: dir.file("g"))
    #expect(reopened.lastTransaction == 2)
    #expect(reopened.triples().map(\.description).sorted() == ["edge(a, b)", "edge(d, e)"])
    #expect(reopened.verify().problems.isEmpty)
  }
}
