// The public facade: a store directory opened into an indexed in-memory graph. Opening replays
// the log (starting from a checkpoint when one matches the log); writing appends transactions;
// everything else in the package is reached through this type.

import GraphIndex
import GraphModel
import GraphSearch
import Platform
import TripleLog

/// A Xinzhi store: an append-only triple log replayed into an indexed in-memory graph.
///
/// ```swift
/// let store = try GraphStore.open(at: "graph")
/// let tx = try store.transact(
///   asserting: [Triple("bank_of_england", "type", .entity("central_bank"))],
///   metadata: [("source", "000:L146-L152")])
/// ```
///
/// A store is not `Sendable`: use each `GraphStore` (and the ``QuerySession`` over it) from one
/// thread or actor at a time. Several stores, in one process or several, may open the same
/// directory: writers take turns under the log's lock, and each store catches up on what the
/// others wrote before it writes. The values it hands out (`Triple`, `Value`, `QueryResult`,
/// ``Answer``, `DiagnosticError`) are `Sendable`.
///
/// ## Topics
/// ### Opening
/// - ``create(at:options:)``
/// - ``open(at:asOf:options:)``
/// ### Reading
/// - ``triples(subject:predicate:object:)``
/// - ``statistics()``
/// - ``history(of:)``
/// ### Writing
/// - ``transact(asserting:retracting:metadata:)``
/// - ``transact(_:)``
/// - ``importTriples(from:format:metadata:progress:)``
/// - ``importRDF(from:syntax:base:metadata:defaultSource:)``
/// ### Provenance
/// - ``provenance(of:)``
/// - ``citations(of:)``
/// ### Exporting
/// - ``exportRDF(_:base:to:)``
/// - ``exportCSV(to:)``
/// - ``dot(_:)``
public final class GraphStore {
  /// Settings for opening and writing.
  public struct Options: Sendable {
    /// How long a writer waits for another writer's lock, in seconds.
    public var lockTimeout: Double = 10
    /// Whether opening may write a checkpoint after replaying a large part of the log.
    public var writesCheckpoints = true
    /// How many bytes of log text a replay may cover before a checkpoint is written.
    public var checkpointThreshold = 4 << 20
    /// The I/O seam for the log writer (tests inject faults here).
    public var io: LogIO = .system
    /// Seconds since the epoch for new transactions; nil uses `SOURCE_DATE_EPOCH` if set, else the clock.
    public var clock: (@Sendable () -> Int)?

    /// Default options.
    public init() {}
  }

  /// The store directory.
  public let directory: String
  /// The transaction the store was opened as of, or nil for the latest state.
  public let asOf: TxNumber?
  let options: Options
  let log: LogFile

  /// The path of the store's log file.
  public var logPath: String { log.path }
  var graph: IndexedGraph
  var validEnd: Int
  var lineCount: Int
  /// The log file this store read (device and inode), to notice a log replaced behind it.
  var logIdentity: SystemFile.Identity?
  /// Problems found while opening that did not stop it (an unfinished transaction at the end).
  public internal(set) var warnings: [Diagnostic] = []
  /// Seconds spent opening.
  public private(set) var openSeconds: Double = 0
  /// Whether opening started from a checkpoint.
  public private(set) var openedFromCheckpoint = false
  /// The search index and the transaction it was built after (see `searchIndex()`).
  var cachedSearchIndex: (SearchIndex, TxNumber)?
  /// The class hierarchy and the transaction it was read after (see `classHierarchy()`).
  var cachedClassHierarchy: (ClassHierarchy, TxNumber)?

  private init(directory: String, asOf: TxNumber?, options: Options, log: LogFile, graph: IndexedGraph, validEnd: Int, lineCount: Int) {
    self.directory = directory
    self.asOf = asOf
    self.options = options
    self.log = log
    self.graph = graph
    self.validEnd = validEnd
    self.lineCount = lineCount
    graph.textSearch = StoreTextSearch(store: self)
  }

  /// The path of the checkpoint file of a store directory.
  static func checkpointPath(_ directory: String) -> String {
    (directory.hasSuffix("/") ? directory : directory + "/") + "xinzhi.checkpoint"
  }

  // MARK: - Opening

  /// Creates a new, empty store directory and opens it.
  ///
  /// - Throws: `DiagnosticError` when the directory already holds a store or cannot be written.
  public static func create(at directory: String, options: Options = Options()) throws(DiagnosticError) -> GraphStore {
    try LogFile.create(directory: directory)
    return try open(at: directory, options: options)
  }

  /// Opens a store, replaying its log into memory.
  ///
  /// - Parameters:
  ///   - directory: The store directory.
  ///   - asOf: Open the state right after this transaction (read-only), or nil for the latest.
  ///   - options: Open and write settings.
  /// - Throws: `DiagnosticError`: 66 when there is no store, 65 when the log is damaged in the
  ///   middle (with file and line), 74 on read errors.
  public static func open(at directory: String, asOf: TxNumber? = nil, options: Options = Options()) throws(DiagnosticError) -> GraphStore {
    let started = MonotonicClock.seconds()
    let log = LogFile(directory: directory, io: options.io)
    let identity = SystemFile.identity(of: log.path)
    if let store = try openFromCheckpoint(directory, log: log, asOf: asOf, options: options) {
      store.logIdentity = identity
      store.openSeconds = MonotonicClock.seconds() - started
      return store
    }
    let bytes = try log.readAll()
    let reader = LogReader(path: log.path, bytes: bytes)
    guard let headerEnd = try reader.headerEnd() else {
      let store = GraphStore(directory: directory, asOf: asOf, options: options, log: log, graph: IndexedGraph(), validEnd: 0, lineCount: 0)
      store.logIdentity = identity
      if !bytes.isEmpty {
        store.warnings.append(Diagnostic(.warning, .data, code: "log-torn-header", "the log header of `\(log.path)` is incomplete (store creation was interrupted); it will be rewritten by the next write"))
      }
      store.openSeconds = MonotonicClock.seconds() - started
      return store
    }
    var warnings: [Diagnostic] = []
    var replay = try replayLog(reader, bytes: bytes, headerEnd: headerEnd, asOf: asOf, directory: directory, warnings: &warnings)
    if replay.fromCheckpoint, replay.result == nil || replay.result?.1.tornTail != nil {
      // Replaying on top of the checkpoint met damage or an unfinished tail. Both are judged
      // from the start of the log instead: a checkpoint must never make the reader (or the next
      // writer, which cuts unfinished tails) see a different end of the log.
      let full = try replayLog(reader, bytes: bytes, headerEnd: headerEnd, asOf: asOf, directory: nil, warnings: &warnings)
      if replay.result?.1.validEnd != full.result?.1.validEnd {
        warnings.append(rejectedWarning(checkpointPath(directory), "the log does not continue where it says it ends"))
      }
      replay = full
    }
    guard let (graph, scan) = replay.result else {
      throw DiagnosticError(.internalError, code: "open", "internal error: the log of `\(log.path)` could not be replayed")
    }
    let start = replay.start
    let fromCheckpoint = replay.fromCheckpoint
    let store = GraphStore(directory: directory, asOf: asOf, options: options, log: log, graph: graph, validEnd: scan.validEnd, lineCount: scan.lineCount)
    store.logIdentity = identity
    store.openedFromCheckpoint = fromCheckpoint
    store.warnings = warnings
    if let asOf, asOf > graph.lastTransaction {
      throw DiagnosticError(
        .usage, code: "as-of-range", "the store has \(graph.lastTransaction) transactions; cannot open it as of transaction \(asOf)",
        help: "use a number from 0 to \(graph.lastTransaction)")
    }
    if let torn = scan.tornTail, asOf == nil || scan.lastTransaction < asOf!, !log.isLockedByAnotherProcess() {
      store.warnings.append(Diagnostic(
        .warning, .data, code: "log-torn-tail",
        "the log ends with an unfinished transaction (\(torn.byteCount) bytes from line \(torn.line): \(torn.reason)); it was never acknowledged and is ignored",
        at: SourceLocation(file: log.path, line: torn.line),
        help: "the next write cuts it off and keeps a copy in `\(LogFormat.fileName).cut`"))
    }
    if asOf == nil, options.writesCheckpoints, scan.validEnd - start >= options.checkpointThreshold,
      !warnings.contains(where: { $0.code == "checkpoint-not-regular" })
    {
      store.saveCheckpoint(logBytes: bytes)
    }
    store.openSeconds = MonotonicClock.seconds() - started
    return store
  }

  /// The quick way in: a sound checkpoint whose stamp matches the log's prefix (hashed in
  /// chunks, never held), then only the transactions after it, read and replayed. Nil, so that
  /// the full path decides, whenever anything is unusual: no usable checkpoint, a state older
  /// than the checkpoint, or a rest of the log that is damaged or ends unfinished (the full
  /// path judges those from the start of the log and reports them).
  private static func openFromCheckpoint(
    _ directory: String, log: LogFile, asOf: TxNumber?, options: Options
  ) throws(DiagnosticError) -> GraphStore? {
    guard case .loaded(let graph, let stamp) = IndexedGraph.readCheckpoint(from: checkpointPath(directory)),
      asOf.map({ UInt64($0) >= stamp.lastTransaction }) ?? true,
      stamp.logLength >= UInt64(LogFormat.header.utf8.count + 1), stamp.logLength <= UInt64(Int.max),
      stamp.lineCount >= 1, stamp.lineCount <= stamp.logLength, stamp.lastTransaction < UInt64(TxNumber.max),
      let tail = try log.readTail(after: Int(stamp.logLength), prefixHash: stamp.logHash)
    else { return nil }
    var batch = ChangeBatch()
    let dictionary = graph.dictionary
    let scan: LogScan
    do {
      scan = try LogReader(path: log.path, bytes: tail).scanDiagnosing(
        from: 0, line: Int(stamp.lineCount) + 1, next: TxNumber(stamp.lastTransaction) + 1, through: asOf
      ) { transaction, _ in
        batch.record(transaction, dictionary: dictionary)
      }
    } catch {
      return nil
    }
    guard scan.tornTail == nil else { return nil }
    graph.apply(batch)
    if let asOf, asOf > graph.lastTransaction { return nil }  // the full path explains the range
    let store = GraphStore(
      directory: directory, asOf: asOf, options: options, log: log, graph: graph,
      validEnd: Int(stamp.logLength) + scan.validEnd, lineCount: scan.lineCount)
    store.openedFromCheckpoint = true
    if asOf == nil, options.writesCheckpoints, scan.validEnd >= options.checkpointThreshold {
      store.saveCheckpoint()
    }
    return store
  }

  /// Writes a checkpoint for the current state; failures are ignored (it is only a cache).
  func saveCheckpoint(logBytes: [UInt8]? = nil) {
    guard asOf == nil else { return }
    let bytes: [UInt8]
    if let logBytes, logBytes.count >= validEnd {
      bytes = logBytes
    } else if let read = try? log.readAll(), read.count >= validEnd {
      bytes = read
    } else {
      return
    }
    let hash = bytes.withUnsafeBytes { XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<validEnd])) }
    let stamp = CheckpointStamp(logLength: UInt64(validEnd), logHash: hash, lineCount: UInt64(lineCount), lastTransaction: UInt64(graph.lastTransaction))
    let path = GraphStore.checkpointPath(directory)
    do {
      try graph.writeCheckpoint(to: path, stamp: stamp)
    } catch where error.code == 0 {
      // Something else sits at the checkpoint's path: say so once, and leave it alone.
      if !warnings.contains(where: { $0.code == "checkpoint-not-regular" }) {
        warnings.append(GraphStore.notRegularWarning(path, error.message))
      }
    } catch {
      // Any other failure (a full disk, a read-only directory) only costs the next open time.
    }
  }

  /// Replays the log into a fresh graph, starting from the checkpoint of `directory` when there
  /// is one that matches the log (nil: ignore any checkpoint). `result` is nil when the log
  /// does not continue where the checkpoint says it ends (the caller then replays without it).
  private static func replayLog(
    _ reader: LogReader, bytes: [UInt8], headerEnd: Int, asOf: TxNumber?, directory: String?, warnings: inout [Diagnostic]
  ) throws(DiagnosticError) -> (result: (IndexedGraph, LogScan)?, start: Int, fromCheckpoint: Bool) {
    var graph = IndexedGraph()
    var start = headerEnd
    var line = 2
    var next: TxNumber = 1
    var fromCheckpoint = false
    if let directory, let (saved, stamp) = usableCheckpoint(directory, logBytes: bytes, headerEnd: headerEnd, warnings: &warnings),
      asOf.map({ UInt64($0) >= stamp.lastTransaction }) ?? true
    {
      // `usableCheckpoint` checked that these conversions fit.
      graph = saved
      start = Int(stamp.logLength)
      line = Int(stamp.lineCount) + 1
      next = TxNumber(stamp.lastTransaction) + 1
      fromCheckpoint = true
    }
    var batch = ChangeBatch()
    let dictionary = graph.dictionary
    let scan: LogScan
    do {
      scan = try reader.scanDiagnosing(from: start, line: line, next: next, through: asOf) { transaction, _ in
        batch.record(transaction, dictionary: dictionary)
      }
    } catch where fromCheckpoint {
      // The stamp matched the log's bytes, yet the log does not go on from there as the
      // checkpoint says (its transaction count or its end is wrong).
      return (nil, start, true)
    }
    graph.apply(batch)
    return ((graph, scan), start, fromCheckpoint)
  }

  /// The checkpoint of a store directory when it is sound and covers a prefix of the log,
  /// with a warning when one is present but unusable.
  static func usableCheckpoint(
    _ directory: String, logBytes bytes: [UInt8], headerEnd: Int, warnings: inout [Diagnostic]
  ) -> (IndexedGraph, CheckpointStamp)? {
    let path = checkpointPath(directory)
    switch IndexedGraph.readCheckpoint(from: path) {
    case .loaded(let saved, let stamp):
      guard stamp.logLength <= UInt64(bytes.count), stamp.logLength >= UInt64(headerEnd),
        stamp.lineCount <= stamp.logLength, stamp.lastTransaction < UInt64(TxNumber.max),
        bytes.withUnsafeBytes({ XXHash64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<Int(stamp.logLength)])) }) == stamp.logHash
      else { return nil }  // stale: made from another log
      return (saved, stamp)
    case .missing, .otherVersion:
      return nil
    case .rejected(let reason):
      warnings.append(rejectedWarning(path, reason))
      return nil
    case .notRegular(let reason):
      warnings.append(notRegularWarning(path, reason))
      return nil
    }
  }

  static func rejectedWarning(_ path: String, _ reason: String) -> Diagnostic {
    Diagnostic(
      .warning, .data, code: "checkpoint-rejected",
      "the checkpoint `\(path)` was rejected: \(reason); the store is read from the log instead",
      help: "the checkpoint is only a cache: it is rebuilt when a large store is opened, and deleting it is always safe")
  }

  static func notRegularWarning(_ path: String, _ reason: String) -> Diagnostic {
    Diagnostic(
      .warning, .data, code: "checkpoint-not-regular",
      "the checkpoint `\(path)` is ignored and left alone: \(reason); the store is read from the log instead",
      help: "remove it so that a checkpoint can be written there")
  }

  // MARK: - Reading

  /// The number of stored triples.
  public var tripleCount: Int { graph.tripleCount }

  /// The number of the last transaction (0 for an empty store).
  public var lastTransaction: TxNumber { graph.lastTransaction }

  /// The stored triples that match the given positions (nil matches anything), in index order.
  public func triples(subject: String? = nil, predicate: String? = nil, object: Value? = nil) -> [Triple] {
    let dictionary = graph.dictionary
    var pattern = TriplePattern()
    if let subject {
      guard let id = dictionary.id(of: .entity(subject)) else { return [] }
      pattern.s = id
    }
    if let predicate {
      guard let id = dictionary.id(of: .entity(predicate)) else { return [] }
      pattern.p = id
    }
    if let object {
      guard let id = dictionary.id(of: object) else { return [] }
      pattern.o = id
    }
    var result: [Triple] = []
    graph.forEach(pattern) { t in
      result.append(self.decode(t))
    }
    return result
  }

  /// Whether the store holds a triple.
  public func contains(_ triple: Triple) -> Bool {
    guard let id = encodeIfKnown(triple) else { return false }
    return graph.contains(id)
  }

  /// The transactions that asserted a stored triple since it was last retracted.
  public func provenance(of triple: Triple) -> [TransactionInfo] {
    guard let id = encodeIfKnown(triple) else { return [] }
    return graph.assertingTransactions(of: id).compactMap { graph.transaction($0) }
  }

  /// Information about a transaction.
  public func transactionInfo(_ number: TxNumber) -> TransactionInfo? {
    graph.transaction(number)
  }

  func decode(_ t: IDTriple) -> Triple {
    let dictionary = graph.dictionary
    let s = dictionary.value(of: t.s)
    let p = dictionary.value(of: t.p)
    return Triple(s.entityID ?? s.description, p.entityID ?? p.description, dictionary.value(of: t.o))
  }

  func encodeIfKnown(_ triple: Triple) -> IDTriple? {
    let dictionary = graph.dictionary
    guard let s = dictionary.id(of: .entity(triple.subject)), let p = dictionary.id(of: .entity(triple.predicate)),
      let o = dictionary.id(of: triple.object)
    else { return nil }
    return IDTriple(s, p, o)
  }

  /// Counts of what the store holds.
  public func statistics() -> StoreStatistics {
    let dictionary = graph.dictionary
    let predicates = graph.predicateCounts().map { (dictionary.value(of: $0.predicate).entityID ?? "?", $0.count) }
      .sorted { $0.0 < $1.0 }
    var info = stat()
    let logBytes = stat(log.path, &info) == 0 ? Int(info.st_size) : 0
    return StoreStatistics(
      directory: directory, triples: graph.tripleCount, entities: graph.entityCount(),
      predicates: predicates, transactions: Int(graph.lastTransaction), logBytes: logBytes,
      openSeconds: openSeconds, openedFromCheckpoint: openedFromCheckpoint, asOf: asOf,
      memoryBytes: graph.memoryFootprint)
  }
}

/// What a store holds: counts for `xinzhi stats`.
public struct StoreStatistics: Sendable {
  /// The store directory.
  public var directory: String
  /// The number of triples.
  public var triples: Int
  /// The number of distinct entities used as a subject or an object.
  public var entities: Int
  /// Each predicate with its number of triples, sorted by name.
  public var predicates: [(name: String, count: Int)]
  /// The number of transactions.
  public var transactions: Int
  /// The size of the log file.
  public var logBytes: Int
  /// Seconds the store took to open.
  public var openSeconds: Double
  /// Whether opening started from a checkpoint.
  public var openedFromCheckpoint: Bool
  /// The transaction the store was opened as of, if any.
  public var asOf: TxNumber?
  /// Estimated bytes held by the index and dictionary.
  public var memoryBytes: Int
}

extension GraphStore {
  /// The stored triples as a dictionary-encoded `TripleSource` (for benchmarks and for
  /// embedding applications that work on ids).
  public var tripleSource: any TripleSource { graph }
}
