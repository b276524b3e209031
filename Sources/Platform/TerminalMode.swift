// Terminal settings through termios, and the window size: the parts of the line editor that
// differ between systems (`tcflag_t` is 32 bits on Linux and 64 on Darwin; the control-character
// array has another length and other indices).

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// The settings of one terminal, saved on the first change and restored by ``restore()``.
public final class TerminalMode {
  /// How keys reach the program.
  public enum Mode: Sendable {
    /// Every key as bytes, at once: no echo, no line buffering, no signals from keys, no flow
    /// control (the line editor).
    case raw
    /// While an entry runs: keys still arrive as bytes (so a Ctrl-D typed ahead is data for
    /// the next prompt, not an end of line the line discipline swallows), not echoed, but
    /// Ctrl-C raises SIGINT.
    case running
  }

  private let fd: Int32
  private var saved: termios?

  /// Settings for the terminal on `fd`.
  public init(fd: Int32) { self.fd = fd }

  deinit { restore() }

  /// Switches to `mode`; false when `fd` is not a terminal. Output processing stays on, so
  /// `\n` still starts a new line.
  public func enter(_ mode: Mode) -> Bool {
    var current = termios()
    guard tcgetattr(fd, &current) == 0 else { return false }
    if saved == nil { saved = current }
    guard var changed = saved else { return false }
    changed.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
    changed.c_cflag |= tcflag_t(CS8)
    switch mode {
    case .raw: changed.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
    case .running: changed.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN)
    }
    withUnsafeMutableBytes(of: &changed.c_cc) { cc in
      cc[Int(VMIN)] = 1
      cc[Int(VTIME)] = 0
    }
    return tcsetattr(fd, TCSADRAIN, &changed) == 0
  }

  /// Restores the settings found before the first ``enter(_:)``.
  public func restore() {
    guard var original = saved else { return }
    _ = tcsetattr(fd, TCSADRAIN, &original)
    saved = nil
  }

  /// The window size of the terminal on `fd` in cells, or nil when it cannot be read.
  public static func windowSize(_ fd: Int32) -> (columns: Int, rows: Int)? {
    var size = winsize()
    guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 else { return nil }
    return (Int(size.ws_col), Int(size.ws_row))
  }
}
