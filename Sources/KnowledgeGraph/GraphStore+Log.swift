// Reading the log itself rather than the index: transaction listings (`xinzhi log`), an entity's
// history (`xinzhi history`), and a full check of log and index (`xinzhi verify`).

import GraphIndex
import GraphModel
import TripleLog

extension GraphStore {
  /// One line of an entity's history: an assertion or retraction naming it, with its transaction.
  public struct HistoryEntry: Sendable {
    /// The transaction.
    public var transaction: TransactionInfo
    /// Whether it was asserted (true) or retracted (false).
    public var asserted: Bool
    /// The triple.
    public var triple: Triple
  }

  /// The transactions with numbers from `since` on (up to the as-of point), with their operations.
  ///
  /// - Throws: `DiagnosticError` when the log cannot be read or is damaged.
  public func transactions(since: TxNumber = 1) throws(DiagnosticError) -> [Transaction] {
    var result: [Transaction] = []
    try forEachTransaction { transaction, _ in
      if transaction.number >= since { result.append(transaction) }
    }
    return result
  }

  /// Every assertion and retraction whose subject, predicate or object is the entity, oldest first.
  public func history(of entity: String) throws(DiagnosticError) -> [HistoryEntry] {
    var result: [HistoryEntry] = []
    try forEachTransaction { transaction, _ in
      for operation in transaction.operations {
        let t = operation.triple
        if t.subject == entity || t.predicate == entity || t.object == .entity(entity) {
          result.append(HistoryEntry(transaction: transaction.info, asserted: operation.action == .assert, triple: t))
        }
      }
    }
    return result
  }

  /// Reads the log from the start (up to the as-of point), calling `body` with each transaction
  /// and the 1-based line of its `tx` record in the log file. Operation `i` of a transaction is
  /// on line `line + 1 + metadata.count + i`.
  ///
  /// - Throws: `DiagnosticError` when the log cannot be read or is damaged.
  public func forEachTransaction(_ body: (Transaction, Int) -> Void) throws(DiagnosticError) {
    try forEachTransaction(inLog: try log.readAll(), body)
  }

  /// ``forEachTransaction(_:)`` over log bytes already read.
  func forEachTransaction(inLog bytes: [UInt8], _ body: (Transaction, Int) -> Void) throws(DiagnosticError) {
    let reader = LogReader(path: log.path, bytes: bytes)
    guard let start = try reader.headerEnd() else { return }
    _ = try reader.scanDiagnosing(from: start, line: 2, next: 1, through: asOf, body)
  }

  /// The result of ``verify()``.
  public struct VerificationReport: Sendable {
    /// Transactions checked.
    public var transactions: Int
    /// Records checked.
    public var records: Int
    /// Triples after replay.
    public var triples: Int
    /// Everything found: errors (damage) and warnings (an unfinished write at the end, a stale
    /// checkpoint), in the order found.
    public var problems: [Diagnostic]
    /// Whether a checkpoint was present and checked against the log.
    public var checkedCheckpoint: Bool

    /// Whether nothing is damaged (warnings allowed).
    public var isClean: Bool { !problems.contains { $0.severity == .error } }
  }

  /// Checks the whole log (syntax, numbering, record counts, checksums, no unfinished tail),
  /// replays it into a fresh index and checks the index invariants, and compares the checkpoint
  /// (if any) with the replay.
  public func verify() -> VerificationReport {
    var report = VerificationReport(transactions: 0, records: 0, triples: 0, problems: [], checkedCheckpoint: false)
    let bytes: [UInt8]
    do {
      bytes = try log.readAll()
    } catch {
      report.problems = error.diagnostics
      return report
    }
    let reader = LogReader(path: log.path, bytes: bytes)
    let graph = IndexedGraph()
    var batch = ChangeBatch()
    var stampedGraph: IndexedGraph?
    var stampTransaction: UInt64 = 0
    // What opening said about the checkpoint (which it may have replaced since), then what
    // reading it now finds, each said once.
    func note(_ warning: Diagnostic) {
      if !report.problems.contains(where: { $0.code == warning.code }) { report.problems.append(warning) }
    }
    warnings.filter { $0.code.hasPrefix("checkpoint-") }.forEach(note)
    let path = GraphStore.checkpointPath(directory)
    switch IndexedGraph.readCheckpoint(from: path) {
    case .loaded(let saved, let stamp):
      stampedGraph = saved
      stampTransaction = stamp.lastTransaction
      let covers = stamp.logLength <= UInt64(bytes.count)
        && bytes.withUnsafeBytes({ XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<Int(stamp.logLength)])) }) == stamp.logHash
      if !covers {
        note(Diagnostic(.warning, .data, code: "checkpoint-stale", "the checkpoint does not match the log; it will be rebuilt on the next open of a large store"))
        stampedGraph = nil
      }
      for violation in saved.invariantViolations() {
        report.problems.append(Diagnostic(.error, .data, code: "checkpoint-mismatch", "the checkpoint's index is inconsistent: \(violation)", help: "delete `xinzhi.checkpoint`; it is rebuilt from the log"))
      }
    case .rejected(let reason):
      note(GraphStore.rejectedWarning(path, reason))
    case .notRegular(let reason):
      note(GraphStore.notRegularWarning(path, reason))
    case .missing, .otherVersion:
      break
    }
    do {
      guard let start = try reader.headerEnd() else {
        // An empty log, or the start of a header: a creation that was interrupted, which
        // holds nothing acknowledged (the next write writes the header).
        report.problems.append(Diagnostic(
          .warning, .data, code: "log-torn-header",
          "the log header of `\(log.path)` is incomplete (store creation was interrupted); the store is empty",
          help: "the next write writes the header"))
        return report
      }
      let dictionary = graph.dictionary
      var comparedCheckpoint = false
      let scan = try reader.scan(from: start, line: 2, next: 1) { transaction, _ in
        report.transactions += 1
        report.records += transaction.operations.count
        batch.record(transaction, dictionary: dictionary)
        if let saved = stampedGraph, UInt64(transaction.number) == stampTransaction {
          graph.apply(batch)
          batch = ChangeBatch()
          comparedCheckpoint = true
          if let difference = GraphStore.difference(graph, saved) {
            report.problems.append(Diagnostic(.error, .data, code: "checkpoint-mismatch", "the checkpoint disagrees with the log: \(difference)", help: "delete `xinzhi.checkpoint`; it is rebuilt from the log"))
          }
        }
      }
      graph.apply(batch)
      report.checkedCheckpoint = comparedCheckpoint
      if let torn = scan.tornTail {
        report.problems.append(Diagnostic(
          .warning, .data, code: "log-torn-tail",
          "the log ends with an unfinished transaction (\(torn.byteCount) bytes from line \(torn.line): \(torn.reason)); it was never acknowledged and is not part of the store",
          at: SourceLocation(file: log.path, line: torn.line),
          help: "it was never acknowledged; the next write (for example `xinzhi assert`) cuts it off"))
      }
    } catch let error as DiagnosticError {
      report.problems.append(contentsOf: error.diagnostics)
    } catch {
      report.problems.append(Diagnostic(.error, .internalError, code: "verify", "internal error: \(error)"))
    }
    for violation in graph.invariantViolations() {
      report.problems.append(Diagnostic(.error, .internalError, code: "index-invariant", "index invariant violated after replay: \(violation)"))
    }
    report.triples = graph.tripleCount
    return report
  }

  /// A description of the first difference between two graphs, or nil when they hold the same
  /// triples with the same provenance.
  static func difference(_ a: IndexedGraph, _ b: IndexedGraph) -> String? {
    if a.tripleCount != b.tripleCount { return "\(a.tripleCount) triples in the log, \(b.tripleCount) in the checkpoint" }
    if a.lastTransaction != b.lastTransaction { return "\(a.lastTransaction) transactions in the log, \(b.lastTransaction) in the checkpoint" }
    func decoded(_ g: IndexedGraph) -> [String: [TxNumber]] {
      var result: [String: [TxNumber]] = [:]
      g.forEach(TriplePattern()) { t in
        let key = "\(g.dictionary.value(of: t.s)) \(g.dictionary.value(of: t.p)) \(g.dictionary.value(of: t.o))"
        result[key] = g.assertingTransactions(of: t)
      }
      return result
    }
    let da = decoded(a)
    let db = decoded(b)
    for (key, txs) in da where db[key] != txs {
      return db[key] == nil ? "`\(key)` is missing from the checkpoint" : "`\(key)` has different provenance"
    }
    return nil
  }
}
