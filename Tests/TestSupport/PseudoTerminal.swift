// Driving an interactive program through a real pseudo-terminal: spawn it on a pty of a given
// size, type at it, resize it, and watch its raw output and the screen it draws.

import Platform

/// A child process running on its own pseudo-terminal, with a `TerminalScreen` fed everything it
/// writes.
///
/// The child is a session leader with the pty as its controlling terminal (so it gets SIGWINCH on
/// `resize`, and SIGINT for a typed ^C), and starts with default signal dispositions and an empty
/// signal mask. Output is only read while a method of this class runs (`wait`,
/// `waitFor`, `waitForExit`, `send`, `mark`, `resize`), so call one of them before inspecting
/// `output` or `screen`. The screen's answers to cursor position and status reports are written
/// back to the program, as a terminal would (see `answersQueries`).
public final class PseudoTerminal {
  /// The child's process id (also its process group and session id).
  public let pid: pid_t
  /// A screen emulator fed with all output read so far.
  public let screen: TerminalScreen
  /// Whether the screen's answers to `ESC [ 6 n` and `ESC [ 5 n` are sent back to the program.
  public var answersQueries = true
  /// The exit status once the child has been reaped (128 + signal when killed), else nil.
  public private(set) var exitStatus: Int32?

  private var master: Int32
  private var received: [UInt8] = []
  private var markOffset = 0
  private var endOfOutput = false

  /// Spawns a program on a new pseudo-terminal.
  ///
  /// - Parameters:
  ///   - path: The executable (not searched in PATH).
  ///   - arguments: Its arguments (without the program name).
  ///   - environment: Variables added to or overriding the current environment. TERM is
  ///     "xterm-256color" and inherited COLUMNS and LINES are dropped unless given here.
  ///   - directory: The working directory, when not the current one.
  ///   - columns: The terminal's width in cells.
  ///   - rows: The terminal's height in rows.
  /// - Returns: nil when the pty cannot be opened, or the directory cannot be entered or the
  ///   program cannot be executed.
  public init?(
    _ path: String, _ arguments: [String], environment: [String: String] = [:], directory: String? = nil,
    columns: Int = 80, rows: Int = 24
  ) {
    let width = min(max(columns, 1), Int(UInt16.max))
    let height = min(max(rows, 1), Int(UInt16.max))

    var env = currentEnvironment()
    env["COLUMNS"] = nil
    env["LINES"] = nil
    env["TERM"] = "xterm-256color"
    for (k, v) in environment { env[k] = v }

    // Everything the child needs is built before fork: between fork and execve it may only make
    // async-signal-safe calls, so no allocation, no locks, no Swift strings.
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    let executable = strdup(path)
    let workingDirectory = directory.flatMap { strdup($0) }
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
      free(executable)
      free(workingDirectory)
    }
    guard let executable, directory == nil || workingDirectory != nil else { return nil }

    var size = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
    var masterFD: Int32 = -1
    var slaveFD: Int32 = -1
    guard openpty(&masterFD, &slaveFD, nil, nil, &size) == 0 else { return nil }
    var report: [Int32] = [-1, -1]
    guard pipe(&report) == 0 else {
      SystemCall.close(masterFD)
      SystemCall.close(slaveFD)
      return nil
    }
    let reportRead = report[0]
    let reportWrite = report[1]
    for fd in [masterFD, slaveFD, reportRead, reportWrite] {
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }
    var emptyMask = sigset_t()
    sigemptyset(&emptyMask)
    let setControllingTerminal = UInt(TIOCSCTTY)

    let child: pid_t = argv.withUnsafeBufferPointer { argvBuffer in
      envp.withUnsafeBufferPointer { envpBuffer in
        guard let argvBase = argvBuffer.baseAddress, let envpBase = envpBuffer.baseAddress else { return -1 }
        let forked = SystemCall.fork()
        guard forked == 0 else { return forked }
        // The child.
        SystemCall.close(masterFD)
        SystemCall.close(reportRead)
        var failed = setsid() < 0 || ioctl(slaveFD, setControllingTerminal, 0) < 0
        if !failed {
          failed = dup2(slaveFD, 0) < 0 || dup2(slaveFD, 1) < 0 || dup2(slaveFD, 2) < 0
        }
        if !failed {
          if slaveFD > 2 { SystemCall.close(slaveFD) }
          for number in Int32(1)..<32 {
            _ = signal(number, SIG_DFL)
          }
          _ = sigprocmask(SIG_SETMASK, &emptyMask, nil)
          if let workingDirectory, chdir(workingDirectory) != 0 {
            failed = true
          }
        }
        if !failed {
          _ = execve(executable, argvBase, envpBase)
        }
        var code = errno
        _ = write(reportWrite, &code, MemoryLayout<Int32>.size)
        _exit(127)
      }
    }

    SystemCall.close(slaveFD)
    SystemCall.close(reportWrite)
    guard child > 0 else {
      SystemCall.close(masterFD)
      SystemCall.close(reportRead)
      return nil
    }
    // The report pipe closes on a successful execve; an errno arrives when it failed.
    var code: Int32 = 0
    var count = 0
    repeat {
      count = read(reportRead, &code, MemoryLayout<Int32>.size)
    } while count < 0 && errno == EINTR
    SystemCall.close(reportRead)
    if count > 0 {
      var status: Int32 = 0
      while waitpid(child, &status, 0) < 0 && errno == EINTR {}
      SystemCall.close(masterFD)
      return nil
    }

    _ = fcntl(masterFD, F_SETFL, fcntl(masterFD, F_GETFL) | O_NONBLOCK)
    pid = child
    master = masterFD
    screen = TerminalScreen(columns: width, rows: height)
  }

  deinit {
    close()
  }

  // MARK: - Output

  /// Everything the program has written to the terminal so far (raw, with escape sequences),
  /// decoded as UTF-8 with invalid bytes replaced; an incomplete sequence at the end is left out
  /// until the rest arrives.
  public var output: String {
    String(decoding: received[..<Self.completeLength(received)], as: UTF8.self)
  }

  /// Reads output until `condition` holds or `timeout` seconds pass.
  ///
  /// - Returns: Whether the condition became true.
  @discardableResult
  public func wait(timeout: Double = 10, until condition: (PseudoTerminal) -> Bool) -> Bool {
    let deadline = Self.now() + timeout
    while true {
      pump()
      if condition(self) { return true }
      let remaining = deadline - Self.now()
      if remaining <= 0 { return false }
      waitForInput(milliseconds: Int32(min(10, max(1, remaining * 1000))))
    }
  }

  /// Waits until the screen text (rows joined by "\n", trailing spaces trimmed) contains `text`.
  @discardableResult
  public func waitFor(_ text: String, timeout: Double = 10) -> Bool {
    wait(timeout: timeout) { $0.screen.text.contains(text) }
  }

  /// Reads what is available and remembers where the output ends, for `waitForOutputSinceMark`.
  public func mark() {
    pump()
    markOffset = received.count
  }

  /// The raw output since the last `mark()` (all output when there was none), decoded like `output`.
  public var outputSinceMark: String {
    let tail = received[markOffset...]
    return String(decoding: tail.prefix(Self.completeLength(Array(tail))), as: UTF8.self)
  }

  /// Waits until the raw output since the last `mark()` contains `text` (compared as UTF-8 bytes).
  @discardableResult
  public func waitForOutputSinceMark(_ text: String, timeout: Double = 10) -> Bool {
    let needle = Array(text.utf8)
    return wait(timeout: timeout) { terminal in
      Self.contains(terminal.received[terminal.markOffset...], needle)
    }
  }

  // MARK: - Input and control

  /// Writes text as if typed, without translation: `send("\u{1B}[A")` is Up, `send("\r")` Return.
  /// Long text goes in chunks of 256 bytes with output read in between, so neither side blocks
  /// on a full buffer and the kernel does not drop echoes for want of room.
  public func send(_ text: String) {
    let bytes = Array(text.utf8)
    var start = 0
    while start < bytes.count, master >= 0 {
      let end = min(start + 256, bytes.count)
      writeAll(Array(bytes[start..<end]), reading: true)
      if end < bytes.count { waitForInput(milliseconds: 1) }
      pump()
      start = end
    }
  }

  /// Resizes the terminal (the child gets SIGWINCH) and the screen model. Output already
  /// available is fed to the screen first, at the old size.
  public func resize(columns: Int, rows: Int) {
    guard master >= 0 else { return }
    pump()
    let width = min(max(columns, 1), Int(UInt16.max))
    let height = min(max(rows, 1), Int(UInt16.max))
    var size = winsize(ws_row: UInt16(height), ws_col: UInt16(width), ws_xpixel: 0, ws_ypixel: 0)
    _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    screen.resize(columns: width, rows: height)
  }

  /// Waits for the child to exit, reading its output meanwhile so it never blocks on a full pty,
  /// then reads what it left behind.
  ///
  /// - Returns: The exit status (128 + signal when killed), or nil when `timeout` seconds pass.
  public func waitForExit(timeout: Double = 10) -> Int32? {
    if let exitStatus { return exitStatus }
    let deadline = Self.now() + timeout
    while true {
      pump()
      if let status = reap(blocking: false) {
        drainAfterExit()
        return status
      }
      if Self.now() >= deadline { return nil }
      waitForInput(milliseconds: 10)
    }
  }

  /// Kills the child's process group (SIGKILL) if the child is still running, reaps it, and
  /// closes the terminal. Also done at deinit; calling it again does nothing.
  public func close() {
    guard master >= 0 else { return }
    if exitStatus == nil {
      SystemCall.kill(-pid, SIGKILL)
      SystemCall.kill(pid, SIGKILL)
      _ = reap(blocking: true)
    }
    SystemCall.close(master)
    master = -1
    endOfOutput = true
  }

  // MARK: - Reading and writing

  /// Reads everything available without blocking and feeds it to the screen.
  ///
  /// - Returns: Whether anything was read.
  @discardableResult
  private func pump() -> Bool {
    guard master >= 0, !endOfOutput else { return false }
    var buffer = [UInt8](repeating: 0, count: 4096)
    var total = 0
    while total < 1 << 20 {
      let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
      if count > 0 {
        let chunk = Array(buffer[0..<count])
        received.append(contentsOf: chunk)
        screen.feed(chunk)
        let replies = screen.takeReplies()
        if answersQueries, !replies.isEmpty {
          writeAll(replies, reading: false)
        }
        total += count
        continue
      }
      if count < 0 {
        let error = errno
        if error == EINTR { continue }
        if error == EAGAIN || error == EWOULDBLOCK { break }
      }
      // 0 or EIO: every slave descriptor is closed (on Linux, once the child and its children exit).
      endOfOutput = true
      break
    }
    return total > 0
  }

  /// Blocks until output is available or `milliseconds` pass.
  private func waitForInput(milliseconds: Int32) {
    guard master >= 0, !endOfOutput else {
      usleep(useconds_t(milliseconds) * 1000)
      return
    }
    var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
    _ = poll(&descriptor, 1, milliseconds)
  }

  /// Writes all bytes to the terminal, giving up after 10 seconds or when the terminal is gone.
  private func writeAll(_ bytes: [UInt8], reading: Bool) {
    var offset = 0
    let deadline = Self.now() + 10
    while offset < bytes.count, master >= 0 {
      let count = bytes[offset...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
      if count > 0 {
        offset += count
        continue
      }
      let error = errno
      if count < 0 && error == EINTR { continue }
      guard count < 0, error == EAGAIN || error == EWOULDBLOCK, Self.now() < deadline else { return }
      if reading { pump() }
      var descriptor = pollfd(fd: master, events: Int16(POLLOUT), revents: 0)
      _ = poll(&descriptor, 1, 10)
    }
  }

  /// After the child exited: reads until the terminal reports end of output, or until nothing
  /// arrived for 100 ms (a grandchild may still hold the terminal open), at most a second.
  private func drainAfterExit() {
    let limit = Self.now() + 1
    var lastData = Self.now()
    while !endOfOutput, master >= 0 {
      let now = Self.now()
      if now >= limit || now - lastData > 0.1 { return }
      if pump() {
        lastData = Self.now()
      } else {
        waitForInput(milliseconds: 10)
      }
    }
  }

  /// Reaps the child if it has exited (or waits for it when `blocking`), recording its status.
  private func reap(blocking: Bool) -> Int32? {
    if let exitStatus { return exitStatus }
    var status: Int32 = 0
    var result: pid_t
    repeat {
      result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
    } while result < 0 && errno == EINTR
    if result == 0 { return nil }
    let code: Int32
    if result < 0 {
      code = -1  // already reaped elsewhere: the status is lost
    } else if status & 0x7F == 0 {
      code = (status >> 8) & 0xFF
    } else {
      code = 128 + (status & 0x7F)
    }
    exitStatus = code
    return code
  }

  // MARK: - Helpers

  private static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000
  }

  /// The length of `bytes` without an incomplete UTF-8 sequence at its end.
  private static func completeLength(_ bytes: [UInt8]) -> Int {
    var i = bytes.count - 1
    var continuation = 0
    while i >= 0, continuation < 3, bytes[i] & 0xC0 == 0x80 {
      i -= 1
      continuation += 1
    }
    guard i >= 0 else { return bytes.count }
    let lead = bytes[i]
    let needed: Int
    switch lead {
    case 0xC2...0xDF: needed = 2
    case 0xE0...0xEF: needed = 3
    case 0xF0...0xF4: needed = 4
    default: needed = 1
    }
    return continuation + 1 < needed ? i : bytes.count
  }

  /// Whether `haystack` contains the bytes of `needle`.
  private static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty else { return true }
    guard haystack.count >= needle.count, let first = needle.first else { return false }
    var start = haystack.startIndex
    let lastStart = haystack.endIndex - needle.count
    while start <= lastStart {
      if haystack[start] == first, haystack[start..<start + needle.count].elementsEqual(needle) {
        return true
      }
      start += 1
    }
    return false
  }
}
