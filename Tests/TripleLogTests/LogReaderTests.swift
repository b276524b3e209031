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

/// A block with a correct count and checksum around hand-written lines, so that only the
/// grammar can reject it.
func craftedBlock(_ header: String, _ lines: [String], number: String? = nil, count: String? = nil) -> [UInt8] {
  let body = Array((([header] + lines).joined(separator: "\n") + "\n").utf8)
  let records = lines.filter { $0.hasPrefix("+") || $0.hasPrefix("-") }.count
  let n = number ?? String(header.split(separator: " ")[1])
  let commit = "commit \(n) \(count ?? String(records)) \(LogFormat.hex16(XXHash64.hash(body)))\n"
  return body + Array(commit.utf8)
}

/// Damage in the last complete block is damage, not a torn tail: a crash leaves only a prefix
/// of a block, so a block whose lines are complete but fail their checks is reported (65) and
/// never cut. Every single-byte change and every deleted newline in the last two blocks is
/// either detected as damage or, only when the file no longer ends with a complete commit
/// line, a torn tail; the intact transactions before it are always read.
@Suite struct LastBlockDamageTests {
  static let transactions = sampleTransactions(6, seed: 3)
  static let full = logBytes(transactions)
  static var lastTwoStart: Int {
    full.count - LogFormat.block(for: transactions[5]).count - LogFormat.block(for: transactions[4]).count
  }

  /// Reads a modified log: "damage", "torn" or "clean", checking the invariant as it goes.
  func classify(_ bytes: [UInt8], _ what: String) -> String {
    do {
      let (read, scan) = try readAll(bytes)
      guard let torn = scan.tornTail else {
        Issue.record("\(what): the change was not noticed")
        return "clean"
      }
      #expect(bytes.last != 0x0A, "\(what): a torn tail although the file ends with a complete line")
      #expect(read == Array(Self.transactions.prefix(read.count)), "\(what)")
      #expect(read.count >= 4, "\(what)")
      #expect(torn.offset == logBytes(Array(Self.transactions.prefix(read.count))).count, "\(what)")
      return "torn"
    } catch let error as DiagnosticError {
      #expect(error.diagnostics.first?.code == "log-damaged", "\(what)")
      #expect(error.category == .data, "\(what)")
      #expect(error.diagnostics.first?.location?.line != nil, "\(what)")
      return "damage"
    } catch {
      Issue.record("\(what): \(error)")
      return "error"
    }
  }

  @Test func everySingleByteChange() {
    var outcomes: [String: Int] = [:]
    for position in Self.lastTwoStart..<Self.full.count {
      // Every other byte value at this position.
      for value in UInt8(0)...UInt8(0xFF) where value != Self.full[position] {
        var bytes = Self.full
        bytes[position] = value
        outcomes[classify(bytes, "byte \(position) set to \(value)"), default: 0] += 1
      }
    }
    #expect(outcomes["clean"] == nil && outcomes["error"] == nil)
    // Only a change of the very last byte (the final LF) can leave something a crash might have.
    #expect((outcomes["torn"] ?? 0) <= 1)
    #expect((outcomes["damage"] ?? 0) > 50_000)
  }

  @Test func everyDeletedNewline() {
    var torn = 0
    for position in Self.lastTwoStart..<Self.full.count where Self.full[position] == 0x0A {
      var bytes = Self.full
      bytes.remove(at: position)
      if classify(bytes, "newline at \(position) deleted") == "torn" { torn += 1 }
    }
    // Deleting the final LF leaves exactly what a crash before the last byte leaves.
    #expect(torn == 1)
  }

  @Test func crlfOnlyInTheLastBlockIsDamage() {
    let last = LogFormat.block(for: Self.transactions[5])
    let head = Array(Self.full.prefix(Self.full.count - last.count))
    let crlf = last.flatMap { $0 == 0x0A ? [0x0D, 0x0A] : [$0] }
    #expect(classify(head + crlf, "CRLF") == "damage")
  }

  @Test func renumberedLastTransactionIsDamage() {
    var transactions = Self.transactions
    transactions[5].info.number = 9
    #expect(classify(logBytes(transactions), "renumbered") == "damage")
  }

  static let head = logBytes(Array(transactions.prefix(2)))

  @Test(arguments: [
    ("tx +3 2026-11-24T10:00:00Z", ["+ a b c"], nil as String?, nil as String?),
    ("tx 03 2026-11-24T10:00:00Z", ["+ a b c"], nil, nil),
    ("tx 3 2026-11-24T10:00:00Z", ["+ a b c"], "+3", nil),
    ("tx 3 2026-11-24T10:00:00Z", ["+ a b c"], nil, "+1"),
    ("tx 3 2026-11-24T10:00:00Z", ["+ a b c"], nil, "01"),
    ("tx 3 2026-13-45T25:61:61Z", ["+ a b c"], nil, nil),
    ("tx 3 2026-02-29T10:00:00Z", ["+ a b c"], nil, nil),
    ("tx 3 2026-11-24T10:00:60Z", ["+ a b c"], nil, nil),
    ("tx 3 2026-11-24T10:00:00Z", ["@source \"a\"", "@source \"b\"", "+ a b c"], nil, nil),
    ("tx 3 2026-11-24T10:00:00Z", ["+ a b c", "@source \"late\""], nil, nil),
    ("tx 3 2026-11-24T10:00:00Z", ["+ a b \"\u{1}\"\u{FFFD}"], nil, nil),
    ("tx 3 2026-11-24T10:00:00Z", ["+ a b c", " "], nil, nil),
    ("tx 99999999999999999999 2026-11-24T10:00:00Z", ["+ a b c"], nil, nil),
  ])
  func lenientLinesAreRejectedAtTheEndAndInTheMiddle(
    header: String, lines: [String], number: String?, count: String?
  ) throws {
    let block = craftedBlock(header, lines, number: number, count: count)
    #expect(classify(Self.head + block, "at the end: \(header) \(lines)") == "damage")
    let next = LogFormat.block(for: Transaction(info: TransactionInfo(number: 4, timestamp: "2026-11-24T10:00:00Z", metadata: []), operations: [.init(.assert, Triple("x", "y", .entity("z")))]))
    #expect(throws: DiagnosticError.self) { try readAll(Self.head + block + next) }
  }

  @Test func invalidUTF8WithAValidChecksumIsDamage() {
    var body = Array("tx 3 2026-11-24T10:00:00Z\n+ a b \"".utf8) + [0xC3, 0x28] + Array("\"\n".utf8)
    body += Array("commit 3 1 \(LogFormat.hex16(XXHash64.hash(body)))\n".utf8)
    #expect(classify(Self.head + body, "invalid UTF-8") == "damage")
  }

  @Test func wellFormedCraftedBlocksStillRead() throws {
    let block = craftedBlock("tx 3 2024-02-29T23:59:59Z", ["@source \"s\"", "@note \"n\"", "+ a b c", "- a b c"])
    let (read, scan) = try readAll(Self.head + block)
    #expect(read.count == 3)
    #expect(scan.tornTail == nil)
  }
}
