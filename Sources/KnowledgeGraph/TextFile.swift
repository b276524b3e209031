// Reading whole UTF-8 text files and standard input, with errors that say what and where.

import Diagnostics
import Glibc
import Platform

/// Reads text files.
public enum TextFile {
  /// Reads a whole file as UTF-8 text.
  ///
  /// - Throws: ``DiagnosticError``: 66 when the file cannot be opened, 74 on read errors, 65
  ///   when it is not valid UTF-8.
  public static func read(_ path: String) throws(DiagnosticError) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw DiagnosticError(.noInput, code: "open", "cannot open `\(path)`: \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    var info = stat()
    if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
      throw DiagnosticError(.noInput, code: "open", "`\(path)` is a directory, not a file")
    }
    return try read(fd: fd, name: "`\(path)`")
  }

  /// Reads everything from a descriptor (for example standard input) as UTF-8 text.
  public static func read(fd: Int32, name: String) throws(DiagnosticError) -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw DiagnosticError(.io, code: "read", "cannot read \(name): \(String(cString: strerror(errno)))")
      }
      if n == 0 { break }
      bytes.append(contentsOf: buffer[0..<n])
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      let bad = firstInvalidUTF8(bytes)
      throw DiagnosticError(.data, code: "utf8", "\(name) is not valid UTF-8 (first bad byte at offset \(bad))")
    }
    return text
  }

  /// Replaces a file's contents atomically: writes a temporary file beside it, fsyncs it, and
  /// renames it over the original (keeping the original's permissions).
  ///
  /// - Throws: ``DiagnosticError`` (73) when the file cannot be written.
  public static func write(_ text: String, to path: String) throws(DiagnosticError) {
    let temporary = path + ".tmp-\(getpid())"
    var info = stat()
    let mode = stat(path, &info) == 0 ? info.st_mode & 0o777 : 0o644
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
    guard fd >= 0 else {
      throw DiagnosticError(.cannotCreate, code: "write", "cannot write `\(path)`: \(String(cString: strerror(errno)))")
    }
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else {
        let reason = String(cString: strerror(errno))
        close(fd)
        unlink(temporary)
        throw DiagnosticError(.cannotCreate, code: "write", "cannot write `\(path)`: \(reason)")
      }
      bytes = bytes.dropFirst(n)
    }
    let synced = fsync(fd) == 0
    close(fd)
    guard synced, rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw DiagnosticError(.cannotCreate, code: "write", "cannot write `\(path)`: \(reason)")
    }
  }

  /// The lines of a text, split at `\n` and `\r\n` (Swift reads `\r\n` as one character, so
  /// splitting at `"\n"` alone would miss it), without their line breaks.
  public static func lines(_ text: String) -> [Substring] {
    text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
  }

  /// The names in a directory, without `.` and `..`, sorted; nil when it cannot be opened.
  public static func names(inDirectory path: String) -> [String]? {
    SystemFile.names(in: path)
  }

  /// Whether a path exists and is a directory; nil when it does not exist.
  public static func isDirectory(_ path: String) -> Bool? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return (info.st_mode & S_IFMT) == S_IFDIR
  }

  private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      let length = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0
      if length == 0 || i + length > bytes.count { return i }
      if String(validating: bytes[i..<(i + length)], as: UTF8.self) == nil { return i }
      i += length
    }
    return i
  }
}
