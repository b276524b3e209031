// Starting a command through /bin/sh with its standard input a pipe we write to (the REPL's
// pager), and waiting for it. SIGPIPE is ignored while such a pipe is open, so a pager that
// quits early (the user pressed q) turns later writes into EPIPE errors instead of ending
// the process.

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A running `/bin/sh -c COMMAND` whose standard input is ours to write.
public final class ShellCommand {
  /// The write end of the command's standard input.
  public let input: Int32
  private let pid: pid_t
  private var previousPipeAction = sigaction()
  private var finished = false

  /// Starts `command`; nil when it cannot be started (no /bin/sh, no descriptors left).
  public init?(_ command: String) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return nil }
    var actions = Spawn.emptyFileActions()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    posix_spawn_file_actions_addclose(&actions, fds[1])
    var child: pid_t = 0
    let arguments = ["/bin/sh", "-c", command]
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    let status = posix_spawn(&child, "/bin/sh", &actions, nil, &argv, ProcessEnvironment.block)
    close(fds[0])
    guard status == 0 else {
      close(fds[1])
      return nil
    }
    pid = child
    input = fds[1]
    var ignore = sigaction()
    ignore.handler = SIG_IGN
    sigaction(SIGPIPE, &ignore, &previousPipeAction)
  }

  /// Closes the command's input and waits for it to end; returns its exit status (-1 when it
  /// was killed by a signal).
  @discardableResult
  public func finish() -> Int32 {
    guard !finished else { return 0 }
    finished = true
    close(input)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1, errno == EINTR {}
    sigaction(SIGPIPE, &previousPipeAction, nil)
    return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
  }

  deinit { finish() }
}
