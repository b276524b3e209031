// Checkpoints: the index and dictionary arrays saved to one binary file, so that opening a large
// store reads arrays instead of replaying text. A checkpoint is derived data, never the source
// of truth: it carries a stamp of the log prefix it covers, the store checks that stamp against
// the log on open, and a missing, stale or damaged checkpoint is simply rebuilt.
//
// Nothing read from the file is trusted: every length is checked against the file's size before
// anything is allocated, every count against the sections, and the loaded graph must pass
// `structuralProblem()` (a linear check of everything lookups rely on). The checksum only tells
// accidental damage from a file that was written whole.
//
//   file    = magic "XZCKPT01" | u32 version (3) | u32 0x01020304 | stamp (4 x u64)
//             | counts (4 x u64) | section x 14 | u64 xxh64-of-everything-before
//   section = u64 byte-length | bytes | zero bytes up to a multiple of 8
//             (little-endian arrays, in the order of `write`)
//
// The file is read through a read-only mapping (`MappedFile`): the three orders' arrays stay in
// it (every section starts 8-byte aligned), the smaller arrays are copied out. Xinzhi replaces a
// checkpoint only by renaming a new file over it, so a mapped checkpoint never changes.

import GraphModel
import Platform

/// Identifies the log prefix a checkpoint was made from.
public struct CheckpointStamp: Hashable, Sendable {
  /// The byte length of the log prefix.
  public var logLength: UInt64
  /// XXH64 of that prefix.
  public var logHash: UInt64
  /// The number of lines in that prefix.
  public var lineCount: UInt64
  /// The last transaction in that prefix.
  public var lastTransaction: UInt64

  /// Creates a stamp.
  public init(logLength: UInt64, logHash: UInt64, lineCount: UInt64, lastTransaction: UInt64) {
    self.logLength = logLength
    self.logHash = logHash
    self.lineCount = lineCount
    self.lastTransaction = lastTransaction
  }
}

/// What reading a checkpoint file found.
public enum CheckpointRead {
  /// A sound graph and the stamp of the log prefix it was made from.
  case loaded(IndexedGraph, CheckpointStamp)
  /// There is no checkpoint.
  case missing
  /// A checkpoint of another format version: rebuilt without a word.
  case otherVersion
  /// A file that is damaged or inconsistent, and why: ignored (and replaced when rebuilt).
  case rejected(String)
  /// Something other than a regular file (a FIFO, a directory, a symbolic link...), and what:
  /// never read, never replaced.
  case notRegular(String)

  /// The graph and stamp when loaded.
  public var loaded: (IndexedGraph, CheckpointStamp)? {
    if case .loaded(let graph, let stamp) = self { return (graph, stamp) }
    return nil
  }

  /// Why it was rejected, when it was.
  public var rejection: String? {
    if case .rejected(let reason) = self { return reason }
    return nil
  }
}

extension IndexedGraph {
  static let checkpointMagic = Array("XZCKPT01".utf8)
  /// Bumped whenever the layout changes; an older checkpoint is simply rebuilt.
  static let checkpointVersion: UInt32 = 3

  /// Writes a checkpoint atomically through a ``TemporaryFile`` beside `path` (created
  /// exclusively, never through a symbolic link, under a random name), synced and renamed over
  /// `path`. Temporaries left by writers that died, and the fixed-name temporary of older
  /// versions, are removed first (a link is removed, never followed).
  ///
  /// - Throws: ``SystemError``; `code` 0 when `path` exists and is not a regular file, which is
  ///   then left alone.
  public func writeCheckpoint(to path: String, stamp: CheckpointStamp) throws(SystemError) {
    if let kind = SystemFile.kind(of: path, followLinks: false), kind != .regular {
      throw SystemError("replace", path: path, code: 0, reason: "it is \(kind.name), not a regular file; it is left alone")
    }
    TemporaryFile.removeStale(beside: path)
    let legacy = path + ".tmp"
    if let kind = SystemFile.kind(of: legacy, followLinks: false), kind == .regular || kind == .symbolicLink {
      unlink(legacy)
    }
    let file = try TemporaryFile(beside: path)
    var writer = SectionWriter(file: file)
    writer.raw(IndexedGraph.checkpointMagic)
    writer.scalar(IndexedGraph.checkpointVersion)
    writer.scalar(UInt32(0x0102_0304))
    for v in [stamp.logLength, stamp.logHash, stamp.lineCount, stamp.lastTransaction] { writer.scalar(v) }
    for v in [UInt64(dictionary.count), UInt64(tripleCount), UInt64(transactions.count), UInt64(moreTx.count)] {
      writer.scalar(v)
    }
    let storage = dictionary.storage
    writer.section(storage.kinds)
    writer.section(storage.offsets)
    writer.section(storage.bytes)
    writer.section(storage.hashes)
    writer.section(storage.slots)
    for order in [spo, pos, osp] {
      writer.section(order.offsets)
      writer.section(order.pairs)
    }
    writer.section(firstTx)
    var more: [UInt32] = []
    for (triple, txs) in moreTx.sorted(by: { ($0.key.s, $0.key.p, $0.key.o) < ($1.key.s, $1.key.p, $1.key.o) }) {
      more += [triple.s, triple.p, triple.o, UInt32(txs.count)] + txs
    }
    writer.section(more)
    writer.section(Self.encode(transactions))
    writer.scalar(writer.hasher.finalize())
    if let failure = writer.failure { throw failure }
    try file.commit()
  }

  /// Reads a checkpoint, never following a symbolic link and never blocking on a FIFO or a
  /// device, and validates it completely before returning a graph.
  ///
  /// - Complexity: O(file size) plus ``structuralProblem()``.
  public static func readCheckpoint(from path: String) -> CheckpointRead {
    let fd: Int32
    do {
      fd = try SystemFile.openExisting(path, followLinks: false)
    } catch {
      if error.code == ENOENT { return .missing }
      if error.code == 0 || error.code == ELOOP { return .notRegular(error.message) }
      return .rejected(error.description)
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return .rejected(SystemError("stat", path: path).description) }
    let file: MappedFile
    do {
      file = try MappedFile(fd: fd, path: path, size: max(0, Int(info.st_size)))
    } catch {
      return .rejected(error.description)
    }
    var reader = SectionReader(file: file)
    guard reader.raw(8).map(Array.init) == checkpointMagic else { return .rejected("it does not start like a checkpoint") }
    guard reader.scalar(UInt32.self) == checkpointVersion else { return .otherVersion }
    // The checksum first, over the mapping in one pass: nothing else is read from a damaged file.
    guard file.bytes.count >= 88,
      XXHash64.hash(UnsafeRawBufferPointer(rebasing: file.bytes[0..<(file.bytes.count - 8)]))
        == UInt64(littleEndian: file.bytes.loadUnaligned(fromByteOffset: file.bytes.count - 8, as: UInt64.self))
    else { return .rejected("its checksum does not match") }
    guard reader.scalar(UInt32.self) == 0x0102_0304,
      let l = reader.scalar(UInt64.self), let h = reader.scalar(UInt64.self),
      let c = reader.scalar(UInt64.self), let t = reader.scalar(UInt64.self),
      let termCount = reader.scalar(UInt64.self), let tripleCount = reader.scalar(UInt64.self),
      let txCount = reader.scalar(UInt64.self), let moreCount = reader.scalar(UInt64.self),
      let kinds = reader.section(UInt8.self), let dictOffsets = reader.section(UInt32.self),
      let bytes = reader.section(UInt8.self), let hashes = reader.section(UInt32.self),
      let slots = reader.section(UInt32.self),
      let spoOffsets = reader.frozenSection(UInt32.self), let spoPairs = reader.frozenSection(UInt64.self),
      let posOffsets = reader.frozenSection(UInt32.self), let posPairs = reader.frozenSection(UInt64.self),
      let ospOffsets = reader.frozenSection(UInt32.self), let ospPairs = reader.frozenSection(UInt64.self),
      let firstTx = reader.section(UInt32.self), let more = reader.section(UInt32.self),
      let encodedTransactions = reader.section(UInt8.self)
    else { return .rejected("it is truncated, or a section's length does not fit the file") }
    guard reader.remaining == 8 else { return .rejected("it has \(reader.remaining - 8) bytes after its last section") }
    // Counts are compared as read (u64), so no value in the file can overflow a conversion.
    guard UInt64(kinds.count) == termCount, UInt64(spoPairs.count) == tripleCount else {
      return .rejected("its counts (\(termCount) terms, \(tripleCount) triples) disagree with its sections")
    }
    let dictionary: TermDictionary
    do {
      dictionary = try TermDictionary(
        restoring: TermDictionary.Storage(kinds: kinds, offsets: dictOffsets, bytes: bytes, hashes: hashes, slots: slots))
    } catch {
      return .rejected("its dictionary is inconsistent: \(error)")
    }
    guard let transactions = decode(encodedTransactions), UInt64(transactions.count) == txCount else {
      return .rejected("its table of transactions is damaged or does not hold \(txCount) transactions")
    }
    // The stamp: the numbers the store converts to Int and TxNumber must fit them.
    guard t == txCount, l <= UInt64(Int.max), c >= 1, c <= l else {
      return .rejected("its stamp (\(l) bytes, \(c) lines, transaction \(t)) is impossible for \(txCount) transactions")
    }
    guard let moreTx = decodeMore(more), UInt64(moreTx.count) == moreCount else {
      return .rejected("its further provenance is damaged or does not hold \(moreCount) triples")
    }
    let graph = IndexedGraph(
      dictionary: dictionary, spo: OrderStorage(offsets: spoOffsets, pairs: spoPairs),
      pos: OrderStorage(offsets: posOffsets, pairs: posPairs),
      osp: OrderStorage(offsets: ospOffsets, pairs: ospPairs), firstTx: firstTx, moreTx: moreTx,
      transactions: transactions)
    if let problem = graph.structuralProblem() { return .rejected("its index is inconsistent: \(problem)") }
    return .loaded(graph, CheckpointStamp(logLength: l, logHash: h, lineCount: c, lastTransaction: t))
  }

  /// Further provenance, saved as (s, p, o, count, transactions...) in strictly increasing
  /// triple order; nil when an entry is cut short, empty, or out of order.
  static func decodeMore(_ more: [UInt32]) -> [IDTriple: [TxNumber]]? {
    var moreTx: [IDTriple: [TxNumber]] = [:]
    var previous: (TermID, TermID, TermID)? = nil
    var i = 0
    while i < more.count {
      guard more.count - i >= 4 else { return nil }
      let key = (more[i], more[i + 1], more[i + 2])
      let n = Int(more[i + 3])
      guard n >= 1, n <= more.count - i - 4 else { return nil }
      if let previous, !(previous < key) { return nil }
      previous = key
      moreTx[IDTriple(key.0, key.1, key.2)] = Array(more[(i + 4)..<(i + 4 + n)])
      i += 4 + n
    }
    return moreTx
  }

  static func encode(_ transactions: [TransactionInfo]) -> [UInt8] {
    var out: [UInt8] = []
    func put(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    func put(_ s: String) {
      put(UInt32(s.utf8.count))
      out.append(contentsOf: s.utf8)
    }
    for tx in transactions {
      put(tx.number)
      put(tx.timestamp)
      put(UInt32(tx.metadata.count))
      for (k, v) in tx.metadata {
        put(k)
        put(v)
      }
    }
    return out
  }

  static func decode(_ bytes: [UInt8]) -> [TransactionInfo]? {
    var i = 0
    func u32() -> UInt32? {
      guard i + 4 <= bytes.count else { return nil }
      defer { i += 4 }
      return UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
    }
    func string() -> String? {
      guard let n = u32(), i + Int(n) <= bytes.count else { return nil }
      defer { i += Int(n) }
      return String(decoding: bytes[i..<(i + Int(n))], as: UTF8.self)
    }
    var result: [TransactionInfo] = []
    while i < bytes.count {
      guard let number = u32(), let time = string(), let count = u32() else { return nil }
      var metadata: [(key: String, value: String)] = []
      for _ in 0..<count {
        guard let k = string(), let v = string() else { return nil }
        metadata.append((k, v))
      }
      result.append(TransactionInfo(number: number, timestamp: time, metadata: metadata))
    }
    return result
  }
}

/// Writes little-endian sections to a temporary file while hashing everything written; the
/// first failure is kept and everything after it skipped.
private struct SectionWriter {
  let file: TemporaryFile
  var hasher = XXHash64()
  var failure: SystemError?

  init(file: TemporaryFile) { self.file = file }

  mutating func raw(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { write($0) }
  }

  mutating func scalar<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { write($0) }
  }

  mutating func section<T: FixedWidthInteger>(_ array: [T]) {
    scalar(UInt64(array.count * MemoryLayout<T>.size))
    array.withUnsafeBytes { write($0) }  // the platform is little-endian (checked on read)
    pad(array.count * MemoryLayout<T>.size)
  }

  mutating func section<T: FixedWidthInteger>(_ array: FrozenArray<T>) {
    scalar(UInt64(array.count * MemoryLayout<T>.size))
    write(UnsafeRawBufferPointer(array.view))
    pad(array.count * MemoryLayout<T>.size)
  }

  /// Zero bytes after a section of `length` bytes, so that the next one starts 8-byte aligned.
  private mutating func pad(_ length: Int) {
    let zeros = [UInt8](repeating: 0, count: (8 - length % 8) % 8)
    raw(zeros)
  }

  private mutating func write(_ buffer: UnsafeRawBufferPointer) {
    guard failure == nil, buffer.count > 0 else { return }
    hasher.update(buffer)
    do {
      try SystemFile.writeAll(file.descriptor, buffer, path: file.path)
    } catch {
      failure = error
    }
  }
}

/// Reads sections written by `SectionWriter` from a mapped file (whose checksum the caller has
/// checked): the orders' arrays stay in the mapping, the others are copied out.
private struct SectionReader {
  let file: MappedFile
  var offset = 0

  init(file: MappedFile) { self.file = file }

  var remaining: Int { file.bytes.count - offset }

  mutating func raw(_ count: Int) -> UnsafeRawBufferPointer? {
    guard count <= remaining else { return nil }
    defer { offset += count }
    return UnsafeRawBufferPointer(rebasing: file.bytes[offset..<(offset + count)])
  }

  mutating func scalar<T: FixedWidthInteger>(_ type: T.Type) -> T? {
    guard let raw = raw(MemoryLayout<T>.size) else { return nil }
    return T(littleEndian: raw.loadUnaligned(as: T.self))
  }

  /// The next section's bytes as `T`s, with the padding after it skipped; nil when its length
  /// is not a whole number of `T`s or runs past the file.
  private mutating func elements<T: FixedWidthInteger>(_ type: T.Type) -> UnsafeBufferPointer<T>? {
    guard let length = scalar(UInt64.self), length % UInt64(MemoryLayout<T>.size) == 0,
      length <= UInt64(remaining)
    else { return nil }
    let byteCount = Int(length)
    let padding = (8 - byteCount % 8) % 8
    guard offset % 8 == 0, let raw = raw(byteCount), padding <= remaining else { return nil }
    offset += padding
    return raw.assumingMemoryBound(to: T.self)
  }

  mutating func section<T: FixedWidthInteger>(_ type: T.Type) -> [T]? {
    guard let elements = elements(T.self) else { return nil }
    return Array(elements)
  }

  /// A section left in the mapping (no copy); the array keeps the mapping alive.
  mutating func frozenSection<T: FixedWidthInteger>(_ type: T.Type) -> FrozenArray<T>? {
    guard let elements = elements(T.self) else { return nil }
    return FrozenArray(mapped: elements, in: file)
  }
}
