// The C library, named once. Every other module imports `Platform` and gets the C library of the
// system it is built on (Darwin, Glibc or Musl) through this re-export, so no module outside
// Platform writes `#if canImport(…)` or names a C library. Calls whose names or types differ
// between the systems (termios, sigaction, flock, madvise, the environment, resident memory)
// have wrappers in this module; the rest of POSIX is the same everywhere and is called directly.
// (SwiftPM's TSCLibc re-exports the C library the same way.)

#if canImport(Darwin)
  @_exported import Darwin
#elseif canImport(Glibc)
  @_exported import Glibc
#elseif canImport(Musl)
  // Musl's globals (`environ`) are plain C variables that Swift 6 calls unsafe to share.
  @preconcurrency @_exported import Musl
#else
  #error("Xinzhi needs Darwin, Glibc or Musl")
#endif

/// System calls that callers must name explicitly, because a method of the same name (a type's
/// own `read`, `pwrite` or `flock`) would shadow the C function inside that type.
public enum SystemCall {
  /// `read(2)`.
  public static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Darwin)
      Darwin.read(fd, buffer, count)
    #elseif canImport(Glibc)
      Glibc.read(fd, buffer, count)
    #else
      Musl.read(fd, buffer, count)
    #endif
  }

  /// `pwrite(2)` at a byte offset.
  public static func pwrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int, _ offset: Int) -> Int {
    #if canImport(Darwin)
      Darwin.pwrite(fd, buffer, count, off_t(offset))
    #elseif canImport(Glibc)
      Glibc.pwrite(fd, buffer, count, off_t(offset))
    #else
      Musl.pwrite(fd, buffer, count, off_t(offset))
    #endif
  }

  /// `ftruncate(2)`.
  public static func ftruncate(_ fd: Int32, _ length: Int) -> Int32 {
    #if canImport(Darwin)
      Darwin.ftruncate(fd, off_t(length))
    #elseif canImport(Glibc)
      Glibc.ftruncate(fd, off_t(length))
    #else
      Musl.ftruncate(fd, off_t(length))
    #endif
  }

  /// `kill(2)`.
  @discardableResult
  public static func kill(_ pid: pid_t, _ signal: Int32) -> Int32 {
    #if canImport(Darwin)
      Darwin.kill(pid, signal)
    #elseif canImport(Glibc)
      Glibc.kill(pid, signal)
    #else
      Musl.kill(pid, signal)
    #endif
  }

  /// `close(2)`.
  @discardableResult
  public static func close(_ fd: Int32) -> Int32 {
    #if canImport(Darwin)
      Darwin.close(fd)
    #elseif canImport(Glibc)
      Glibc.close(fd)
    #else
      Musl.close(fd)
    #endif
  }

  /// `flock(2)`: `LOCK_EX`, `LOCK_SH`, `LOCK_UN`, with `LOCK_NB`.
  public static func flock(_ fd: Int32, _ operation: Int32) -> Int32 {
    systemFlock(fd, operation)
  }

  /// Asks for transparent huge pages on an anonymous mapping (Linux only; a hint elsewhere
  /// ignored, and a failure is harmless).
  public static func adviseHugePages(_ address: UnsafeMutableRawPointer, _ count: Int) {
    #if os(Linux)
      _ = madvise(address, count, 14)  // MADV_HUGEPAGE
    #endif
  }
}

/// `flock(2)`. Swift imports the C function and `struct flock` under one name, which makes the
/// function unreachable by name on Glibc, so it is bound directly to its symbol (the same symbol
/// on every system).
@_silgen_name("flock")
private func systemFlock(_ fd: Int32, _ operation: Int32) -> Int32

/// The process's environment variables.
public enum ProcessEnvironment {
  /// The C array of `NAME=value` strings (`environ`; `_NSGetEnviron()` on Darwin), to hand to
  /// `posix_spawn`.
  public static var block: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    #if canImport(Darwin)
      _NSGetEnviron()?.pointee
    #else
      environ  // Glibc: the overlay's variable; Musl: the C global; both convert to Optional
    #endif
  }

  /// Every `NAME=value` pair of the environment, read once by the caller.
  public static func current() -> [String: String] {
    var environment: [String: String] = [:]
    guard var pointer = block else { return [:] }
    while let entry = pointer.pointee {
      let text = String(cString: entry)
      if let equals = text.firstIndex(of: "=") {
        environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
      }
      pointer += 1
    }
    return environment
  }
}

/// How much memory this process holds.
public enum ResidentMemory {
  /// The resident set size in bytes; nil when the system does not say.
  public static var bytes: Int? {
    #if canImport(Darwin)
      var info = mach_task_basic_info()
      var count = mach_msg_type_number_t(MemoryLayout<mach_task_basic_info>.size / MemoryLayout<natural_t>.size)
      let result = withUnsafeMutablePointer(to: &info) {
        $0.withMemoryRebound(to: integer_t.self, capacity: Int(count)) {
          task_info(mach_task_self_, task_flavor_t(MACH_TASK_BASIC_INFO), $0, &count)
        }
      }
      return result == KERN_SUCCESS ? Int(info.resident_size) : nil
    #else
      guard let file = fopen("/proc/self/statm", "r") else { return nil }
      defer { fclose(file) }
      var line = [CChar](repeating: 0, count: 256)
      guard fgets(&line, Int32(line.count), file) != nil else { return nil }
      let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let fields = text.split(separator: " ")
      guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
      return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    #endif
  }
}

/// Signal handlers that only set a flag (the handler must be async-signal-safe).
public enum SignalHandler {
  /// Installs `handler` for `signal`, with an empty mask and no flags (so a blocking read is
  /// interrupted with `EINTR`).
  public static func install(_ signal: Int32, _ handler: @convention(c) (Int32) -> Void) {
    var action = sigaction()
    action.handler = handler
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(signal, &action, nil)
  }
}

extension sigaction {
  /// `sa_handler`: a C macro over a union that each C library names differently.
  public var handler: (@convention(c) (Int32) -> Void)? {
    get {
      #if canImport(Darwin)
        __sigaction_u.__sa_handler
      #elseif canImport(Glibc)
        __sigaction_handler.sa_handler
      #else
        __sa_handler.sa_handler
      #endif
    }
    set {
      #if canImport(Darwin)
        __sigaction_u.__sa_handler = newValue
      #elseif canImport(Glibc)
        __sigaction_handler.sa_handler = newValue
      #else
        __sa_handler.sa_handler = newValue
      #endif
    }
  }
}

#if canImport(Darwin)
  /// `posix_spawn_file_actions_t`: a pointer on Darwin (nil until initialised), a struct elsewhere.
  public typealias SpawnFileActions = posix_spawn_file_actions_t?
  /// `posix_spawnattr_t`: a pointer on Darwin (nil until initialised), a struct elsewhere.
  public typealias SpawnAttributes = posix_spawnattr_t?
#else
  /// `posix_spawn_file_actions_t`: a pointer on Darwin (nil until initialised), a struct elsewhere.
  public typealias SpawnFileActions = posix_spawn_file_actions_t
  /// `posix_spawnattr_t`: a pointer on Darwin (nil until initialised), a struct elsewhere.
  public typealias SpawnAttributes = posix_spawnattr_t
#endif

/// What `posix_spawn` needs that differs between the C libraries.
public enum Spawn {
  /// File actions before `posix_spawn_file_actions_init`.
  public static func emptyFileActions() -> SpawnFileActions {
    #if canImport(Darwin)
      nil
    #else
      posix_spawn_file_actions_t()
    #endif
  }

  /// Attributes before `posix_spawnattr_init`.
  public static func emptyAttributes() -> SpawnAttributes {
    #if canImport(Darwin)
      nil
    #else
      posix_spawnattr_t()
    #endif
  }

  /// `posix_spawn_file_actions_addchdir_np`: the child starts in `path` (glibc 2.29+, musl,
  /// macOS 10.15+).
  @discardableResult
  public static func addChdir(_ actions: UnsafeMutablePointer<SpawnFileActions>, _ path: String) -> Int32 {
    #if canImport(Glibc)
      glibcAddChdir(actions, path)
    #else
      posix_spawn_file_actions_addchdir_np(actions, path)
    #endif
  }
}

#if canImport(Glibc)
  /// Glibc declares it only with `_GNU_SOURCE`, which Swift does not set for glibc targets.
  @_silgen_name("posix_spawn_file_actions_addchdir_np")
  private func glibcAddChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32
#endif

/// `fork(2)`, which the Darwin overlay marks unavailable in Swift; only a pseudo-terminal's
/// child, which calls async-signal-safe functions and `execve` at once, uses it.
@_silgen_name("fork")
private func systemFork() -> pid_t

extension SystemCall {
  /// `fork(2)`; the child must only call async-signal-safe functions before `execve`.
  public static func fork() -> pid_t { systemFork() }

  /// The peak resident memory of a `wait4`/`getrusage` usage in kilobytes (`ru_maxrss` is in
  /// bytes on Darwin, kilobytes elsewhere).
  public static func maxResidentKilobytes(_ usage: rusage) -> Int {
    #if canImport(Darwin)
      Int(usage.ru_maxrss) / 1024
    #else
      Int(usage.ru_maxrss)
    #endif
  }
}

/// A thread running one closure, joined by ``join()``.
public final class SystemThread {
  #if canImport(Glibc)
    private var thread = pthread_t()
  #else
    private var thread: pthread_t? = nil
  #endif
  private final class Body {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
  }

  /// Starts `body` on a new thread; nil when no thread can be created.
  public init?(_ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(Body(body)).toOpaque()
    let created = pthread_create(&thread, nil, { raw in
      let pointer: UnsafeMutableRawPointer? = raw  // non-optional on Darwin, optional elsewhere
      guard let pointer else { return nil }
      Unmanaged<Body>.fromOpaque(pointer).takeRetainedValue().run()
      return nil
    }, context)
    guard created == 0 else {
      Unmanaged<Body>.fromOpaque(context).release()
      return nil
    }
  }

  /// Waits for the closure to finish.
  public func join() {
    #if canImport(Glibc)
      pthread_join(thread, nil)
    #else
      if let thread { pthread_join(thread, nil) }
    #endif
  }
}
