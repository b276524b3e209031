// The REPL's history: entries kept in memory and appended to a file as they are entered, so
// that a later session recalls them. The file holds one entry per line, with `\` written `\\`
// and a newline inside a (multi-line) entry written `\n`; it is capped at `limit` entries. It
// must be a regular file no larger than `maxFileBytes`: anything else (a FIFO, `/dev/zero`, a
// directory, a huge file) turns the history off for the session, with a warning, rather than
// blocking, flooding memory or being overwritten.

import KnowledgeGraph
import Platform

/// Entered lines, oldest first, persisted to a file.
final class History {
  /// The entries, oldest first.
  private(set) var entries: [String] = []
  /// The file, or nil for a history that is not kept (none chosen, or turned off).
  private(set) var path: String?
  /// The most entries kept.
  let limit: Int
  /// Why the history file is not used, once that happened; the REPL shows it once.
  private(set) var problem: String?

  /// The history file: `$XINZHI_HISTORY` (empty: none), else `~/.xinzhi_history`.
  static func defaultPath(environment: [String: String]) -> String? {
    if let path = environment["XINZHI_HISTORY"] { return path.isEmpty ? nil : path }
    guard let home = environment["HOME"], !home.isEmpty else { return nil }
    return (home.hasSuffix("/") ? home : home + "/") + ".xinzhi_history"
  }

  /// Loads the history file when there is one. A missing file starts an empty history; one
  /// that cannot be read, is not a regular file or is larger than `maxFileBytes` turns the
  /// history off (see ``problem``).
  init(path: String?, limit: Int = 1000, maxFileBytes: Int = 4 << 20) {
    self.path = path
    self.limit = max(1, limit)
    guard let path, SystemFile.kind(of: path) != nil else { return }
    let text: String
    do {
      text = try TextFile.read(path, limit: maxFileBytes)
    } catch {
      turnOff(error.diagnostics.first?.message ?? "cannot read `\(TerminalText.visible(path))`")
      return
    }
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
    do {
      let (fd, _) = try SystemFile.openForWriting(path, create: true, mode: 0o600, append: true)
      defer { close(fd) }
      try SystemFile.writeAll(fd, (History.encode(entry) + "\n").utf8, path: path)
    } catch {
      turnOff("cannot write `\(TerminalText.visible(path))`: \(error.message)")
    }
  }

  /// Returns the problem that turned the history off, once.
  func takeProblem() -> String? {
    defer { problem = nil }
    return problem
  }

  /// Stops using the file for the rest of the session.
  private func turnOff(_ reason: String) {
    path = nil
    problem = "history is off: " + reason
  }

  /// Writes the file anew with the kept entries, through a new temporary file (a unique name,
  /// created exclusively, never through a link) that is synced and renamed over it.
  private func rewrite() {
    guard let path else { return }
    do {
      let temporary = try TemporaryFile(beside: SystemFile.resolved(path) ?? path, mode: 0o600)
      try temporary.write(entries.map { History.encode($0) + "\n" }.joined().utf8)
      try temporary.commit()
    } catch {
      turnOff("cannot write `\(TerminalText.visible(path))`: \(error.message)")
    }
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
