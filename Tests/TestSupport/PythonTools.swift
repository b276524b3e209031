// Outside tools that come from PyPI (rdflib, pyoxigraph, duckdb, pyspark), reached through a
// Python that imports them: XINZHI_PYTHON, else the virtual environments .ci/run and developers
// make under the package root.

import Foundation

public enum PythonTools {
  /// A Python executable that imports every module of `modules`, or nil.
  public static func python(importing modules: [String], root: String) -> String? {
    let environment = ProcessInfo.processInfo.environment
    let candidates = [environment["XINZHI_PYTHON"], root + "/.build/ci-venv/bin/python", root + "/.build/venv/bin/python"]
    for case let path? in candidates where FileManager.default.isExecutableFile(atPath: path) {
      if run(path, ["-c", "import " + modules.joined(separator: ", ")]).status == 0 { return path }
    }
    return nil
  }
}

/// Reads CSV as written by Xinzhi and its translated programs (RFC 4180: fields with commas,
/// quotes or line breaks are quoted, quotes doubled; lines end with CRLF or LF).
public func csvRows(_ text: String) -> [[String]] {
  var rows: [[String]] = []
  var row: [String] = []
  var field = ""
  var quoted = false
  var iterator = Array(text.unicodeScalars).makeIterator()
  var pending: Unicode.Scalar? = nil
  func next() -> Unicode.Scalar? {
    if let p = pending {
      pending = nil
      return p
    }
    return iterator.next()
  }
  var started = false
  while let c = next() {
    started = true
    if quoted {
      if c == "\"" {
        if let d = next() {
          if d == "\"" { field.unicodeScalars.append("\"") } else {
            quoted = false
            pending = d
          }
        } else {
          quoted = false
        }
      } else {
        field.unicodeScalars.append(c)
      }
      continue
    }
    switch c {
    case "\"": quoted = true
    case ",":
      row.append(field)
      field = ""
    case "\r": break
    case "\n":
      row.append(field)
      rows.append(row)
      row = []
      field = ""
      started = false
    default: field.unicodeScalars.append(c)
    }
  }
  if started {
    row.append(field)
    rows.append(row)
  }
  return rows
}
