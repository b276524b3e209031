// A failed system call: which operation, on which path, and the errno it left. Callers turn it
// into their own diagnostics (exit 74 for I/O, 66 for missing input, 73 for files not created).

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A system call that failed.
public struct SystemError: Error, CustomStringConvertible, Sendable {
  /// What was being done: "open", "write", "fsync", "rename", ...
  public var operation: String
  /// The file it was done to.
  public var path: String
  /// The errno it left (0 when the failure is ours, such as a file of the wrong type).
  public var code: Int32
  /// Our own explanation, used instead of `strerror` when `code` is 0.
  public var reason: String?

  /// Creates an error from an operation, a path and an errno.
  public init(_ operation: String, path: String, code: Int32 = errno, reason: String? = nil) {
    self.operation = operation
    self.path = path
    self.code = code
    self.reason = reason
  }

  /// The errno's text, or our reason.
  public var message: String { reason ?? SystemError.text(code) }

  /// `cannot OPERATION `PATH`: MESSAGE` (diagnostics escape control characters when shown).
  public var description: String {
    "cannot \(operation) `\(path)`: \(message)"
  }

  /// Whether the error means the disk (or the quota) is full.
  public var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }

  /// The text of an errno value.
  public static func text(_ code: Int32 = errno) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
  }
}
