// The REPL's history: entries kept in memory and appended to a file as they are entered, so
// that a later session recalls them. The file holds one entry per line, with `\` written `\\`
// and a newline inside a (multi-line) entry written `\n`; it is capped at `limit` entries.

import Glibc
import KnowledgeGraph

/// Entered lines, oldest first, persisted to a file.
final class History {
  /// The entries, oldest first.
  private(set) var entries: [String] = []
  /// The file, or nil for a history that is not kept.
  let path: String?
  /// The most entries kept.
  let limit: Int

  /// The history file: `$XINZHI_HISTORY` (empty: none), else `~/.xinzhi_history`.
  static func defaultPath(environment: [String: String]) -> String? {
    if let path = environment["XINZHI_HISTORY"] { return path.isEmpty ? nil : path }
    guard let home = environment["HOME"], !home.isEmpty else { return nil }
    return (home.hasSuffix("/") ? home : home + "/") + ".xinzhi_history"
  }

  /// Loads the history file when there is one; a file that cannot be read gives an empty history.
  init(path: String?, limit: Int = 1000) {
    self.path = path
    self.limit = max(1, limit)
    guard let path, let text = try? TextFile.read(path) else { return }
    entries = TextFile.lines(text).filter { !$0.isEmpty }.map { History.decode(String($0)) }
    if entries.count > self.limit {
      entries.removeFirst(entries.count - self.limit)
      rewrite()
    }
  }

  /// Adds an entry (not a blank one, nor a repeat of the last) and appends it to the file.
  func add(_ entry: String) {
    guard entry.contains(where: { !$0.isWhitespace }), entry != entries.last else { return }
    entries.append(entry)
    if entries.count > limit * 2 {
      entries.removeFirst(entries.count - limit)
      rewrite()
      return
    }
    guard let path else { return }
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return }
    defer { close(fd) }
    writeAll(fd, Array((History.encode(entry) + "\n").utf8))
  }

  /// Writes the file anew with the kept entries (through a temporary file and a rename).
  private func rewrite() {
    guard let path else { return }
    let temporary = path + ".tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return }
    writeAll(fd, Array(entries.map { History.encode($0) + "\n" }.joined().utf8))
    close(fd)
    if rename(temporary, path) != 0 { unlink(temporary) }
  }

  static func encode(_ entry: String) -> String {
    var out = ""
    // By scalar: a `\r\n` pair is one Character and would match neither case.
    for scalar in entry.unicodeScalars {
      switch scalar {
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  static func decode(_ line: String) -> String {
    var out = ""
    var escaped = false
    for c in line {
      if escaped {
        out.append(c == "n" ? "\n" : c == "r" ? "\r" : c)
        escaped = false
      } else if c == "\\" {
        escaped = true
      } else {
        out.append(c)
      }
    }
    return out
  }
}
