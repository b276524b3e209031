// Reads a log: checks every block (record syntax, transaction numbering, record count and
// checksum), hands complete transactions to the caller, and tells a torn tail (an unfinished
// write at the end, cut off by the next writer) from damage in the middle (an error).

import Diagnostics
import GraphModel

/// What a scan of the log found besides the transactions themselves.
public struct LogScan: Sendable {
  /// An unfinished block at the end of the log, which no transaction acknowledged.
  public struct TornTail: Sendable, Hashable {
    /// Byte offset where the unfinished block starts.
    public var offset: Int
    /// Its 1-based line.
    public var line: Int
    /// Why it is not a complete transaction.
    public var reason: String
    /// How many bytes it holds.
    public var byteCount: Int
  }

  /// Offset just past the last complete transaction (or past the header).
  public var validEnd: Int
  /// The number of lines before `validEnd`.
  public var lineCount: Int
  /// The number of the last complete transaction read, 0 if none.
  public var lastTransaction: TxNumber
  /// The unfinished block at the end, if any.
  public var tornTail: TornTail?
  /// Whether the file lacks its header line entirely (an empty file).
  public var isEmpty: Bool
}

/// Parses log bytes.
public struct LogReader {
  /// The path used in messages.
  public let path: String
  /// The log's bytes.
  public let bytes: [UInt8]

  /// Creates a reader over the bytes of a log file.
  public init(path: String, bytes: [UInt8]) {
    self.path = path
    self.bytes = bytes
  }

  /// The offset just past the header line, checking it.
  ///
  /// - Returns: nil when the file is empty or holds only a prefix of the header (a store whose
  ///   creation was interrupted), otherwise the offset of line 2.
  /// - Throws: ``DiagnosticError`` when the first line is not a Xinzhi log header.
  public func headerEnd() throws(DiagnosticError) -> Int? {
    let header = Array((LogFormat.header + "\n").utf8)
    // An interrupted creation: nothing, or the start of the header, perhaps followed by NULs.
    var written = bytes.count
    while written > 0, bytes[written - 1] == 0 { written -= 1 }
    if written < header.count, header.prefix(written).elementsEqual(bytes.prefix(written)) { return nil }
    guard bytes.count >= header.count, Array(bytes[0..<header.count]) == header else {
      let firstLine = String(decoding: bytes.prefix(while: { $0 != 0x0A }).prefix(60), as: UTF8.self)
      throw DiagnosticError(
        .data, code: "log-header",
        "`\(path)` is not a Xinzhi log: its first line is `\(TerminalText.visible(firstLine))`, expected `\(LogFormat.header)`",
        at: SourceLocation(file: path, line: 1, column: 1),
        help: "point --store at a directory made by `xinzhi init`")
    }
    return header.count
  }

  /// Reads complete transactions from `start` to the end of the log (or through `last`).
  ///
  /// - Parameters:
  ///   - start: A block boundary: the end of the header, or a `validEnd` of an earlier scan.
  ///   - line: The 1-based line number at `start`.
  ///   - next: The number the first transaction there must have.
  ///   - last: Stop after this transaction (for reading the store as of an earlier state).
  ///   - body: Called with each complete transaction, in order, and the 1-based line of its
  ///     `tx` record (its operations follow its metadata, one line each).
  /// - Throws: ``DiagnosticError`` naming file and line when a damaged block is followed by
  ///   another transaction (damage in the middle), or whatever `body` throws.
  public func scan(
    from start: Int, line: Int, next: TxNumber, through last: TxNumber? = nil,
    _ body: (Transaction, Int) throws -> Void
  ) throws -> LogScan {
    var offset = start
    var lineNumber = line
    var expected = next
    var result = LogScan(
      validEnd: start, lineCount: line - 1, lastTransaction: next - 1, tornTail: nil, isEmpty: false)
    while offset < bytes.count {
      if let last, expected > last { break }
      // Skip blank and comment lines between blocks.
      let lineEnd = endOfLine(from: offset)
      let first = bytes[offset]
      if lineEnd < bytes.count, first == 0x0A || first == UInt8(ascii: "#") || isBlank(offset, lineEnd) {
        offset = lineEnd + 1
        lineNumber += 1
        result.validEnd = offset
        result.lineCount = lineNumber - 1
        continue
      }
      switch parseBlock(at: offset, line: lineNumber, expecting: expected) {
      case .success(let (transaction, end, endLine)):
        try body(transaction, lineNumber)
        offset = end
        lineNumber = endLine
        expected += 1
        result.validEnd = end
        result.lineCount = endLine - 1
        result.lastTransaction = transaction.number
      case .failure(let failure):
        // A crash (or a writer still at work) leaves only a prefix of a block: complete lines
        // that pass their checks, then at most one unfinished line. Anything else is damage,
        // even in the last block, and is never cut.
        // NUL bytes never belong to a log line (strings escape control characters), and a
        // block that was synced holds none: NULs after the last good block, in a file that
        // does not end with a complete line, are pages of a write that never reached the disk
        // in order, so that block is unfinished too. (A file ending with a complete line after
        // a failing block is damage whatever it holds: that is never left by a crash alone.)
        guard failure.truncated || (bytes.last != 0x0A && containsNUL(from: offset)) else {
          let location = sourceLocation(line: failure.line, offset: failure.offset, length: failure.length)
          let why = laterBlockStart(after: failure.offset).map {
            "a later transaction starts at line \($0), so this is not an unfinished write at the end"
          } ?? "the line is complete, so this is not an unfinished write: a crash leaves only a prefix of a block"
          throw DiagnosticError(
            .data, code: "log-damaged",
            "damaged log: \(failure.message)", at: location,
            notes: [why],
            help: "the log is the source of truth and is never rewritten by Xinzhi; restore `\(TerminalText.visible(path))` from a copy (for example with git), or repair the damaged transaction by hand and run `xinzhi verify`")
        }
        result.tornTail = LogScan.TornTail(
          offset: offset, line: lineNumber, reason: failure.message, byteCount: bytes.count - offset)
        return result
      }
    }
    return result
  }

  /// Checks blocks a writer is about to append, exactly as a reader will read them: they must be
  /// `count` complete transactions numbered from `first`. A writer calls this before appending,
  /// so that nothing it acknowledges can later be rejected by a reader (and then cut as a torn
  /// tail, or stop the store from opening).
  ///
  /// - Throws: ``DiagnosticError`` (65) naming the first problem and showing the line.
  /// When `expected` is given, each transaction must also read back equal to it (a value the
  /// log would write in a form that reads back as another value is refused).
  public static func checkNewBlocks(
    _ bytes: [UInt8], path: String, first: TxNumber, count: Int, expected: [Transaction]? = nil
  ) throws(DiagnosticError) {
    let reader = LogReader(path: path, bytes: bytes)
    var read = 0
    var changed: (Transaction.Operation, Transaction.Operation)?
    var changedInfo = false
    let scan: LogScan
    do {
      scan = try reader.scan(from: 0, line: 1, next: first) { transaction, _ in
        if let expected, read < expected.count, changed == nil, !changedInfo, transaction != expected[read] {
          let pairs = zip(expected[read].operations, transaction.operations)
          changed = pairs.first { $0.0 != $0.1 }
          changedInfo = changed == nil
        }
        read += 1
      }
    } catch let error as DiagnosticError {
      throw DiagnosticError(
        .data, code: "log-unreadable-write",
        "the transaction was not written: the log would not read it back: \(error.diagnostics.first?.message ?? "damaged")",
        notes: error.diagnostics.first?.location?.lineText.map { ["the line would be: \(TerminalText.visible($0))"] } ?? [],
        help: "check the facts and metadata for values the log cannot hold (an empty entity identifier, for example); the store is unchanged")
    } catch {
      throw DiagnosticError(.internalError, code: "log-unreadable-write", "internal error while checking a new block: \(error)")
    }
    if let torn = scan.tornTail {
      throw DiagnosticError(
        .data, code: "log-unreadable-write",
        "the transaction was not written: the log would not read it back: \(torn.reason)",
        help: "the store is unchanged")
    }
    guard read == count else {
      throw DiagnosticError(.internalError, code: "log-unreadable-write", "internal error: \(count) transactions encoded, \(read) read back")
    }
    if let (written, readBack) = changed {
      throw DiagnosticError(
        .data, code: "log-unreadable-write",
        "the transaction was not written: `\(TerminalText.visible(written.triple.description))` would read back from the log as `\(TerminalText.visible(readBack.triple.description))`",
        help: "use a value the log writes exactly (an empty language tag, for example, reads back as no tag); the store is unchanged")
    }
    if changedInfo {
      throw DiagnosticError(
        .data, code: "log-unreadable-write",
        "the transaction was not written: its metadata or operations would read back differently from the log",
        help: "the store is unchanged")
    }
  }

  // MARK: - Blocks

  struct BlockFailure: Error {
    var message: String
    var line: Int
    var offset: Int
    var length: Int = 1
    /// Whether the block fails only because the file ends inside it, after a prefix of a valid
    /// block: what a crash during an append leaves (a torn tail), as opposed to damage.
    var truncated = false
  }

  private func parseBlock(at start: Int, line: Int, expecting expected: TxNumber)
    -> Result<(Transaction, Int, Int), BlockFailure>
  {
    var offset = start
    var lineNumber = line
    // tx N TIMESTAMP
    let headerEnd = endOfLine(from: offset)
    guard headerEnd < bytes.count else {
      let partial = unfinishedLine(from: offset)
      let expectedStart = Array("tx \(expected) ".utf8)
      let prefixLength = min(partial.count, expectedStart.count)
      // A comment or blank line without its LF is not data either.
      let plausible = partial.first == UInt8(ascii: "#") || isBlank(partial.startIndex, partial.endIndex)
        || (Array(partial.prefix(prefixLength)) == Array(expectedStart.prefix(prefixLength))
          && (partial.count <= expectedStart.count
            || LogFormat.isTimestampPrefix(partial[(partial.startIndex + expectedStart.count)...])))
      return .failure(BlockFailure(
        message: "unfinished transaction header", line: lineNumber, offset: offset, truncated: plausible))
    }
    let header = bytes[offset..<headerEnd]
    let fields = header.split(separator: 0x20, omittingEmptySubsequences: false)
    guard fields.count == 3, Array(fields[0]) == Array("tx".utf8) else {
      return .failure(BlockFailure(
        message: "expected `tx NUMBER TIMESTAMP`, found `\(preview(header))`", line: lineNumber,
        offset: offset, length: header.count))
    }
    guard let number = LogFormat.number(fields[1]), number > 0 else {
      return .failure(BlockFailure(
        message: "transaction number `\(preview(fields[1]))` is not a positive decimal number without sign or leading zeros",
        line: lineNumber, offset: offset + 3, length: max(1, fields[1].count)))
    }
    guard number == expected else {
      return .failure(BlockFailure(
        message: "expected transaction \(expected), found transaction \(number)", line: lineNumber,
        offset: offset + 3, length: fields[1].count))
    }
    guard LogFormat.isValidTimestamp(fields[2]) else {
      return .failure(BlockFailure(
        message: "timestamp `\(preview(fields[2]))` is not a UTC time `YYYY-MM-DDTHH:MM:SSZ` (month 01–12, a day of that month, hour 00–23, minute and second 00–59)",
        line: lineNumber, offset: offset + 4 + fields[1].count, length: max(1, fields[2].count)))
    }
    let timestamp = String(decoding: fields[2], as: UTF8.self)
    offset = headerEnd + 1
    lineNumber += 1
    var metadata: [(key: String, value: String)] = []
    var keys = Set<String>()
    var operations: [Transaction.Operation] = []
    while true {
      let end = endOfLine(from: offset)
      guard end < bytes.count else {
        // The file ends inside this line: a torn tail if what is there can begin a line of
        // this block (the commit line exactly as it must read), damage otherwise.
        let partial = unfinishedLine(from: offset)
        var plausible = true
        if let first = partial.first {
          switch first {
          case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"): plausible = true
          case UInt8(ascii: "c"):
            let commit = Array(
              "commit \(number) \(operations.count) \(LogFormat.hex16(XXHash64.hash(bytes[start..<offset])))".utf8)
            plausible = partial.count <= commit.count && Array(partial) == Array(commit.prefix(partial.count))
          default: plausible = false
          }
        }
        return .failure(BlockFailure(
          message: "transaction \(number) has no commit line (the write did not finish)", line: lineNumber,
          offset: offset, truncated: plausible))
      }
      if let bad = firstInvalidUTF8(from: offset, to: end) {
        return .failure(BlockFailure(message: "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16)))", line: lineNumber, offset: bad))
      }
      let first = offset < end ? bytes[offset] : 0x0A
      switch first {
      case UInt8(ascii: "+"), UInt8(ascii: "-"):
        switch parseRecord(from: offset, to: end, line: lineNumber) {
        case .success(let triple):
          operations.append(Transaction.Operation(first == UInt8(ascii: "+") ? .assert : .retract, triple))
        case .failure(let failure):
          return .failure(failure)
        }
      case UInt8(ascii: "@"):
        guard operations.isEmpty else {
          return .failure(BlockFailure(message: "metadata must come before the records of a transaction", line: lineNumber, offset: offset))
        }
        switch parseMetadata(from: offset, to: end, line: lineNumber) {
        case .success(let pair):
          guard keys.insert(pair.key).inserted else {
            return .failure(BlockFailure(
              message: "metadata key `@\(pair.key)` appears twice in transaction \(number)", line: lineNumber,
              offset: offset, length: pair.key.utf8.count + 1))
          }
          metadata.append(pair)
        case .failure(let failure): return .failure(failure)
        }
      case UInt8(ascii: "c"):
        let blockBytes = bytes[start..<offset]
        switch parseCommit(from: offset, to: end, line: lineNumber, number: number, count: operations.count, block: blockBytes) {
        case .success:
          let info = TransactionInfo(number: number, timestamp: timestamp, metadata: metadata)
          return .success((Transaction(info: info, operations: operations), end + 1, lineNumber + 1))
        case .failure(let failure):
          return .failure(failure)
        }
      default:
        return .failure(BlockFailure(
          message: "expected a record (`+`, `-`, `@` or `commit`), found `\(preview(bytes[offset..<end]))`",
          line: lineNumber, offset: offset, length: max(1, end - offset)))
      }
      offset = end + 1
      lineNumber += 1
    }
  }

  private func parseRecord(from start: Int, to end: Int, line: Int) -> Result<Triple, BlockFailure> {
    // Scanning functions work on whole arrays; copy the line so offsets stay line-relative.
    let lineBytes = Array(bytes[start..<end])
    func fail(_ f: LiteralSyntax.Failure) -> Result<Triple, BlockFailure> {
      .failure(BlockFailure(message: f.message, line: line, offset: start + f.offset, length: f.length))
    }
    guard lineBytes.count > 2, lineBytes[1] == 0x20 else {
      return .failure(BlockFailure(message: "expected a space after `\(Character(Unicode.Scalar(lineBytes[0])))`", line: line, offset: start + 1))
    }
    do {
      let (subject, e1) = try LiteralSyntax.scanEntity(lineBytes, at: 2)
      guard e1 < lineBytes.count, lineBytes[e1] == 0x20 else {
        return .failure(BlockFailure(message: "expected one space after the subject", line: line, offset: start + e1))
      }
      let (predicate, e2) = try LiteralSyntax.scanEntity(lineBytes, at: e1 + 1)
      guard e2 < lineBytes.count, lineBytes[e2] == 0x20 else {
        return .failure(BlockFailure(message: "expected one space after the predicate", line: line, offset: start + e2))
      }
      let (object, e3) = try LiteralSyntax.scanValue(lineBytes, at: e2 + 1)
      guard e3 == lineBytes.count else {
        return .failure(BlockFailure(
          message: "unexpected `\(preview(lineBytes[e3...]))` after the object", line: line,
          offset: start + e3, length: lineBytes.count - e3))
      }
      return .success(Triple(subject, predicate, object))
    } catch let failure {
      return fail(failure)
    }
  }

  private func parseMetadata(from start: Int, to end: Int, line: Int) -> Result<(key: String, value: String), BlockFailure> {
    let lineBytes = Array(bytes[start..<end])
    guard let space = lineBytes.firstIndex(of: 0x20) else {
      return .failure(BlockFailure(message: "expected `@key \"value\"`", line: line, offset: start, length: lineBytes.count))
    }
    let key = String(decoding: lineBytes[1..<space], as: UTF8.self)
    guard LogFormat.isValidMetadataKey(key) else {
      return .failure(BlockFailure(message: "metadata key `\(preview(lineBytes[1..<space]))` is not `[a-z][a-z0-9_]*`", line: line, offset: start + 1, length: max(1, space - 1)))
    }
    guard space + 1 < lineBytes.count, lineBytes[space + 1] == UInt8(ascii: "\"") else {
      return .failure(BlockFailure(message: "expected a quoted string after `@\(key)`", line: line, offset: start + space + 1))
    }
    do {
      let (value, e) = try LiteralSyntax.scanQuoted(lineBytes, at: space + 1)
      guard e == lineBytes.count else {
        return .failure(BlockFailure(message: "unexpected text after the metadata value", line: line, offset: start + e))
      }
      return .success((key, value))
    } catch let failure {
      return .failure(BlockFailure(message: failure.message, line: line, offset: start + failure.offset, length: failure.length))
    }
  }

  private func parseCommit(
    from start: Int, to end: Int, line: Int, number: TxNumber, count: Int, block: ArraySlice<UInt8>
  ) -> Result<Void, BlockFailure> {
    let fields = bytes[start..<end].split(separator: 0x20, omittingEmptySubsequences: false)
    guard fields.count == 4, Array(fields[0]) == Array("commit".utf8) else {
      return .failure(BlockFailure(message: "expected `commit NUMBER COUNT CHECKSUM`, found `\(preview(bytes[start..<end]))`", line: line, offset: start, length: end - start))
    }
    guard LogFormat.number(fields[1]) == number else {
      return .failure(BlockFailure(message: "commit line names transaction `\(preview(fields[1]))`, expected \(number)", line: line, offset: start + 7))
    }
    guard LogFormat.number(fields[2]).map({ Int($0) }) == count else {
      return .failure(BlockFailure(message: "commit line counts `\(preview(fields[2]))` records, the transaction has \(count)", line: line, offset: start + 8 + fields[1].count))
    }
    let expected = LogFormat.hex16(XXHash64.hash(block))
    guard String(decoding: fields[3], as: UTF8.self) == expected else {
      return .failure(BlockFailure(message: "checksum mismatch in transaction \(number): the commit line says \(preview(fields[3])), the block hashes to \(expected)", line: line, offset: start + 9 + fields[1].count + fields[2].count, length: fields[3].count))
    }
    return .success(())
  }

  // MARK: - Helpers

  private func endOfLine(from offset: Int) -> Int {
    var i = offset
    while i < bytes.count, bytes[i] != 0x0A { i += 1 }
    return i
  }

  private func isBlank(_ start: Int, _ end: Int) -> Bool {
    var i = start
    while i < end {
      if bytes[i] != 0x20, bytes[i] != 0x09 { return false }
      i += 1
    }
    return true
  }

  private func containsNUL(from offset: Int) -> Bool {
    bytes[offset...].contains(0)
  }

  /// The bytes of the last, unterminated line from `offset`, without the NUL bytes a file
  /// system may leave after a crash (the file grew but the data never arrived).
  private func unfinishedLine(from offset: Int) -> ArraySlice<UInt8> {
    var end = bytes.count
    while end > offset, bytes[end - 1] == 0 { end -= 1 }
    return bytes[offset..<end]
  }

  /// The offset of the first byte of an invalid UTF-8 sequence in a line, if any.
  private func firstInvalidUTF8(from start: Int, to end: Int) -> Int? {
    var i = start
    while i < end, bytes[i] < 0x80 { i += 1 }
    guard i < end else { return nil }
    if String(validating: bytes[start..<end], as: UTF8.self) != nil { return nil }
    // Find the first bad sequence for the caret.
    while i < end {
      let b = bytes[i]
      let length = b < 0x80 ? 1 : b >= 0xC2 && b < 0xE0 ? 2 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xF0 && b < 0xF5 ? 4 : 0
      if length == 0 || i + length > end || String(validating: bytes[i..<(i + length)], as: UTF8.self) == nil { return i }
      i += length
    }
    return start
  }

  /// The line number of the next `tx ` line after an offset, if any.
  private func laterBlockStart(after offset: Int) -> Int? {
    var i = offset
    // Move to the start of the next line.
    while i < bytes.count, bytes[i] != 0x0A { i += 1 }
    i += 1
    let tx = Array("tx ".utf8)
    while i < bytes.count {
      if i + 3 <= bytes.count, bytes[i] == tx[0], bytes[i + 1] == tx[1], bytes[i + 2] == tx[2] {
        return lineNumber(atOffset: i)
      }
      while i < bytes.count, bytes[i] != 0x0A { i += 1 }
      i += 1
    }
    return nil
  }

  private func lineNumber(atOffset offset: Int) -> Int {
    var n = 1
    var i = 0
    while i < offset && i < bytes.count {
      if bytes[i] == 0x0A { n += 1 }
      i += 1
    }
    return n
  }

  private func sourceLocation(line: Int, offset: Int, length: Int) -> SourceLocation {
    var lineStart = min(offset, bytes.count)
    while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
    let lineEnd = endOfLine(from: lineStart)
    let text = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
    let column = String(decoding: bytes[lineStart..<min(offset, lineEnd)], as: UTF8.self).count + 1
    let covered = String(decoding: bytes[min(offset, lineEnd)..<min(offset + length, lineEnd)], as: UTF8.self).count
    return SourceLocation(file: path, line: line, column: column, lineText: text, length: max(1, covered))
  }

  private func preview(_ slice: ArraySlice<UInt8>) -> String {
    let text = String(decoding: slice.prefix(60), as: UTF8.self)
    return TerminalText.visible(text) + (slice.count > 60 ? "…" : "")
  }
}
