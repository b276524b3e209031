// The system calls the log writer makes, behind a seam so that tests can inject failures
// (a failed or short write, a failed fsync, a full disk, a lock held elsewhere).

import Platform

/// The file operations the log uses; ``system`` calls the kernel, tests substitute faults.
public struct LogIO: Sendable {
  /// `pwrite(fd, buffer, count, offset)`: bytes written, or -1 with `errno` set.
  public var pwrite: @Sendable (Int32, UnsafeRawPointer, Int, Int) -> Int
  /// `fsync(fd)`: 0, or -1 with `errno` set.
  public var fsync: @Sendable (Int32) -> Int32
  /// `ftruncate(fd, length)`: 0, or -1 with `errno` set.
  public var ftruncate: @Sendable (Int32, Int) -> Int32
  /// `flock(fd, operation)`: 0, or -1 with `errno` set.
  public var flock: @Sendable (Int32, Int32) -> Int32

  /// Creates an I/O seam from its operations.
  public init(
    pwrite: @escaping @Sendable (Int32, UnsafeRawPointer, Int, Int) -> Int,
    fsync: @escaping @Sendable (Int32) -> Int32,
    ftruncate: @escaping @Sendable (Int32, Int) -> Int32,
    flock: @escaping @Sendable (Int32, Int32) -> Int32
  ) {
    self.pwrite = pwrite
    self.fsync = fsync
    self.ftruncate = ftruncate
    self.flock = flock
  }

  /// The real system calls.
  public static let system = LogIO(
    pwrite: { fd, buffer, count, offset in SystemCall.pwrite(fd, buffer, count, offset) },
    fsync: { fd in SystemFile.sync(fd) },
    ftruncate: { fd, length in SystemCall.ftruncate(fd, length) },
    flock: { fd, operation in SystemCall.flock(fd, operation) })
}
