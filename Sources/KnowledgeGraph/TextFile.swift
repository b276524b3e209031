// Reading whole UTF-8 text files and standard input, with errors that say what and where, and
// replacing files atomically. Only regular files are read (a FIFO or a device would block or
// never end), and no more than a limit; a leading byte order mark is not part of the text.

import Diagnostics
import Platform

/// Reads text files.
public enum TextFile {
  /// The most bytes a script, a query text or a rules file may hold.
  public static let defaultLimit = 64 << 20

  /// Reads a whole regular file as UTF-8 text, without a leading byte order mark.
  ///
  /// - Throws: `DiagnosticError`: 66 when the file cannot be opened or is not a regular file
  ///   (a FIFO, a device, a directory), 65 when it is larger than `limit` or not valid UTF-8,
  ///   74 on read errors.
  public static func read(_ path: String, limit: Int = defaultLimit) throws(DiagnosticError) -> String {
    let name = "`\(TerminalText.visible(path))`"
    let fd: Int32
    do {
      fd = try SystemFile.openExisting(path)
    } catch {
      throw DiagnosticError(.noInput, code: "open", "cannot \(error.code == 0 ? "read" : "open") \(name): \(error.message)")
    }
    defer { close(fd) }
    return try text(name: name, limit: limit) { () throws(SystemError) in try SystemFile.readAll(fd, path: path, limit: limit) }
  }

  /// Reads everything from a descriptor (for example standard input) as UTF-8 text, without a
  /// leading byte order mark, at most `limit` bytes.
  public static func read(fd: Int32, name: String, limit: Int = defaultLimit) throws(DiagnosticError) -> String {
    try text(name: name, limit: limit) { () throws(SystemError) in try SystemFile.readStream(fd, path: name, limit: limit) }
  }

  /// Reads bytes and decodes them, dropping a leading UTF-8 byte order mark. A read that fails
  /// is too large (65) or an I/O error (74).
  private static func text(name: String, limit: Int, _ read: () throws(SystemError) -> [UInt8]) throws(DiagnosticError) -> String {
    let bytes: [UInt8]
    do {
      bytes = try read()
    } catch {
      if error.code == EFBIG {
        throw DiagnosticError(.data, code: "too-large", "\(name) is larger than \(size(limit))", help: "split it into smaller files")
      }
      throw DiagnosticError(.io, code: "read", "cannot read \(name): \(error.message)")
    }
    let start = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
    guard let text = String(validating: bytes[start...], as: UTF8.self) else {
      let bad = firstInvalidUTF8(bytes)
      throw DiagnosticError(.data, code: "utf8", "\(name) is not valid UTF-8 (first bad byte at offset \(bad))")
    }
    return text
  }

  /// The UTF-8 byte order mark, which some editors put at the start of a file.
  public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

  /// A size for messages: `64 MiB`, `4 KiB`, `100 bytes`.
  public static func size(_ bytes: Int) -> String {
    if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
    if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
    return "\(bytes) bytes"
  }

  /// Replaces a file's contents atomically: writes a new temporary file beside it (a unique
  /// name, created exclusively, never through a link), syncs it, renames it over the original
  /// and syncs the directory. The original's permissions are kept.
  ///
  /// - Throws: `DiagnosticError` (73) when the file cannot be written.
  public static func write(_ text: String, to path: String) throws(DiagnosticError) {
    var info = stat()
    let mode = stat(path, &info) == 0 ? info.st_mode & 0o777 : 0o644
    do {
      let temporary = try TemporaryFile(beside: SystemFile.resolved(path) ?? path, mode: mode)
      try temporary.write(Array(text.utf8))
      try temporary.commit()
    } catch {
      throw DiagnosticError(.cannotCreate, code: "write", "cannot write `\(TerminalText.visible(path))`: \(error.message)")
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
