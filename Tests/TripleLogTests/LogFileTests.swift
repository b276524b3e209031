// The log file on disk: creation, locking, durable append, and rollback when a write or an fsync
// fails (through the I/O seam), so no part of a failed transaction is ever visible.

import Diagnostics
import GraphModel
import Platform
import TestSupport
import Testing

@testable import TripleLog

@Suite struct LogFileTests {
  @Test func createWritesAHeaderAndRefusesTwice() throws {
    let dir = TemporaryDirectory()
    let store = dir.file("s")
    try LogFile.create(directory: store)
    #expect(readText(store + "/xinzhi.log") == "xinzhi-log 1\n")
    #expect(throws: DiagnosticError.self) { try LogFile.create(directory: store) }
  }

  @Test func appendIsReadBack() throws {
    let dir = TemporaryDirectory()
    try LogFile.create(directory: dir.path + "/s")
    let log = LogFile(directory: dir.path + "/s")
    try log.lock(timeout: 1)
    let block = LogFormat.block(for: sampleTransactions(1)[0])
    try log.append(block, at: 13)
    log.unlock()
    let (read, _) = try readAll(try log.readAll())
    #expect(read.count == 1)
  }

  @Test func secondWriterTimesOutWithAClearMessage() throws {
    let dir = TemporaryDirectory()
    try LogFile.create(directory: dir.path + "/s")
    let first = LogFile(directory: dir.path + "/s")
    try first.lock(timeout: 1)
    let second = LogFile(directory: dir.path + "/s")
    do {
      try second.lock(timeout: 0.05)
      Issue.record("second lock succeeded")
    } catch {
      #expect(error.diagnostics.first?.code == "store-locked")
      #expect(error.category == .io)
    }
    first.unlock()
    try second.lock(timeout: 0.05)
    second.unlock()
  }

  @Test(arguments: [WriteFault.failedWrite, .shortWrite, .failedFsync, .diskFull])
  func failedAppendLeavesNothingBehind(fault: WriteFault) throws {
    let dir = TemporaryDirectory()
    try LogFile.create(directory: dir.path + "/s")
    let before = try #require(readFile(dir.path + "/s/xinzhi.log"))
    let log = LogFile(directory: dir.path + "/s", io: faultyIO(fault, FaultSwitch(armed: true)))
    try log.lock(timeout: 1)
    do {
      try log.append(LogFormat.block(for: sampleTransactions(1)[0]), at: before.count)
      Issue.record("append succeeded despite \(fault)")
    } catch {
      #expect(error.diagnostics.first?.code == "log-append")
      #expect(error.category == .io)
    }
    log.unlock()
    #expect(readFile(dir.path + "/s/xinzhi.log") == before)
  }
}
