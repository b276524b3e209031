// Read-only memory mappings of whole regular files, for derived files that are large, read once
// and never changed in place (the checkpoint): mapping shares the page cache instead of copying
// it into fresh memory, which on a 1,000,000-triple store is most of the time an open takes.
//
// A mapping has one hazard a read does not: if another program truncates the file while it is
// mapped, touching a page past the new end raises SIGBUS. Xinzhi itself never changes a mapped
// file (a checkpoint is replaced by rename, so the mapped inode stays whole), so this only
// happens when something else rewrites the file in place. The first mapping installs a SIGBUS
// handler that turns that into an I/O error exit (74) naming the mapped files, instead of a crash.

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A whole regular file mapped read-only; unmapped when the last reference goes.
public final class MappedFile: @unchecked Sendable {
  /// The file's bytes (immutable while the file is not changed in place).
  public let bytes: UnsafeRawBufferPointer
  /// The path it was mapped from.
  public let path: String
  private let slot: Int?

  /// Maps `size` bytes of an open descriptor from offset 0 (the descriptor may be closed
  /// afterwards). An empty file maps to an empty buffer.
  ///
  /// - Throws: ``SystemError`` when the system refuses the mapping.
  public init(fd: Int32, path: String, size: Int) throws(SystemError) {
    self.path = path
    guard size > 0 else {
      bytes = UnsafeRawBufferPointer(start: nil, count: 0)
      slot = nil
      return
    }
    #if os(Linux)
      let flags = MAP_PRIVATE | MAP_POPULATE  // one system call instead of a fault per page
    #else
      let flags = MAP_PRIVATE
    #endif
    guard let base = mmap(nil, size, PROT_READ, flags, fd, 0), base != MAP_FAILED else {
      throw SystemError("map", path: path)
    }
    bytes = UnsafeRawBufferPointer(start: base, count: size)
    slot = MappedFileGuard.register(path: path)
  }

  deinit {
    if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    if let slot { MappedFileGuard.unregister(slot) }
  }
}

/// The SIGBUS handler and the message it prints: a fixed table of pre-rendered messages, one per
/// live mapping, written with `write(2)` and followed by `_exit(74)` (both async-signal-safe).
enum MappedFileGuard {
  static let slotCount = 16
  nonisolated(unsafe) private static let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  /// Each slot holds a NUL-free message buffer and its length, or nil.
  nonisolated(unsafe) private static let messages = UnsafeMutablePointer<UnsafeMutableBufferPointer<UInt8>?>.allocate(capacity: slotCount)
  nonisolated(unsafe) private static var installed = false

  private static let setUp: Void = {
    pthread_mutex_init(lock, nil)
    messages.initialize(repeating: nil, count: slotCount)
  }()

  static func register(path: String) -> Int? {
    _ = setUp
    pthread_mutex_lock(lock)
    defer { pthread_mutex_unlock(lock) }
    if !installed {
      install()
      installed = true
    }
    guard let free = (0..<slotCount).first(where: { messages[$0] == nil }) else { return nil }
    let text = Array(
      "xinzhi: error: `\(path)` was truncated by another program while this process had it mapped; nothing was written\n  help: run the command again; Xinzhi replaces this file by renaming a new one, never in place\n"
        .utf8)
    let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: text.count)
    _ = buffer.initialize(from: text)
    messages[free] = buffer
    return free
  }

  static func unregister(_ slot: Int) {
    pthread_mutex_lock(lock)
    defer { pthread_mutex_unlock(lock) }
    if let buffer = messages[slot] {
      messages[slot] = nil
      buffer.deallocate()
    }
  }

  private static func install() {
    var action = sigaction()
    action.handler = { _ in MappedFileGuard.report() }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGBUS, &action, nil)
  }

  /// Runs in the signal handler: no allocation, no locks.
  private static func report() {
    var any = false
    for slot in 0..<slotCount {
      if let buffer = messages[slot], let base = buffer.baseAddress {
        _ = write(2, base, buffer.count)
        any = true
      }
    }
    if !any {
      let text: StaticString = "xinzhi: error: bus error (SIGBUS)\n"
      _ = write(2, text.utf8Start, text.utf8CodeUnitCount)
    }
    _exit(74)
  }
}
