// The log file of a store directory: creation, reading, the single-writer lock, cutting a torn
// tail, and durable appends (write, then fsync; a failed append is rolled back).

import Diagnostics
import GraphModel
import Platform

/// A store's log file on disk.
///
/// Readers call ``readAll()`` and never lock. A writer calls ``lock(timeout:)`` (an exclusive
/// `flock` on the log itself), then ``append(_:at:)`` for each transaction, then ``unlock()``.
public final class LogFile {
  /// The store directory.
  public let directory: String
  /// The log's path, `directory/xinzhi.log`.
  public let path: String
  private let io: LogIO
  private var descriptor: Int32 = -1

  /// Creates a handle for the log of a store directory; nothing is opened yet.
  public init(directory: String, io: LogIO = .system) {
    self.directory = directory
    self.path = LogFile.join(directory, LogFormat.fileName)
    self.io = io
  }

  deinit {
    if descriptor >= 0 { close(descriptor) }
  }

  static func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  // MARK: - Creating

  /// Creates a new store directory holding an empty log, durably.
  ///
  /// - Throws: ``DiagnosticError`` when the directory already holds a log or cannot be written.
  public static func create(directory: String) throws(DiagnosticError) {
    var createdDirectory = false
    var info = stat()
    if stat(directory, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFDIR else {
        throw DiagnosticError(.cannotCreate, code: "init-not-directory", "`\(directory)` exists and is not a directory")
      }
    } else {
      guard mkdir(directory, 0o755) == 0 else {
        throw DiagnosticError(.cannotCreate, code: "init-mkdir", "cannot create directory `\(directory)`: \(SystemError.text())")
      }
      createdDirectory = true
    }
    // The header is written and synced in a temporary file, which is then hard-linked to the
    // log's name: the log appears complete or not at all (`link` fails when the name exists, so
    // two `init`s cannot both succeed), and a crash leaves at most a stale temporary.
    let path = join(directory, LogFormat.fileName)
    let header = Array((LogFormat.header + "\n").utf8)
    TemporaryFile.removeStale(beside: path)
    do throws(SystemError) {
      let temporary = try TemporaryFile(beside: path)
      try temporary.write(header)
      guard SystemFile.sync(temporary.descriptor) == 0 else { throw SystemError("sync", path: temporary.path) }
      if link(temporary.path, path) != 0 {
        let code = errno
        guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EXDEV || code == EMLINK else {
          if code == EEXIST {
            throw SystemError("create", path: path, code: EEXIST)
          }
          throw SystemError("create", path: path, code: code)
        }
        // A file system without hard links: create the log exclusively and write it in place.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("create", path: path) }
        do throws(SystemError) {
          try SystemFile.writeAll(fd, header, path: path)
          guard SystemFile.sync(fd) == 0 else { throw SystemError("sync", path: path) }
          try SystemFile.closeChecked(fd, path: path)
        } catch {
          close(fd)
          unlink(path)
          throw error
        }
      }
      // `temporary` is discarded (closed and unlinked) here; the log keeps the data.
    } catch {
      if error.code == EEXIST {
        throw DiagnosticError(.usage, code: "init-exists", "`\(directory)` is already a Xinzhi store (it has `\(LogFormat.fileName)`)")
      }
      throw DiagnosticError(error.operation == "create" ? .cannotCreate : .io, code: "init-create", "\(error)")
    }
    try syncDirectory(directory)
    if createdDirectory {
      try syncDirectory(SystemFile.directory(of: directory))
    }
  }

  /// Flushes a directory's entries to disk, so a newly created file survives a crash.
  static func syncDirectory(_ directory: String) throws(DiagnosticError) {
    do {
      try SystemFile.syncDirectory(directory)
    } catch {
      throw DiagnosticError(.io, code: "fsync-dir", "\(error)")
    }
  }

  // MARK: - Reading

  /// Whether the log file exists.
  public var exists: Bool {
    access(path, F_OK) == 0
  }

  /// Reads the whole log.
  ///
  /// - Throws: ``DiagnosticError`` (66) when the store or its log is missing, (74) on read errors.
  public func readAll() throws(DiagnosticError) -> [UInt8] {
    if descriptor >= 0 { return try read(fd: descriptor, from: 0) }
    let fd = try openForReading()
    defer { close(fd) }
    return try read(fd: fd, from: 0)
  }

  /// Reads the log after its first `prefixLength` bytes, provided those bytes hash to
  /// `prefixHash` (XXH64); nil when they do not, or the log is shorter. The prefix is hashed in
  /// chunks, never held in memory: this is how a store opens from a checkpoint.
  ///
  /// - Throws: as ``readAll()``.
  public func readTail(after prefixLength: Int, prefixHash: UInt64) throws(DiagnosticError) -> [UInt8]? {
    let fd = descriptor >= 0 ? descriptor : try openForReading()
    defer { if fd != descriptor { close(fd) } }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw DiagnosticError(.io, code: "log-read", "cannot read `\(path)`: \(SystemError.text())") }
    guard prefixLength >= 0, Int(info.st_size) >= prefixLength else { return nil }
    let chunkSize = 1 << 20
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
    defer { chunk.deallocate() }
    var hasher = XXHash64()
    var done = 0
    while done < prefixLength {
      let n = pread(fd, chunk.baseAddress, min(chunkSize, prefixLength - done), off_t(done))
      if n < 0 && errno == EINTR { continue }
      if n < 0 { throw DiagnosticError(.io, code: "log-read", "cannot read `\(path)`: \(SystemError.text())") }
      if n == 0 { return nil }  // shortened meanwhile
      hasher.update(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
      done += n
    }
    guard hasher.finalize() == prefixHash else { return nil }
    return try read(fd: fd, from: prefixLength)
  }

  /// Opens the log for reading, with the errors a reader reports for a missing store.
  private func openForReading() throws(DiagnosticError) -> Int32 {
    let fd: Int32
    do {
      fd = try SystemFile.openExisting(path)
    } catch {
      let code = error.code
      if let refusal = notAStore(error) { throw refusal }
      var info = stat()
      if stat(directory, &info) != 0 {
        throw DiagnosticError(
          .noInput, code: "store-missing", "no store at `\(directory)`: \(SystemError.text(code))",
          help: "create one with `xinzhi init \(directory)`, or choose another with --store DIR or $XINZHI_STORE")
      }
      if code == ENOENT {
        throw DiagnosticError(
          .noInput, code: "store-missing", "`\(directory)` is not a Xinzhi store: it has no `\(LogFormat.fileName)`",
          help: "create one with `xinzhi init \(directory)`, or choose another with --store DIR or $XINZHI_STORE")
      }
      throw DiagnosticError(.noInput, code: "log-open", "cannot open `\(path)`: \(SystemError.text(code))")
    }
    return fd
  }

  /// The error for a log that is not a regular file (a FIFO, a device, a directory), if so.
  private func notAStore(_ error: SystemError) -> DiagnosticError? {
    guard error.code == 0 else { return nil }
    return DiagnosticError(
      .noInput, code: "log-not-regular", "`\(path)` cannot be a store's log: \(error.message)",
      help: "a store's log is a regular file made by `xinzhi init`; point --store at a real store")
  }

  private func read(fd: Int32, from offset: Int) throws(DiagnosticError) -> [UInt8] {
    do {
      return try SystemFile.readAll(fd, path: path, from: offset)
    } catch {
      throw DiagnosticError(.io, code: "log-read", "\(error)")
    }
  }

  // MARK: - Writing

  /// Takes the single-writer lock, waiting up to `timeout` seconds for another writer.
  ///
  /// - Throws: ``DiagnosticError`` (74) when the lock stays taken, or the log cannot be opened
  ///   for writing (for example on a read-only store).
  public func lock(timeout: Double) throws(DiagnosticError) {
    if descriptor < 0 {
      let fd: Int32
      do {
        fd = try SystemFile.openExisting(path, writable: true)
      } catch {
        let code = error.code
        if let refusal = notAStore(error) { throw refusal }
        if code == ENOENT {
          throw DiagnosticError(
            .noInput, code: "store-missing", "`\(directory)` is not a Xinzhi store: it has no `\(LogFormat.fileName)`",
            help: "create one with `xinzhi init \(directory)`")
        }
        throw DiagnosticError(
          .io, code: "log-readonly", "cannot open `\(path)` for writing: \(SystemError.text(code))",
          help: code == EACCES || code == EROFS ? "the store is read-only; copy it somewhere writable to change it" : nil)
      }
      descriptor = fd
    }
    var waited = 0.0
    while io.flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
      let code = errno
      guard code == EWOULDBLOCK || code == EINTR else {
        throw DiagnosticError(.io, code: "log-lock", "cannot lock `\(path)`: \(SystemError.text(code))")
      }
      if waited >= timeout {
        throw DiagnosticError(
          .io, code: "store-locked",
          "the store `\(directory)` is locked by another writer (waited \(formatSeconds(timeout)))",
          help: "try again when the other `xinzhi` process has finished, or wait longer with --lock-timeout SECONDS")
      }
      usleep(10_000)
      waited += 0.01
    }
  }

  /// Releases the writer lock and closes the file.
  public func unlock() {
    guard descriptor >= 0 else { return }
    _ = io.flock(descriptor, LOCK_UN)
    close(descriptor)
    descriptor = -1
  }

  /// Whether another process holds the writer lock right now (used by readers to tell an
  /// append in progress from a torn tail).
  public func isLockedByAnotherProcess() -> Bool {
    if descriptor >= 0 { return false }
    let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    if SystemCall.flock(fd, LOCK_SH | LOCK_NB) == 0 {
      _ = SystemCall.flock(fd, LOCK_UN)
      return false
    }
    return errno == EWOULDBLOCK
  }

  /// Reads the log while holding the lock (through the locked descriptor).
  public func readLocked(from offset: Int) throws(DiagnosticError) -> [UInt8] {
    guard descriptor >= 0 else { return try readAll() }
    return try read(fd: descriptor, from: offset)
  }

  /// The identity (device and inode) of the file the writer lock was taken on.
  public func lockedIdentity() -> SystemFile.Identity? {
    descriptor >= 0 ? SystemFile.identity(of: descriptor) : nil
  }

  /// The log's size in bytes, read through the locked descriptor (or the path without the lock).
  public func size() throws(DiagnosticError) -> Int {
    var info = stat()
    let ok = descriptor >= 0 ? fstat(descriptor, &info) == 0 : stat(path, &info) == 0
    guard ok else { throw DiagnosticError(.io, code: "log-read", "cannot read `\(path)`: \(SystemError.text())") }
    return Int(info.st_size)
  }

  /// Removes an unfinished block at the end of the log, keeping a copy of its bytes in
  /// `xinzhi.log.cut` beside the log. Requires the lock.
  ///
  /// The copy is written and synced first; if it cannot be (a full disk, a directory that is
  /// not writable, or anything but a regular file at that name, a symbolic link included),
  /// nothing is cut and the error is thrown.
  public func cutTornTail(at offset: Int, line: Int) throws(DiagnosticError) {
    guard descriptor >= 0 else { return }
    let tail = try read(fd: descriptor, from: offset)
    if !tail.isEmpty {
      do throws(SystemError) {
        try keepCopy(Array("# cut from line \(line) of \(LogFormat.fileName)\n".utf8) + tail + [0x0A])
      } catch {
        throw DiagnosticError(
          .io, code: "log-cut-copy",
          "the log ends with an unfinished transaction, and no copy of it could be kept: \(error); nothing was cut and nothing written",
          at: SourceLocation(file: TerminalText.visible(path), line: line),
          help: "make room for `\(LogFormat.fileName).cut` beside the log (free disk space, make the directory writable, or move away what is at that name), then try again; the store is unchanged")
      }
    }
    guard io.ftruncate(descriptor, offset) == 0, io.fsync(descriptor) == 0 else {
      throw DiagnosticError(.io, code: "log-truncate", "cannot cut the unfinished transaction at the end of `\(TerminalText.visible(path))`: \(SystemError.text())")
    }
  }

  /// Appends bytes to `xinzhi.log.cut`, durably, never through a link or into a special file.
  private func keepCopy(_ bytes: [UInt8]) throws(SystemError) {
    let cutPath = path + ".cut"
    let fd = open(cutPath, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw errno == ELOOP
        ? SystemError("open", path: cutPath, code: ELOOP, reason: "it is a symbolic link, which the log never writes through")
        : SystemError("open", path: cutPath)
    }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      close(fd)
      throw SystemError("write", path: cutPath, code: 0, reason: "it is not a regular file")
    }
    do throws(SystemError) {
      try SystemFile.writeAll(fd, bytes, path: cutPath)
      guard SystemFile.sync(fd) == 0 else { throw SystemError("sync", path: cutPath) }
    } catch {
      // Leave the copy file as it was: a partial copy would only use up the space it lacked.
      _ = ftruncate(fd, info.st_size)
      close(fd)
      throw error
    }
    try SystemFile.closeChecked(fd, path: cutPath)
    try SystemFile.syncDirectory(directory)
  }

  /// Writes the log header into an empty log (one whose creation was interrupted). Requires the lock.
  public func writeHeader() throws(DiagnosticError) {
    // Whatever an interrupted creation left (a prefix, NULs) goes first.
    guard descriptor >= 0, io.ftruncate(descriptor, 0) == 0 else {
      throw DiagnosticError(.io, code: "log-truncate", "cannot write the header of `\(path)`: \(SystemError.text())")
    }
    try append(Array((LogFormat.header + "\n").utf8), at: 0)
  }

  /// Writes bytes at an offset without syncing (for streaming a large block); on failure the
  /// file is cut back to `rollbackOffset`. Requires the lock.
  public func write(_ bytes: [UInt8], at offset: Int, rollbackTo rollbackOffset: Int) throws(DiagnosticError) {
    try append(bytes, at: offset, sync: false, rollbackTo: rollbackOffset)
  }

  /// Appends a block at `offset` (the current valid end) and waits until it is on disk.
  ///
  /// On any failure the file is cut back to `offset`, so no part of the block stays visible,
  /// and the error is thrown: the transaction was not acknowledged. Requires the lock.
  public func append(_ block: [UInt8], at offset: Int) throws(DiagnosticError) {
    try append(block, at: offset, sync: true, rollbackTo: offset)
  }

  /// Appends the last part of a streamed block at `offset` and waits until the whole block is on
  /// disk; on any failure the file is cut back to `rollbackOffset`, where the block started.
  /// Requires the lock.
  public func append(_ bytes: [UInt8], at offset: Int, rollbackTo rollbackOffset: Int) throws(DiagnosticError) {
    try append(bytes, at: offset, sync: true, rollbackTo: rollbackOffset)
  }

  /// Cuts the log back to `offset`, undoing a partly streamed block. Requires the lock.
  public func rollback(to offset: Int) {
    guard descriptor >= 0 else { return }
    _ = io.ftruncate(descriptor, offset)
    _ = io.fsync(descriptor)
  }

  private func append(_ block: [UInt8], at offset: Int, sync: Bool, rollbackTo rollbackOffset: Int) throws(DiagnosticError) {
    guard descriptor >= 0 else {
      throw DiagnosticError(.internalError, code: "log-not-locked", "internal error: append without the writer lock")
    }
    var failure: (String, Int32)?
    block.withUnsafeBytes { buffer in
      var done = 0
      while done < buffer.count {
        let n = io.pwrite(descriptor, buffer.baseAddress! + done, buffer.count - done, offset + done)
        if n < 0 {
          if errno == EINTR { continue }
          failure = ("write", errno)
          return
        }
        if n == 0 {
          failure = ("write", ENOSPC)
          return
        }
        done += n
      }
    }
    if failure == nil, sync, io.fsync(descriptor) != 0 {
      failure = ("fsync", errno)
    }
    if let (operation, code) = failure {
      // Roll back: nothing of this block may stay in the log.
      rollback(to: rollbackOffset)
      throw DiagnosticError(
        .io, code: "log-append",
        "the transaction was not written: \(operation) of `\(path)` failed: \(SystemError.text(code))",
        help: code == ENOSPC ? "free some disk space and try again; the store is unchanged" : "the store is unchanged; try again")
    }
  }

  private func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
  }
}
