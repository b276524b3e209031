// The log format: blocks written and read back unchanged; an unfinished block at the end is a
// torn tail at every possible cut; damage followed by another transaction is an error naming
// the line.

import Diagnostics
import GraphModel
import Testing
import TestSupport

@testable import TripleLog

func sampleTransactions(_ count: Int, seed: UInt64 = 1) -> [Transaction] {
  var random = SeededRandom(seed: seed)
  var result: [Transaction] = []
  for n in 1...count {
    var operations: [Transaction.Operation] = []
    for k in 0..<(1 + random.below(4)) {
      let object: Value
      switch random.below(4) {
      case 0: object = .entity("o\(random.below(5))")
      case 1: object = .string("标签 \(k) \"q\"\n", language: random.chance(0.5) ? "zh" : nil)
      case 2: object = .integer(Int64(random.below(3000)) - 1000)
      default: object = .date(DateValue(year: 1600 + random.below(400), month: 1 + random.below(12))!)
      }
      operations.append(.init(random.chance(0.8) ? .assert : .retract, Triple("s\(random.below(5))", "p\(random.below(3))", object)))
    }
    let info = TransactionInfo(number: TxNumber(n), timestamp: "2026-11-24T10:00:0\(n % 10)Z", metadata: [("source", "doc \(n)"), ("note", "n\(n)")])
    result.append(Transaction(info: info, operations: operations))
  }
  return result
}

func logBytes(_ transactions: [Transaction]) -> [UInt8] {
  var bytes = Array((LogFormat.header + "\n").utf8)
  for t in transactions { bytes += LogFormat.block(for: t) }
  return bytes
}

func readAll(_ bytes: [UInt8]) throws -> ([Transaction], LogScan) {
  let reader = LogReader(path: "test.log", bytes: bytes)
  guard let start = try reader.headerEnd() else {
    return ([], LogScan(validEnd: 0, lineCount: 0, lastTransaction: 0, tornTail: nil, isEmpty: true))
  }
  var read: [Transaction] = []
  let scan = try reader.scan(from: start, line: 2, next: 1) { transaction, _ in read.append(transaction) }
  return (read, scan)
}

@Suite struct LogReaderTests {
  @Test func blocksRoundTrip() throws {
    let transactions = sampleTransactions(20)
    let (read, scan) = try readAll(logBytes(transactions))
    #expect(read == transactions)
    #expect(scan.tornTail == nil)
    #expect(scan.lastTransaction == 20)
  }

  @Test func blockTextIsReadable() {
    let info = TransactionInfo(number: 1, timestamp: "2026-11-24T10:00:00Z", metadata: [("source", "000:L1-L2")])
    let t = Transaction(info: info, operations: [.init(.assert, Triple("bank_of_england", "label", .string("英格兰银行", language: "zh")))])
    let text = String(decoding: LogFormat.block(for: t), as: UTF8.self)
    #expect(text.hasPrefix("tx 1 2026-11-24T10:00:00Z\n@source \"000:L1-L2\"\n+ bank_of_england label \"英格兰银行\"@zh\ncommit 1 1 "))
  }

  /// Cutting the log at any byte leaves the complete transactions before the cut readable and
  /// reports the rest as a torn tail, never as damage.
  @Test func everyTruncationIsATornTailOrClean() throws {
    let transactions = sampleTransactions(6, seed: 9)
    let full = logBytes(transactions)
    var boundaries = [Array((LogFormat.header + "\n").utf8).count]
    for t in transactions { boundaries.append(boundaries.last! + LogFormat.block(for: t).count) }
    for cut in 0...full.count {
      let bytes = Array(full[0..<cut])
      let (read, scan) = try readAll(bytes)
      let complete = boundaries.filter { $0 <= cut }.count - 1
      #expect(read.count == max(0, complete), "cut at \(cut)")
      #expect(read == Array(transactions.prefix(max(0, complete))), "cut at \(cut)")
      let atBoundary = boundaries.contains(cut)
      #expect((scan.tornTail == nil) == (atBoundary || cut < boundaries[0]), "cut at \(cut)")
    }
  }

  @Test func zerosAtTheEndAreATornTail() throws {
    let transactions = sampleTransactions(3)
    var bytes = logBytes(transactions)
    let end = bytes.count
    bytes += LogFormat.block(for: sampleTransactions(4)[3]).map { _ in 0 }
    let (read, scan) = try readAll(bytes)
    #expect(read.count == 3)
    #expect(scan.tornTail?.offset == end)
  }

  @Test func checksumMismatchInTheMiddleIsAnErrorWithTheLine() throws {
    var bytes = logBytes(sampleTransactions(5))
    // Flip a character inside transaction 2's first record.
    let text = String(decoding: bytes, as: UTF8.self)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let target = lines.firstIndex { $0.hasPrefix("tx 2 ") }! + 3
    var offset = lines[0..<target].reduce(0) { $0 + $1.utf8.count + 1 }
    while bytes[offset] != UInt8(ascii: " ") { offset += 1 }
    bytes[offset + 1] = UInt8(ascii: "Z")
    do {
      _ = try readAll(bytes)
      Issue.record("damage was not detected")
    } catch let error as DiagnosticError {
      let d = try #require(error.diagnostics.first)
      #expect(d.code == "log-damaged")
      #expect(d.location?.file == "test.log")
      #expect(d.location?.line != nil)
      #expect(d.notes.first?.contains("a later transaction starts at line") == true)
    }
  }

  @Test func wrongTransactionNumberIsReported() throws {
    var transactions = sampleTransactions(3)
    transactions[1].info.number = 7
    let bytes = logBytes(transactions)
    #expect(throws: DiagnosticError.self) { try readAll(bytes) }
  }

  @Test func notALog() throws {
    let reader = LogReader(path: "x", bytes: Array("hello world\n".utf8))
    #expect(throws: DiagnosticError.self) { try reader.headerEnd() }
    #expect(try LogReader(path: "x", bytes: Array("xinzhi-l".utf8)).headerEnd() == nil)
    #expect(try LogReader(path: "x", bytes: []).headerEnd() == nil)
  }

  @Test func commentsAndBlankLinesBetweenBlocksAreAllowed() throws {
    let transactions = sampleTransactions(2)
    var bytes = Array((LogFormat.header + "\n# a comment\n\n").utf8)
    bytes += LogFormat.block(for: transactions[0]) + Array("\n# between\n".utf8) + LogFormat.block(for: transactions[1])
    let (read, scan) = try readAll(bytes)
    #expect(read == transactions)
    #expect(scan.tornTail == nil)
  }

  @Test func timestampsAreUTCCivilDates() {
    #expect(LogFormat.timestamp(secondsSinceEpoch: 0) == "1970-01-01T00:00:00Z")
    #expect(LogFormat.timestamp(secondsSinceEpoch: 951_782_400) == "2000-02-29T00:00:00Z")
    #expect(LogFormat.timestamp(secondsSinceEpoch: 1_795_000_000) == "2026-11-18T11:06:40Z")
  }
}
