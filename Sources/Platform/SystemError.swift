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

  /// `cannot OPERATION `PATH`: MESSAGE`, with the path made safe for a terminal.
  public var description: String {
    "cannot \(operation) `\(SystemError.printable(path))`: \(message)"
  }

  /// Whether the error means the disk (or the quota) is full.
  public var isDiskFull: Bool { code == ENOSPC || code == EDQUOT }

  /// The text of an errno value.
  public static func text(_ code: Int32 = errno) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
  }

  /// A path with control characters and invalid UTF-8 shown as escapes, so a crafted file name
  /// cannot send escape sequences to a terminal through an error message.
  public static func printable(_ path: String) -> String {
    var out = ""
    for scalar in path.unicodeScalars {
      switch scalar.value {
      case 0x20..<0x7F, 0xA0...: out.unicodeScalars.append(scalar)
      default: out += "\\u{\(String(scalar.value, radix: 16))}"
      }
    }
    return out
  }
}
