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
  @_exported import Musl
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
  /// Every `NAME=value` pair of the environment, read once by the caller.
  public static func current() -> [String: String] {
    var environment: [String: String] = [:]
    #if canImport(Darwin)
      guard var pointer = _NSGetEnviron()?.pointee else { return [:] }
    #else
      var pointer = environ
    #endif
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
    #if canImport(Darwin)
      action.__sigaction_u.__sa_handler = handler
    #else
      action.__sigaction_handler.sa_handler = handler
    #endif
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(signal, &action, nil)
  }
}
