// Where the shell writes: buffered standard output and error, whether they are terminals, and
// whether colour is wanted (never when NO_COLOR is set or the output is not a terminal).

import Glibc

/// A destination for text.
public protocol TextSink: AnyObject {
  /// Writes text.
  func write(_ text: String)
  /// Pushes buffered text out.
  func flush()
}

/// Buffered output to a file descriptor.
public final class FileSink: TextSink {
  let fd: Int32
  private var buffer: [UInt8] = []
  /// Whether a write failed (for example a closed pipe); later writes are dropped.
  public private(set) var failed = false

  /// Creates a sink writing to a descriptor.
  public init(fd: Int32) {
    self.fd = fd
    buffer.reserveCapacity(1 << 16)
  }

  deinit { flush() }

  public func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  public func flush() {
    guard !buffer.isEmpty, !failed else {
      buffer.removeAll(keepingCapacity: true)
      return
    }
    if !writeAll(fd, buffer) { failed = true }
    buffer.removeAll(keepingCapacity: true)
  }
}

/// Writes all bytes to a descriptor, retrying short writes and EINTR; false when writing fails.
@discardableResult
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
  var done = 0
  while done < bytes.count {
    let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
    if n < 0 && errno == EINTR { continue }
    if n <= 0 { return false }
    done += n
  }
  return true
}

/// Collects text in memory (tests, `.once` captures).
public final class StringSink: TextSink {
  /// Everything written.
  public private(set) var text = ""
  /// Creates an empty sink.
  public init() {}
  public func write(_ text: String) { self.text += text }
  public func flush() {}
}

/// The shell's standard output and error, with terminal facts.
public final class Console {
  /// Standard output.
  public var out: TextSink
  /// Standard error.
  public var err: TextSink
  /// Whether standard output is a terminal.
  public var outIsTerminal: Bool
  /// Whether standard error is a terminal.
  public var errIsTerminal: Bool
  /// Whether colour may be used on standard output.
  public var colorOut: Bool
  /// Whether colour may be used on standard error.
  public var colorErr: Bool

  /// Creates a console.
  public init(out: TextSink, err: TextSink, outIsTerminal: Bool, errIsTerminal: Bool, noColor: Bool) {
    self.out = out
    self.err = err
    self.outIsTerminal = outIsTerminal
    self.errIsTerminal = errIsTerminal
    self.colorOut = outIsTerminal && !noColor
    self.colorErr = errIsTerminal && !noColor
  }

  /// The process's real standard output and error.
  public static func standard(environment: [String: String]) -> Console {
    let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    let dumb = environment["TERM"] == "dumb"
    return Console(
      out: FileSink(fd: STDOUT_FILENO), err: FileSink(fd: STDERR_FILENO),
      outIsTerminal: isatty(STDOUT_FILENO) == 1, errIsTerminal: isatty(STDERR_FILENO) == 1,
      noColor: noColor || dumb)
  }

  /// Writes a line to standard output.
  public func print(_ text: String = "") {
    out.write(text)
    out.write("\n")
  }

  /// Writes a line to standard error.
  public func printError(_ text: String) {
    out.flush()
    err.write(text)
    err.write("\n")
    err.flush()
  }

  /// Pushes everything out.
  public func flush() {
    out.flush()
    err.flush()
  }
}

/// ANSI styling that does nothing when colour is off.
struct Style {
  let enabled: Bool
  func bold(_ s: String) -> String { enabled ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
  func dim(_ s: String) -> String { enabled ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
  func red(_ s: String) -> String { enabled ? "\u{1B}[1;31m\(s)\u{1B}[0m" : s }
  func green(_ s: String) -> String { enabled ? "\u{1B}[32m\(s)\u{1B}[0m" : s }
  func yellow(_ s: String) -> String { enabled ? "\u{1B}[33m\(s)\u{1B}[0m" : s }
  func cyan(_ s: String) -> String { enabled ? "\u{1B}[36m\(s)\u{1B}[0m" : s }
}
