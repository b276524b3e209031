// Running the built executables from tests: spawn with arguments, environment and input, wait or
// kill, and collect exit status and output.

import Platform

/// The result of a finished child process.
public struct ProcessResult: Sendable {
  /// The exit status, or 128 + signal when it was killed.
  public var status: Int32
  /// Everything written to standard output.
  public var stdout: String
  /// Everything written to standard error.
  public var stderr: String
  /// Peak resident memory in kilobytes, for a process run with `measureMemory` (0 otherwise).
  public var maxResidentKilobytes = 0
}

/// This process's environment variables.
public func currentEnvironment() -> [String: String] { ProcessEnvironment.current() }

/// Where the package's executables are: next to the test bundle.
public func productPath(_ name: String) -> String {
  let bundle = CommandLine.arguments.first ?? ""
  var directory = bundle
  if let slash = directory.lastIndex(of: "/") { directory = String(directory[..<slash]) }
  let candidate = directory + "/" + name
  if access(candidate, X_OK) == 0 { return candidate }
  for fallback in [".build/debug/" + name, ".build/release/" + name] where access(fallback, X_OK) == 0 {
    return fallback
  }
  return candidate
}

/// Where a child's standard output goes.
public enum StandardOutput: Sendable {
  /// A temporary file, read back as `stdout`.
  case captured
  /// An existing file or device, such as `/dev/full` (opened for writing, not truncated).
  case file(String)
  /// Nowhere: descriptor 1 is closed, as by `>&-`.
  case closed
}

/// A spawned child process writing its output to temporary files.
public final class ChildProcess {
  /// The process id.
  public let pid: pid_t
  private let outPath: String
  private let errPath: String
  /// Where `xinzhi-bench measure` writes the child's peak memory, when it is measured.
  private let reportPath: String?
  private var finished: Int32?

  /// Spawns a process.
  ///
  /// - Parameters:
  ///   - path: The executable.
  ///   - arguments: Its arguments (without the program name).
  ///   - environment: Extra environment variables (added to the current environment).
  ///   - input: Text for standard input (empty input when nil).
  ///   - directory: The working directory, when not the current one.
  ///   - standardOutput: Where standard output goes (captured unless told).
  ///   - measureMemory: Run it under `xinzhi-bench measure`, in a process group of its own, so
  ///     that its peak resident memory is known. A child's own `ru_maxrss` cannot say: on Linux
  ///     it starts at the size of the process that spawned it, here the test runner, which holds
  ///     every concurrently running test's data.
  public init?(
    _ path: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil, inputBytes: [UInt8]? = nil,
    directory: String? = nil, standardOutput: StandardOutput = .captured, measureMemory: Bool = false
  ) {
    let unique = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    outPath = "/tmp/xinzhi-child-\(unique).out"
    errPath = "/tmp/xinzhi-child-\(unique).err"
    reportPath = measureMemory ? "/tmp/xinzhi-child-\(unique).rss" : nil
    let inPath = "/tmp/xinzhi-child-\(unique).in"
    writeFile(inPath, inputBytes ?? Array((input ?? "").utf8))
    defer { unlink(inPath) }
    var actions = Spawn.emptyFileActions()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
    switch standardOutput {
    case .captured: posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    case .file(let path): posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY, 0)
    case .closed: posix_spawn_file_actions_addclose(&actions, 1)
    }
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if let directory {
      Spawn.addChdir(&actions, directory)
    }
    var env = currentEnvironment()
    for (k, v) in environment { env[k] = v }
    var program = [path] + arguments
    var attributes = Spawn.emptyAttributes()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    if let reportPath {
      program = [productPath("xinzhi-bench"), "measure", reportPath] + program
      // Its own group, so that a kill reaches the measured process too.
      posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
      posix_spawnattr_setpgroup(&attributes, 0)
    }
    let argv = program.map { strdup($0) } + [nil]
    let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var child: pid_t = 0
    let rc = posix_spawn(&child, program[0], &actions, &attributes, argv, envp)
    guard rc == 0 else { return nil }
    pid = child
  }

  deinit {
    if finished == nil {
      kill()
      _ = wait()
    }
    unlink(outPath)
    unlink(errPath)
    if let reportPath { unlink(reportPath) }
  }

  /// Sends SIGKILL (to the measured process and its measurer, when memory is measured).
  public func kill() {
    SystemCall.kill(reportPath == nil ? pid : -pid, SIGKILL)
  }

  /// The child's peak resident memory in kilobytes, known once it has been waited for, when it
  /// was spawned with `measureMemory` (0 otherwise, and when it was killed).
  public private(set) var maxResidentKilobytes = 0

  /// Records the end of the process.
  private func finish(_ status: Int32) -> Int32 {
    let code = ChildProcess.exitCode(status)
    finished = code
    if let reportPath {
      maxResidentKilobytes = Int(readText(reportPath).split(separator: "\n").first ?? "") ?? 0
    }
    return code
  }

  /// Waits for the process to end and returns its status (128 + signal when killed).
  @discardableResult
  public func wait() -> Int32 {
    if let finished { return finished }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return finish(status)
  }

  /// The exit status of a wait status, or 128 + signal when the process was killed.
  static func exitCode(_ status: Int32) -> Int32 {
    status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
  }

  /// Waits at most `seconds` for the process to end (0: just looks); nil when it is still
  /// running then.
  public func wait(seconds: Double) -> Int32? {
    if let finished { return finished }
    let deadline = MonotonicClock.seconds() + seconds
    repeat {
      var status: Int32 = 0
      let reaped = waitpid(pid, &status, WNOHANG)
      if reaped == pid { return finish(status) }
      if reaped < 0 && errno != EINTR { return nil }
      if seconds > 0 { usleep(2000) }
    } while MonotonicClock.seconds() < deadline
    return nil
  }

  /// Standard output so far.
  public var stdout: String { readText(outPath) }
  /// Standard error so far.
  public var stderr: String { readText(errPath) }

  /// Waits and collects everything.
  public func result() -> ProcessResult {
    let status = wait()
    return ProcessResult(status: status, stdout: stdout, stderr: stderr, maxResidentKilobytes: maxResidentKilobytes)
  }
}

/// Runs a process to completion; with `timeout`, a process still running after that many
/// seconds is killed and reported with status -2 (a hang).
public func run(
  _ path: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil, inputBytes: [UInt8]? = nil,
  directory: String? = nil, standardOutput: StandardOutput = .captured, timeout: Double? = nil, measureMemory: Bool = false
) -> ProcessResult {
  guard
    let child = ChildProcess(
      path, arguments, environment: environment, input: input, inputBytes: inputBytes, directory: directory, standardOutput: standardOutput,
      measureMemory: measureMemory)
  else {
    return ProcessResult(status: -1, stdout: "", stderr: "could not spawn \(path)")
  }
  if let timeout, child.wait(seconds: timeout) == nil {
    child.kill()
    child.wait()
    return ProcessResult(status: -2, stdout: child.stdout, stderr: child.stderr + "\n(killed: still running after \(timeout) s)")
  }
  return child.result()
}

/// Runs the `xinzhi` executable.
public func xinzhi(
  _ arguments: [String], environment: [String: String] = [:], input: String? = nil, inputBytes: [UInt8]? = nil, directory: String? = nil,
  standardOutput: StandardOutput = .captured, timeout: Double? = nil, measureMemory: Bool = false
) -> ProcessResult {
  var env = ["NO_COLOR": "1"]
  for (k, v) in environment { env[k] = v }
  return run(
    productPath("xinzhi"), arguments, environment: env, input: input, inputBytes: inputBytes, directory: directory,
    standardOutput: standardOutput, timeout: timeout, measureMemory: measureMemory)
}

/// Runs the `xinzhi` executable with a file size limit (`ulimit -f`, in 512-byte blocks) and
/// SIGXFSZ ignored, so writes past the limit fail with EFBIG: a full disk for one process.
public func xinzhiWithFileSizeLimit(
  blocks: Int, _ arguments: [String], environment: [String: String] = [:], input: String? = nil, directory: String? = nil
) -> ProcessResult {
  var env = ["NO_COLOR": "1"]
  for (k, v) in environment { env[k] = v }
  let script = "trap '' XFSZ; ulimit -f \(blocks) && exec \"$0\" \"$@\""
  return run("/bin/sh", ["-c", script, productPath("xinzhi")] + arguments, environment: env, input: input, directory: directory, timeout: 60)
}

/// Sleeps for a number of milliseconds.
public func sleepMilliseconds(_ ms: Int) {
  usleep(useconds_t(ms * 1000))
}


