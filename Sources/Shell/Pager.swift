// The REPL's pager: an answer taller than the screen goes through `$XINZHI_PAGER`, `$PAGER`, or
// `less -FRSX` (quit at once if it fits, keep colours, chop long lines, leave the text on the
// screen), as DuckDB's shell does, but only when results go to the terminal itself: pipes and
// files get the bytes as before. `.pager off` turns it off, `.pager CMD` chooses the command.

import Platform

/// Collects what a result writes until it is taller than the screen; then starts the pager,
/// gives it what was collected and streams the rest to it. An answer that fits is written to
/// the screen as it is.
final class PagingSink: TextSink {
  private let screen: TextSink
  private let height: Int
  private let command: String
  private var collected: [UInt8] = []
  private var lines = 0
  private var pager: (process: ShellCommand, sink: FileSink)?
  private var unavailable = false

  /// - Parameters:
  ///   - screen: Where an answer that fits goes.
  ///   - height: The screen's rows; an answer of more lines (the prompt needs one) is paged.
  ///   - command: The pager, run by /bin/sh.
  init(screen: TextSink, height: Int, command: String) {
    self.screen = screen
    self.height = height
    self.command = command
  }

  /// Whether the pager was started.
  var paged: Bool { pager != nil }

  var failure: SystemError? { pager?.sink.failure ?? screen.failure }

  func write(_ text: String) {
    var text = text
    text.withUTF8 { write(bytes: $0) }
  }

  func write(bytes: UnsafeBufferPointer<UInt8>) {
    if let pager {
      pager.sink.write(bytes: bytes)
      return
    }
    if unavailable {
      screen.write(bytes: bytes)
      return
    }
    collected.append(contentsOf: bytes)
    for byte in bytes where byte == UInt8(ascii: "\n") { lines += 1 }
    if lines >= height { startPager() }
  }

  private func startPager() {
    guard let process = ShellCommand(command) else {
      // No pager to be had: the answer goes to the screen unpaged.
      unavailable = true
      flushCollected(to: screen)
      return
    }
    let sink = FileSink(fd: process.input, name: "the pager (\(command))")
    pager = (process, sink)
    flushCollected(to: sink)
  }

  private func flushCollected(to sink: TextSink) {
    collected.withUnsafeBufferPointer { sink.write(bytes: $0) }
    collected.removeAll()
  }

  func flush() {
    pager?.sink.flush()
    if unavailable { screen.flush() }
  }

  /// Ends the answer: waits for the pager to be quit, or writes a short answer to the screen.
  func finish() {
    if let pager {
      pager.sink.flush()
      pager.process.finish()
      self.pager = nil
    } else {
      flushCollected(to: screen)
      screen.flush()
    }
  }

  /// The pager command: `$XINZHI_PAGER` (`off`: none), else `$PAGER`, else `less -FRSX` when
  /// `less` is on the PATH; nil: no pager.
  static func defaultCommand(environment: [String: String]) -> String? {
    for key in ["XINZHI_PAGER", "PAGER"] {
      guard let value = environment[key], !value.allSatisfy({ $0 == " " }) else { continue }
      return value == "off" ? nil : value
    }
    let path = environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") where access("\(directory)/less", X_OK) == 0 {
      return "less -FRSX"
    }
    return nil
  }
}
