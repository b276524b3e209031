// Temporary directories for tests, removed when the value is deinitialised.

import Platform

/// A fresh directory under /tmp, deleted with its contents at deinit.
public final class TemporaryDirectory {
  /// Its path.
  public let path: String

  /// Creates a fresh directory.
  public init(_ label: String = "xinzhi-test") {
    var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
    let created: String? = template.withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
      return String(cString: result)
    }
    path = created ?? "/tmp/\(label)-\(getpid())"
  }

  deinit {
    if getenv("XINZHI_KEEP_TEST_FILES") == nil {
      _ = removeTree(path)
    }
  }

  /// A path inside the directory.
  public func file(_ name: String) -> String { path + "/" + name }

  /// Writes text to a file inside the directory and returns its path.
  @discardableResult
  public func write(_ name: String, _ text: String) -> String {
    let p = file(name)
    writeFile(p, Array(text.utf8))
    return p
  }

  /// The text of a file inside the directory ("" when missing).
  public func read(_ name: String) -> String { readText(file(name)) }
}

/// Listing directories in tests.
public enum TestFiles {
  /// The names in a directory, sorted, without `.` and `..` (symbolic links included).
  public static func names(in path: String) -> [String] {
    SystemFile.names(in: path) ?? []
  }
}

/// Writes bytes to a file, replacing it.
public func writeFile(_ path: String, _ bytes: [UInt8]) {
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  guard fd >= 0 else { return }
  _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
  close(fd)
}

/// Reads a whole file, or nil.
public func readFile(_ path: String) -> [UInt8]? {
  let fd = open(path, O_RDONLY)
  guard fd >= 0 else { return nil }
  defer { close(fd) }
  var result: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 65_536)
  while true {
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    if n <= 0 { break }
    result.append(contentsOf: buffer[0..<n])
  }
  return result
}

/// Reads a whole file as UTF-8 text, or "".
public func readText(_ path: String) -> String {
  String(decoding: readFile(path) ?? [], as: UTF8.self)
}

/// Deletes a directory tree (like `rm -rf`).
@discardableResult
public func removeTree(_ path: String) -> Bool { SystemFile.removeTree(path) }

/// Whether `/dev/full` (a device every write to fails with ENOSPC) exists: Linux has it, macOS
/// does not; tests of a full disk through it run only where it exists.
public let hasDevFull = access("/dev/full", F_OK) == 0
