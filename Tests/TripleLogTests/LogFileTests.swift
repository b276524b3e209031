// The log file on disk: creation, locking, durable append, and rollback when a write or an fsync
// fails (through the I/O seam), so no part of a failed transaction is ever visible.

import Diagnostics
import Glibc
import GraphModel
import Testing
import TestSupport

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

  enum Fault: Sendable { case failedWrite, shortWriteThenFail, failedFsync, diskFull }

  static func faultyIO(_ fault: Fault) -> LogIO {
    LogIO(
      pwrite: { fd, buffer, count, offset in
        switch fault {
        case .failedWrite:
          errno = EIO
          return -1
        case .shortWriteThenFail:
          if count > 10 { return Glibc.pwrite(fd, buffer, count / 2, off_t(offset)) }
          errno = EIO
          return -1
        case .diskFull:
          let n = Glibc.pwrite(fd, buffer, min(count, 7), off_t(offset))
          if n > 0 && count > 7 { return n }
          errno = ENOSPC
          return -1
        case .failedFsync:
          return Glibc.pwrite(fd, buffer, count, off_t(offset))
        }
      },
      fsync: { fd in
        if fault == .failedFsync {
          errno = EIO
          return -1
        }
        return Glibc.fsync(fd)
      },
      ftruncate: { fd, length in Glibc.ftruncate(fd, off_t(length)) },
      flock: LogIO.system.flock)
  }

  @Test(arguments: [Fault.failedWrite, .shortWriteThenFail, .failedFsync, .diskFull])
  func failedAppendLeavesNothingBehind(fault: Fault) throws {
    let dir = TemporaryDirectory()
    try LogFile.create(directory: dir.path + "/s")
    let before = try #require(readFile(dir.path + "/s/xinzhi.log"))
    let log = LogFile(directory: dir.path + "/s", io: LogFileTests.faultyIO(fault))
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
