// A log I/O seam that fails on demand, for fault-injection tests of the log and the store.

import Platform
import Synchronization
import TripleLog

/// Whether the injected fault is active; the seam consults it on every call.
public final class FaultSwitch: Sendable {
  /// Whether the fault is injected now.
  public let armed: Atomic<Bool>

  /// Creates a switch, armed or not.
  public init(armed: Bool) {
    self.armed = Atomic(armed)
  }
}

/// The faults the log's I/O seam can inject.
public enum WriteFault: String, Sendable, CaseIterable {
  case failedWrite, shortWrite, failedFsync, diskFull, lockHeld
}

/// The real system calls, except that while `toggle` is armed the chosen one fails: a write
/// error, half a write then an error, an fsync error, a full disk after a few bytes, or a lock
/// that stays taken.
public func faultyIO(_ fault: WriteFault, _ toggle: FaultSwitch) -> LogIO {
  LogIO(
    pwrite: { fd, buffer, count, offset in
      guard toggle.armed.load(ordering: .relaxed) else { return SystemCall.pwrite(fd, buffer, count, offset) }
      switch fault {
      case .failedWrite:
        errno = EIO
        return -1
      case .shortWrite:
        // Half of what was asked, then an error on the next call.
        if count > 10 { return SystemCall.pwrite(fd, buffer, count / 2, offset) }
        errno = EIO
        return -1
      case .diskFull:
        let n = SystemCall.pwrite(fd, buffer, min(count, 7), offset)
        if n > 0 && count > 7 { return n }
        errno = ENOSPC
        return -1
      case .failedFsync, .lockHeld:
        return SystemCall.pwrite(fd, buffer, count, offset)
      }
    },
    fsync: { fd in
      if toggle.armed.load(ordering: .relaxed), fault == .failedFsync {
        errno = EIO
        return -1
      }
      return fsync(fd)
    },
    ftruncate: { fd, length in SystemCall.ftruncate(fd, length) },
    flock: { fd, operation in
      if toggle.armed.load(ordering: .relaxed), fault == .lockHeld, operation & LOCK_UN == 0 {
        errno = EWOULDBLOCK
        return -1
      }
      return LogIO.system.flock(fd, operation)
    })
}
