// Where the shell writes: buffered standard output and error, whether they are terminals, and
// whether colour is wanted (never when NO_COLOR is set or the output is not a terminal).

import Diagnostics
import Platform

/// A destination for text.
public protocol TextSink: AnyObject {
  /// Writes text.
  func write(_ text: String)
  /// Writes UTF-8 bytes.
  func write(bytes: UnsafeBufferPointer<UInt8>)
  /// Pushes buffered text out.
  func flush()
  /// Why writing failed (a full disk, a closed descriptor), once it has; later writes are
  /// dropped. Nil while all is well.
  var failure: SystemError? { get }
}

extension TextSink {
  public var failure: SystemError? { nil }
  public func write(bytes: UnsafeBufferPointer<UInt8>) { write(String(decoding: bytes, as: UTF8.self)) }
}

/// Buffered output to a file descriptor.
public final class FileSink: TextSink {
  let fd: Int32
  /// The name of the destination in messages (a path, or `standard output`).
  let name: String
  private var buffer: [UInt8] = []
  public private(set) var failure: SystemError?

  /// Creates a sink writing to a descriptor.
  public init(fd: Int32, name: String) {
    self.fd = fd
    self.name = name
    buffer.reserveCapacity(1 << 16)
  }

  deinit { flush() }

  public func write(_ text: String) {
    guard failure == nil else { return }
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  public func write(bytes: UnsafeBufferPointer<UInt8>) {
    guard failure == nil else { return }
    if buffer.isEmpty, bytes.count >= 1 << 16 {
      do {
        try SystemFile.writeAll(fd, bytes, path: name)
      } catch {
        failure = error
      }
      return
    }
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 16 { flush() }
  }

  public func flush() {
    defer { buffer.removeAll(keepingCapacity: true) }
    guard !buffer.isEmpty, failure == nil else { return }
    do {
      try SystemFile.writeAll(fd, buffer, path: name)
    } catch {
      failure = error
    }
  }

  /// Drops buffered text unwritten (before its descriptor is closed elsewhere).
  func discardBuffer() {
    buffer.removeAll()
  }
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

  /// The process's real standard output and error. A closed descriptor 0, 1 or 2 is first
  /// reserved (see `SystemFile.reserveStandardDescriptors`), so output to a closed standard
  /// output fails, as it should, instead of landing in the next file opened.
  public static func standard(environment: [String: String]) -> Console {
    SystemFile.reserveStandardDescriptors()
    let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    let dumb = environment["TERM"] == "dumb"
    return Console(
      out: FileSink(fd: STDOUT_FILENO, name: "standard output"), err: FileSink(fd: STDERR_FILENO, name: "standard error"),
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

  /// The error for a standard output that could not be written (exit status 74), if it failed.
  public func outputFailure() -> DiagnosticError? {
    out.flush()
    guard let failure = out.failure else { return nil }
    return DiagnosticError(.io, code: "output", "cannot write standard output: \(failure.message)")
  }
}

/// A path (or other user-supplied name) in backquotes for a message, with control characters
/// shown as escapes so that a crafted file name cannot send escape sequences to the terminal.
func quoted(_ path: String) -> String { "`" + TerminalText.visible(path) + "`" }

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
