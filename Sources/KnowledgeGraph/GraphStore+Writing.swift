// Writing: each call appends one transaction under the single-writer lock, after catching up on
// what other writers appended and cutting an unfinished tail; it returns only after fsync.

import GraphImport
import GraphIndex
import GraphModel
import Platform
import TripleLog

extension GraphStore {
  /// One transaction to write: its assertions, retractions and metadata.
  public struct TransactionDraft: Sendable {
    /// Triples to add.
    public var asserting: [Triple]
    /// Triples to remove (applied after the assertions).
    public var retracting: [Triple]
    /// Key-value pairs such as `("source", "000:L146-L152")` and `("note", "...")`.
    public var metadata: [(key: String, value: String)]
    /// The commit time to record (`2026-11-24T15:41:07Z`) instead of now: for transactions
    /// imported with their provenance from another store. Nil: the time of writing.
    public var timestamp: String?

    /// A transaction to write.
    public init(
      asserting: [Triple] = [], retracting: [Triple] = [], metadata: [(key: String, value: String)] = [], timestamp: String? = nil
    ) {
      self.asserting = asserting
      self.retracting = retracting
      self.metadata = metadata
      self.timestamp = timestamp
    }
  }

  /// Appends one transaction and applies it to the in-memory graph.
  ///
  /// The transaction is acknowledged (this returns) only after it is on disk. Retracting a triple
  /// the store does not hold is an error, and nothing is written.
  ///
  /// - Parameters:
  ///   - asserting: Triples to add.
  ///   - retracting: Triples to remove (applied after the assertions).
  ///   - metadata: Key-value pairs such as `("source", "000:L146-L152")` and `("note", "...")`.
  /// - Returns: The new transaction's number.
  /// - Throws: `DiagnosticError`: 64 when opened as of an earlier transaction or the
  ///   transaction is empty, 65 for a retraction of an absent triple or a bad metadata key, 74
  ///   when the lock stays taken or writing fails (the store is then unchanged).
  @discardableResult
  public func transact(
    asserting: [Triple] = [], retracting: [Triple] = [], metadata: [(key: String, value: String)] = []
  ) throws(DiagnosticError) -> TxNumber {
    try transact([TransactionDraft(asserting: asserting, retracting: retracting, metadata: metadata)]).lowerBound
  }

  /// Appends several transactions, in order, with one write and one fsync, and applies them.
  ///
  /// They are acknowledged together when this returns. Each stays a transaction of its own in
  /// the log (its own number and metadata); a crash before the fsync can leave a prefix of them,
  /// each complete, never part of one. Every draft is checked before anything is written.
  ///
  /// - Returns: The numbers given to the drafts.
  /// - Throws: `DiagnosticError` as ``transact(asserting:retracting:metadata:)``, naming the
  ///   draft (1-based) when there are several.
  @discardableResult
  public func transact(_ drafts: [TransactionDraft]) throws(DiagnosticError) -> ClosedRange<TxNumber> {
    try requireWritable()
    guard !drafts.isEmpty else {
      throw DiagnosticError(.usage, code: "empty-transaction", "nothing to write: no transactions")
    }
    let which = { (index: Int) in drafts.count == 1 ? "" : " (transaction \(index + 1) of \(drafts.count))" }
    for (index, draft) in drafts.enumerated() {
      guard !draft.asserting.isEmpty || !draft.retracting.isEmpty else {
        throw DiagnosticError(.usage, code: "empty-transaction", "nothing to write: the transaction has no facts\(which(index))")
      }
      try validate(draft.metadata)
      if let timestamp = draft.timestamp, !LogFormat.isValidTimestamp(Array(timestamp.utf8)[...]) {
        throw DiagnosticError(
          .data, code: "timestamp", "the commit time `\(timestamp)`\(which(index)) is not of the form 2026-11-24T15:41:07Z",
          help: "give a UTC time with seconds and a Z; nothing was written")
      }
    }
    try log.lock(timeout: options.lockTimeout)
    defer { log.unlock() }
    try catchUp()
    // What the store holds as the drafts are applied one after another.
    var added = Set<Triple>()
    var removed = Set<Triple>()
    for (index, draft) in drafts.enumerated() {
      for triple in draft.asserting {
        added.insert(triple)
        removed.remove(triple)
      }
      let missing = draft.retracting.filter { !added.contains($0) && (removed.contains($0) || !contains($0)) }
      if !missing.isEmpty {
        let shown = missing.prefix(5).map { "`\($0)`" }.joined(separator: ", ")
        throw DiagnosticError(
          .data, code: "retract-missing",
          "cannot retract \(missing.count == 1 ? "a fact" : "\(missing.count) facts") the store does not hold\(which(index)): \(shown)\(missing.count > 5 ? ", …" : "")",
          help: "check the spelling with `xinzhi query '?- triple(S, P, O).'`; nothing was written")
      }
      for triple in draft.retracting {
        removed.insert(triple)
        added.remove(triple)
      }
    }
    let first = graph.lastTransaction + 1
    let timestamp = try now()
    var transactions: [Transaction] = []
    var bytes: [UInt8] = []
    for (index, draft) in drafts.enumerated() {
      let info = TransactionInfo(number: first + TxNumber(index), timestamp: draft.timestamp ?? timestamp, metadata: draft.metadata)
      var operations = draft.asserting.map { Transaction.Operation(.assert, $0) }
      operations += draft.retracting.map { Transaction.Operation(.retract, $0) }
      let transaction = Transaction(info: info, operations: operations)
      transactions.append(transaction)
      bytes += LogFormat.block(for: transaction)
    }
    try LogReader.checkNewBlocks(bytes, path: log.path, first: first, count: drafts.count, expected: transactions)
    try log.append(bytes, at: validEnd)
    // Acknowledged: now update memory.
    var batch = ChangeBatch()
    for transaction in transactions {
      batch.record(transaction, dictionary: graph.dictionary)
    }
    graph.apply(batch)
    validEnd += bytes.count
    lineCount += bytes.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
    return first...(first + TxNumber(drafts.count - 1))
  }

  /// What an import did.
  public struct ImportReport: Sendable {
    /// The transaction holding the imported triples.
    public var transaction: TxNumber
    /// Lines read.
    public var lines: Int
    /// Triples written (duplicates within the file are written once).
    public var triples: Int
    /// Lines that repeated an earlier triple of the same file.
    public var duplicates: Int
    /// Triples the store already held (written again as a new assertion, with this provenance).
    public var alreadyPresent: Int
    /// N-Triples literals whose datatype was dropped.
    public var droppedDatatypes: Int
    /// Seconds spent.
    public var seconds: Double
  }

  /// Imports a TSV or N-Triples file as one transaction, streaming it to the log.
  ///
  /// - Parameters:
  ///   - path: The file, or `-` for standard input.
  ///   - format: The file format.
  ///   - metadata: Transaction metadata; `source` defaults to `import <path>`.
  ///   - progress: Called now and then with bytes read and the total (0 if unknown).
  /// - Throws: `DiagnosticError`: 66 when the file cannot be opened, 65 at the first bad line
  ///   (file:line:col), 74 on write failures. On any error nothing is written.
  public func importTriples(
    from path: String, format: ImportFormat, metadata: [(key: String, value: String)] = [],
    progress: ((Int, Int) -> Void)? = nil
  ) throws(DiagnosticError) -> ImportReport {
    try requireWritable()
    let started = MonotonicClock.seconds()
    var metadata = metadata
    if !metadata.contains(where: { $0.key == "source" }) { metadata.insert(("source", "import \(path)"), at: 0) }
    try validate(metadata)
    try log.lock(timeout: options.lockTimeout)
    defer { log.unlock() }
    try catchUp()
    let start = validEnd
    let number = graph.lastTransaction + 1
    let info = TransactionInfo(number: number, timestamp: try now(), metadata: metadata)
    // The block's `tx` and metadata lines are read back as the reader will read them, in a
    // probe block with one record; the records themselves are checked term by term below.
    var probe = TransactionEncoder(info: info)
    probe.add(.assert, Triple("probe", "probe", .entity("probe")))
    try LogReader.checkNewBlocks(probe.finish(), path: log.path, first: number, count: 1)
    var encoder = TransactionEncoder(info: info)
    var written = start
    var seen = Set<IDTriple>()
    var batch = ChangeBatch()
    batch.begin(info)
    var duplicates = 0
    var present = 0
    let dictionary = graph.dictionary
    var reader = TripleFileReader(path: path, format: format)
    reader.progress = progress
    // What the writer writes, the reader must read. A record is its three terms' literals with
    // single spaces, so it reads back as written when each term does; every term new to the
    // dictionary is therefore read back once, with the log's own scanner, before any record
    // holding it is written (terms already in the dictionary came from the log or passed this).
    func intern(_ term: ImportTerm) throws(DiagnosticError) -> TermID {
      let known = dictionary.count
      let id: TermID
      switch term {
      case .plainEntity(let bytes): id = bytes.withUnsafeBytes { dictionary.internEntity(utf8: $0) }
      case .value(let value): id = dictionary.intern(value)
      }
      if dictionary.count > known {
        let literal = term.literal
        let readBack = try? LiteralSyntax.scanValue(literal, at: 0)
        guard let readBack, readBack.1 == literal.count, readBack.0 == dictionary.value(of: id) else {
          throw DiagnosticError(
            .data, code: "log-unreadable-write",
            "the import was not written: `\(String(decoding: literal, as: UTF8.self))` would not read back from the log as `\(dictionary.value(of: id))`",
            help: "the store is unchanged")
        }
      }
      return id
    }
    let summary: TripleFileReader.Summary
    do {
      summary = try reader.read { s, p, o in
        let sid = try intern(s)
        let pid = try intern(p)
        let oid = try intern(o)
        guard dictionary.kind(of: sid) == .entity, dictionary.kind(of: pid) == .entity else { return }
        let triple = IDTriple(sid, pid, oid)
        guard seen.insert(triple).inserted else {
          duplicates += 1
          return
        }
        if graph.contains(triple) { present += 1 }
        batch.assert(triple, by: number)
        encoder.addTerms(s.literal, p.literal, o.literal)
        if encoder.pendingCount >= 1 << 20 {
          let chunk = encoder.takeBytes()
          try log.write(chunk, at: written, rollbackTo: start)
          written += chunk.count
        }
      }
    } catch let error as DiagnosticError {
      log.rollback(to: start)
      throw error
    } catch {
      log.rollback(to: start)
      throw DiagnosticError(.internalError, code: "import", "internal error during import: \(error)")
    }
    guard batch.operationCount > 0 else {
      log.rollback(to: start)
      throw DiagnosticError(.data, code: "import-empty", "`\(path)` holds no triples; nothing was written")
    }
    let tail = encoder.finish()
    // On failure the whole block goes, chunks already streamed included.
    try log.append(tail, at: written, rollbackTo: start)
    // Count lines of the whole block: header, metadata, records, commit.
    lineCount += 1 + metadata.count + encoder.recordCount + 1
    validEnd = written + tail.count
    graph.apply(batch)
    if options.writesCheckpoints, validEnd - start >= options.checkpointThreshold {
      saveCheckpoint()
    }
    return ImportReport(
      transaction: number, lines: summary.lines, triples: batch.operationCount, duplicates: duplicates,
      alreadyPresent: present, droppedDatatypes: summary.droppedDatatypes, seconds: MonotonicClock.seconds() - started)
  }

  /// Writes a checkpoint now (for example after a bulk load), if the store is writable.
  public func checkpoint() {
    saveCheckpoint()
  }

  // MARK: - Helpers

  private func requireWritable() throws(DiagnosticError) {
    if let asOf {
      throw DiagnosticError(.usage, code: "read-only-as-of", "the store is open as of transaction \(asOf) and cannot be written", help: "drop --as-of to write")
    }
  }

  private func validate(_ metadata: [(key: String, value: String)]) throws(DiagnosticError) {
    var seen = Set<String>()
    for (key, _) in metadata {
      guard LogFormat.isValidMetadataKey(key) else {
        throw DiagnosticError(.usage, code: "metadata-key", "metadata key `\(key)` must match `[a-z][a-z0-9_]*`")
      }
      guard seen.insert(key).inserted else {
        throw DiagnosticError(
          .usage, code: "metadata-key", "metadata key `\(key)` is given twice; a transaction holds each key once",
          help: "give one value per key (join several values in one, for example with `; `); nothing was written")
      }
    }
  }

  /// Under the lock: reads what other writers appended since we opened, then cuts an
  /// unfinished tail left by a crashed writer, and writes a missing header.
  private func catchUp() throws(DiagnosticError) {
    if validEnd == 0 {
      // The log had no complete header when this store was opened. Under the lock, look again:
      // another writer may have written the header, and transactions after it, since then.
      let reader = LogReader(path: log.path, bytes: try log.readLocked(from: 0))
      if let headerEnd = try reader.headerEnd() {
        validEnd = headerEnd
        lineCount = 1
      } else {
        // Still empty, or a prefix of the header (interrupted creation): nothing was ever
        // acknowledged here, so the header is written over it.
        try log.writeHeader()
        validEnd = Array((LogFormat.header + "\n").utf8).count
        lineCount = 1
        return
      }
    }
    // The log is appended to in place, never replaced. If the file under the lock is another
    // one (a `git checkout` or a copy renamed over it), this store's offset means nothing there:
    // writing at it would overwrite the new file's bytes.
    if let known = logIdentity, let locked = log.lockedIdentity(), known != locked {
      throw DiagnosticError(
        .data, code: "log-replaced",
        "the log `\(log.path)` was replaced by another file since the store was opened; nothing was written",
        help: "open the store again to read the log as it is now")
    }
    // The log only grows. If it is now shorter than what this store has read, something other
    // than a Xinzhi writer truncated or replaced it: appending at our offset would leave a hole
    // or write into someone else's file, so nothing is written.
    let size = try log.size()
    guard size >= validEnd else {
      throw DiagnosticError(
        .data, code: "log-shrank",
        "the log `\(log.path)` holds \(size) bytes, fewer than the \(validEnd) this store had read: it was truncated or replaced since the store was opened; nothing was written",
        help: "restore the log from a copy if that was not intended, then open the store again")
    }
    let tail = try log.readLocked(from: validEnd)
    guard !tail.isEmpty else { return }
    let reader = LogReader(path: log.path, bytes: tail)
    var batch = ChangeBatch()
    let dictionary = graph.dictionary
    let scan = try reader.scanDiagnosing(from: 0, line: lineCount + 1, next: graph.lastTransaction + 1) { transaction, _ in
      batch.record(transaction, dictionary: dictionary)
    }
    graph.apply(batch)
    let base = validEnd
    validEnd = base + scan.validEnd
    lineCount = scan.lineCount
    if let torn = scan.tornTail {
      try log.cutTornTail(at: base + torn.offset, line: torn.line)
      warnings.append(Diagnostic(
        .warning, .data, code: "log-torn-tail-cut",
        "cut an unfinished transaction (\(torn.byteCount) bytes from line \(torn.line)) off the end of the log; a copy is in `\(LogFormat.fileName).cut`",
        at: SourceLocation(file: log.path, line: torn.line)))
    }
  }

  /// The timestamp for a new transaction: from the options' clock, else `SOURCE_DATE_EPOCH`,
  /// else the system clock; it must fall in the years 0000–9999 that the log can write.
  private func now() throws(DiagnosticError) -> String {
    let seconds: Int
    var origin = "the clock"
    if let clock = options.clock {
      seconds = clock()
    } else if let epoch = getenv("SOURCE_DATE_EPOCH").map({ String(cString: $0) }) {
      guard let value = Int(epoch) else {
        throw DiagnosticError(
          .usage, code: "source-date-epoch",
          "SOURCE_DATE_EPOCH is `\(TerminalText.visible(epoch))`, not a whole number of seconds since 1970-01-01T00:00:00Z",
          help: "set it to seconds (for example `date +%s`), or unset it; nothing was written")
      }
      seconds = value
      origin = "SOURCE_DATE_EPOCH"
    } else {
      seconds = time(nil)
    }
    guard seconds >= LogFormat.earliestTimestampSeconds, seconds <= LogFormat.latestTimestampSeconds else {
      throw DiagnosticError(
        .usage, code: "source-date-epoch",
        "\(origin) gives \(seconds) seconds since 1970, outside the years 0000–9999 a log timestamp can show",
        help: seconds > LogFormat.latestTimestampSeconds && seconds / 1000 <= LogFormat.latestTimestampSeconds
          ? "this looks like milliseconds; give seconds (\(seconds / 1000)); nothing was written"
          : "give seconds since 1970-01-01T00:00:00Z; nothing was written")
    }
    return LogFormat.timestamp(secondsSinceEpoch: seconds)
  }
}

extension ImportTerm {
  /// The term's bytes in literal syntax, as the log writes it.
  var literal: [UInt8] {
    switch self {
    case .plainEntity(let bytes): Array(bytes)
    case .value(let value): Array(LiteralSyntax.format(value).utf8)
    }
  }
}
