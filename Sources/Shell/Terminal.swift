// The terminal under the line editor: raw mode (Platform.TerminalMode) and back, the window size,
// and keys decoded from the bytes the terminal sends (UTF-8 text, control keys, escape sequences).

import Platform

/// A terminal on a pair of file descriptors.
final class Terminal {
  let input: Int32
  let output: Int32
  private let mode: TerminalMode
  private var pending: [UInt8] = []

  init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
    self.input = input
    self.output = output
    self.mode = TerminalMode(fd: input)
  }

  /// Whether line editing can work here: both ends are terminals and TERM is not `dumb`.
  static func supportsEditing(environment: [String: String]) -> Bool {
    guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return false }
    let term = environment["TERM"] ?? ""
    return !["dumb", "cons25", "emacs"].contains(term)
  }

  /// Switches to raw mode for the line editor: no echo, no line buffering, no signals from
  /// keys, no flow control. Output processing stays on, so `\n` still starts a new line.
  func enterRawMode() -> Bool { mode.enter(.raw) }

  /// Leaves the editor's raw mode while an entry runs: Ctrl-C raises SIGINT again, and keys
  /// typed meanwhile stay bytes for the next prompt (in canonical mode the line discipline
  /// would take a typed-ahead Ctrl-D as an empty end of line, and it would be lost).
  func enterRunningMode() { _ = mode.enter(.running) }

  /// Restores the settings found before the first mode change (also done when the terminal
  /// goes away).
  func restoreMode() { mode.restore() }

  /// The window width in cells (80 when it cannot be read).
  var columns: Int {
    guard let size = TerminalMode.windowSize(output), size.columns > 0 else { return 80 }
    return size.columns
  }

  /// The window height in rows (24 when it cannot be read).
  var rows: Int {
    guard let size = TerminalMode.windowSize(output), size.rows > 0 else { return 24 }
    return size.rows
  }

  /// Writes text at once (no buffering: the editor's redraws must reach the screen). A
  /// terminal that cannot be written to has gone; the next read sees the end of input.
  func write(_ text: String) {
    try? SystemFile.writeAll(output, text.utf8, path: "the terminal")
  }

  /// The next byte, waiting up to `timeout` milliseconds (forever when nil); nil at end of
  /// input, on an error, or when the time runs out.
  func readByte(timeout: Int32? = nil) -> UInt8? {
    if !pending.isEmpty { return pending.removeFirst() }
    if let timeout {
      var poller = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
      while true {
        let ready = poll(&poller, 1, timeout)
        if ready < 0 && errno == EINTR { continue }
        if ready <= 0 { return nil }
        break
      }
    }
    var chunk = [UInt8](repeating: 0, count: 256)
    while true {
      let n = chunk.withUnsafeMutableBytes { SystemCall.read(input, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return nil }
      pending.append(contentsOf: chunk[0..<n])
      return pending.removeFirst()
    }
  }

  /// The next line without its line break (a trailing `\r` dropped too), or nil at the end of
  /// input. Invalid UTF-8 becomes U+FFFD.
  func readLine() -> String? {
    var bytes: [UInt8] = []
    while let byte = readByte() {
      if byte == UInt8(ascii: "\n") {
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
      }
      bytes.append(byte)
    }
    return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
  }

  /// The next key, or nil at end of input.
  func readKey() -> Key? {
    guard let byte = readByte() else { return nil }
    switch byte {
    case 0x0D, 0x0A: return .enter
    case 0x09: return .tab
    case 0x7F, 0x08: return .backspace
    case 0x1B: return readEscape()
    case 0x00..<0x20: return .control(Character(Unicode.Scalar(byte + 0x60)))
    case 0x20..<0x80: return .text(Character(Unicode.Scalar(byte)))
    default: return readUTF8(first: byte)
    }
  }

  private func readUTF8(first: UInt8) -> Key {
    let length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1
    var bytes = [first]
    while bytes.count < length, let next = readByte(timeout: 100) {
      guard next & 0xC0 == 0x80 else {
        pending.insert(next, at: 0)
        break
      }
      bytes.append(next)
    }
    let text = String(decoding: bytes, as: UTF8.self)
    return text.first.map(Key.text) ?? .unknown
  }

  /// An escape sequence: ESC alone, Alt+key, CSI (`ESC [`) or SS3 (`ESC O`).
  private func readEscape() -> Key {
    guard let second = readByte(timeout: 50) else { return .escape }
    switch second {
    case UInt8(ascii: "["):
      var parameters = ""
      while let byte = readByte(timeout: 100) {
        if byte >= 0x40 && byte <= 0x7E {
          return csi(parameters, final: byte)
        }
        parameters.append(Character(Unicode.Scalar(byte)))
        if parameters.count > 16 { return .unknown }
      }
      return .unknown
    case UInt8(ascii: "O"):
      guard let final = readByte(timeout: 100) else { return .unknown }
      return csi("", final: final)
    case UInt8(ascii: "b"), UInt8(ascii: "B"): return .wordLeft
    case UInt8(ascii: "f"), UInt8(ascii: "F"): return .wordRight
    case UInt8(ascii: "d"), UInt8(ascii: "D"): return .deleteWordRight
    case 0x7F, 0x08: return .deleteWordLeft
    case 0x0D: return .newline
    default: return .unknown
    }
  }

  private func csi(_ parameters: String, final: UInt8) -> Key {
    let modified = parameters.hasSuffix(";5") || parameters.hasSuffix(";3")
    switch final {
    case UInt8(ascii: "A"): return .up
    case UInt8(ascii: "B"): return .down
    case UInt8(ascii: "C"): return modified ? .wordRight : .right
    case UInt8(ascii: "D"): return modified ? .wordLeft : .left
    case UInt8(ascii: "H"): return .home
    case UInt8(ascii: "F"): return .end
    case UInt8(ascii: "~"):
      switch parameters {
      case "1", "7": return .home
      case "4", "8": return .end
      case "3": return .delete
      default: return .unknown
      }
    default: return .unknown
    }
  }
}

/// A key press as the line editor sees it.
enum Key: Equatable {
  /// A printable character.
  case text(Character)
  /// Ctrl plus a letter (`.control("a")` for Ctrl-A).
  case control(Character)
  case enter, newline, tab, backspace, delete, escape
  case left, right, up, down, home, end
  case wordLeft, wordRight, deleteWordLeft, deleteWordRight
  case unknown
}
