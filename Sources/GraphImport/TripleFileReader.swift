// Streams TSV and N-Triples files into triples. TSV: `subject<TAB>predicate<TAB>object` per
// line; N-Triples 1.1 with IRIs mapped to entities (see Documentation/Formats.md).

import Diagnostics
import GraphModel
import Platform

/// The formats `xinzhi import` reads.
public enum ImportFormat: String, Sendable, CaseIterable {
  /// Tab-separated triples.
  case tsv
  /// W3C N-Triples 1.1.
  case ntriples = "nt"

  /// The format implied by a file name's extension, if any.
  public static func guess(fromPath path: String) -> ImportFormat? {
    let lower = path.lowercased()
    if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") || lower.hasSuffix(".txt") { return .tsv }
    if lower.hasSuffix(".nt") || lower.hasSuffix(".ntriples") { return .ntriples }
    return nil
  }
}

/// Reads triples from a file, streaming it in chunks.
public struct TripleFileReader {
  /// The path read (`-` for standard input).
  public let path: String
  /// The format.
  public let format: ImportFormat
  /// Called now and then with the number of bytes read so far and the total size (0 if unknown).
  public var progress: ((Int, Int) -> Void)?

  /// Statistics of a finished read.
  public struct Summary: Sendable {
    /// Lines read.
    public var lines = 0
    /// Triples handed over.
    public var triples = 0
    /// N-Triples literals whose datatype was dropped (kept as plain strings).
    public var droppedDatatypes = 0
  }

  /// Creates a reader.
  public init(path: String, format: ImportFormat) {
    self.path = path
    self.format = format
  }

  /// The longest line read; a longer one (or an endless stream without line breaks, such as
  /// `/dev/zero` on standard input) is an error instead of a memory exhaustion.
  public static let maxLineBytes = 16 << 20

  /// The file kinds read besides regular files: pipes (process substitution, `mkfifo`) end
  /// like files. Devices and directories are refused.
  public static let acceptedKinds: Set<SystemFile.Kind> = [.fifo]

  /// The name of the input in messages: the path, or `<stdin>` for `-`.
  var inputName: String { path == "-" ? "<stdin>" : path }

  /// Reads the whole file, calling `body` for each triple in file order. A UTF-8 byte order
  /// mark at the start is skipped.
  ///
  /// - Throws: ``DiagnosticError`` (66) when the file cannot be opened or is neither a regular
  ///   file nor a pipe, (65) at the first bad line with its line and column, (74) on read
  ///   errors, or whatever `body` throws.
  public func read(_ body: (ImportTerm, ImportTerm, ImportTerm) throws -> Void) throws -> Summary {
    let fd: Int32
    if path == "-" {
      fd = STDIN_FILENO
    } else {
      do {
        fd = try SystemFile.openExisting(path, accept: TripleFileReader.acceptedKinds)
      } catch {
        throw DiagnosticError(
          .noInput, code: "import-open", "cannot \(error.code == 0 ? "read" : "open") `\(TerminalText.visible(path))`: \(error.message)",
          help: error.code == 0 ? "import reads regular files, pipes and standard input (`-`)" : nil)
      }
    }
    defer { if fd != STDIN_FILENO { close(fd) } }
    var info = stat()
    let total = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG ? Int(info.st_size) : 0
    var summary = Summary()
    var buffer = [UInt8]()
    var consumedBytes = 0
    var lineNumber = 0
    var eof = false
    var atStart = true
    var chunk = [UInt8](repeating: 0, count: 1 << 22)
    var lastProgress = 0
    while !eof {
      let n = chunk.withUnsafeMutableBytes { SystemCall.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw DiagnosticError(.io, code: "import-read", "cannot read `\(TerminalText.visible(inputName))`: \(SystemError.text())")
      }
      if n == 0 {
        eof = true
        if let last = buffer.last, last != 0x0A { buffer.append(0x0A) }
      } else {
        buffer.append(contentsOf: chunk[0..<n])
      }
      if atStart {
        // Wait for three bytes (or the end) to tell a byte order mark from data.
        if buffer.count < 3, !eof { continue }
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) {
          buffer.removeFirst(3)
          consumedBytes += 3
        }
        atStart = false
      }
      var lineStart = 0
      while let newline = buffer[lineStart...].firstIndex(of: 0x0A) {
        lineNumber += 1
        var lineEnd = newline
        if lineEnd > lineStart, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
        let line = buffer[lineStart..<lineEnd]
        guard line.count <= TripleFileReader.maxLineBytes else { throw tooLong(lineNumber) }
        let terms: (ImportTerm, ImportTerm, ImportTerm)?
        switch format {
        case .tsv: terms = try parseTSV(line, lineNumber: lineNumber)
        case .ntriples: terms = try parseNTriples(line, lineNumber: lineNumber, summary: &summary)
        }
        if let (s, p, o) = terms {
          try body(s, p, o)
          summary.triples += 1
        }
        lineStart = newline + 1
      }
      consumedBytes += lineStart
      buffer.removeFirst(lineStart)
      if buffer.count > TripleFileReader.maxLineBytes { throw tooLong(lineNumber + 1) }
      if let progress, consumedBytes - lastProgress >= 1 << 22 {
        progress(consumedBytes, total)
        lastProgress = consumedBytes
      }
    }
    summary.lines = lineNumber
    progress?(consumedBytes, total)
    return summary
  }

  private func tooLong(_ lineNumber: Int) -> DiagnosticError {
    DiagnosticError(
      .data, code: "import-line-length", "the line is longer than \(TripleFileReader.maxLineBytes >> 20) MiB",
      at: SourceLocation(file: inputName, line: lineNumber, column: 1),
      help: "a line holds one triple; is this the right file?")
  }

  // MARK: - TSV

  private func parseTSV(_ line: ArraySlice<UInt8>, lineNumber: Int) throws(DiagnosticError) -> (ImportTerm, ImportTerm, ImportTerm)? {
    if line.isEmpty || line.first == UInt8(ascii: "#") { return nil }
    guard let tab1 = line.firstIndex(of: 0x09),
      let tab2 = line[(tab1 + 1)...].firstIndex(of: 0x09)
    else {
      throw error(line, lineNumber, at: line.endIndex, "expected three tab-separated fields (subject, predicate, object), found \(line.split(separator: 0x09, omittingEmptySubsequences: false).count)")
    }
    if line[(tab2 + 1)...].contains(0x09) {
      throw error(line, lineNumber, at: line[(tab2 + 1)...].firstIndex(of: 0x09) ?? tab2, "expected three tab-separated fields, found more")
    }
    let s = try entity(line[line.startIndex..<tab1], line, lineNumber, "subject")
    let p = try entity(line[(tab1 + 1)..<tab2], line, lineNumber, "predicate")
    let objectBytes = line[(tab2 + 1)...]
    let o: ImportTerm
    if ImportTerm.isPlainIdentifier(objectBytes) {
      o = .plainEntity(objectBytes)
    } else {
      guard !objectBytes.isEmpty else { throw error(line, lineNumber, at: tab2 + 1, "empty object") }
      let fieldBytes = Array(objectBytes)
      if let (value, end) = try? LiteralSyntax.scanValue(fieldBytes, at: 0), end == fieldBytes.count {
        o = .value(value)
      } else if fieldBytes.first == UInt8(ascii: "\"") || fieldBytes.first == UInt8(ascii: "'") {
        // A quoted field that does not parse is an error, not an entity named with quotes.
        let end: Int
        do {
          end = try LiteralSyntax.scanValue(fieldBytes, at: 0).1
        } catch let failure {
          throw error(line, lineNumber, at: tab2 + 1 + failure.offset, failure.message)
        }
        throw error(line, lineNumber, at: tab2 + 1 + end, "unexpected text after the quoted object")
      } else {
        o = .value(.entity(try verbatim(objectBytes, line, lineNumber, "object")))
      }
    }
    return (s, p, o)
  }

  private func entity(_ field: ArraySlice<UInt8>, _ line: ArraySlice<UInt8>, _ lineNumber: Int, _ what: String) throws(DiagnosticError) -> ImportTerm {
    if ImportTerm.isPlainIdentifier(field) { return .plainEntity(field) }
    guard !field.isEmpty else { throw error(line, lineNumber, at: field.startIndex, "empty \(what)") }
    if field.first == UInt8(ascii: "'") {
      let bytes = Array(field)
      let scanned: (String, Int)
      do {
        scanned = try LiteralSyntax.scanEntity(bytes, at: 0)
      } catch let failure {
        throw error(line, lineNumber, at: field.startIndex + failure.offset, failure.message)
      }
      guard scanned.1 == bytes.count else {
        throw error(line, lineNumber, at: field.startIndex + scanned.1, "unexpected text after the quoted \(what)")
      }
      return .value(.entity(scanned.0))
    }
    return .value(.entity(try verbatim(field, line, lineNumber, what)))
  }

  private func verbatim(_ field: ArraySlice<UInt8>, _ line: ArraySlice<UInt8>, _ lineNumber: Int, _ what: String) throws(DiagnosticError) -> String {
    guard let text = String(validating: field, as: UTF8.self) else {
      throw error(line, lineNumber, at: field.startIndex, "the \(what) is not valid UTF-8")
    }
    if let bad = field.firstIndex(where: { $0 < 0x20 || $0 == 0x7F }) {
      throw error(line, lineNumber, at: bad, "control character in the \(what)")
    }
    return text
  }

  // MARK: - N-Triples

  private func parseNTriples(_ line: ArraySlice<UInt8>, lineNumber: Int, summary: inout Summary) throws(DiagnosticError) -> (ImportTerm, ImportTerm, ImportTerm)? {
    let bytes = Array(line)
    var i = skip(bytes, 0)
    if i == bytes.count || bytes[i] == UInt8(ascii: "#") { return nil }
    func fail(_ at: Int, _ message: String) -> DiagnosticError {
      error(line, lineNumber, at: line.startIndex + at, message)
    }
    let subject: String
    if bytes[i] == UInt8(ascii: "<") {
      (subject, i) = try iri(bytes, i, fail)
    } else if bytes[i] == UInt8(ascii: "_") {
      (subject, i) = try blankNode(bytes, i, fail)
    } else {
      throw fail(i, "expected an IRI `<...>` or a blank node `_:x` as the subject")
    }
    i = skip(bytes, i)
    guard i < bytes.count, bytes[i] == UInt8(ascii: "<") else { throw fail(i, "expected an IRI `<...>` as the predicate") }
    let predicate: String
    (predicate, i) = try iri(bytes, i, fail)
    i = skip(bytes, i)
    guard i < bytes.count else { throw fail(i, "expected an object") }
    let object: Value
    switch bytes[i] {
    case UInt8(ascii: "<"):
      let (id, end) = try iri(bytes, i, fail)
      object = .entity(id)
      i = end
    case UInt8(ascii: "_"):
      let (id, end) = try blankNode(bytes, i, fail)
      object = .entity(id)
      i = end
    case UInt8(ascii: "\""):
      let (value, end) = try literal(bytes, i, fail, &summary)
      object = value
      i = end
    default:
      throw fail(i, "expected an IRI, a blank node or a literal as the object")
    }
    i = skip(bytes, i)
    guard i < bytes.count, bytes[i] == UInt8(ascii: ".") else { throw fail(i, "expected `.` at the end of the triple") }
    i = skip(bytes, i + 1)
    guard i == bytes.count || bytes[i] == UInt8(ascii: "#") else { throw fail(i, "unexpected text after `.`") }
    return (term(subject), term(predicate), object.entityID.map(term) ?? .value(object))
  }

  private func term(_ id: String) -> ImportTerm {
    let bytes = ArraySlice(Array(id.utf8))
    return ImportTerm.isPlainIdentifier(bytes) ? .plainEntity(bytes) : .value(.entity(id))
  }

  private func skip(_ b: [UInt8], _ start: Int) -> Int {
    var i = start
    while i < b.count, b[i] == 0x20 || b[i] == 0x09 { i += 1 }
    return i
  }

  private func iri(_ b: [UInt8], _ start: Int, _ fail: (Int, String) -> DiagnosticError) throws(DiagnosticError) -> (String, Int) {
    var i = start + 1
    var out = [UInt8]()
    while i < b.count, b[i] != UInt8(ascii: ">") {
      let c = b[i]
      if c == UInt8(ascii: "\\") {
        let (scalar, end) = try unicodeEscape(b, i, fail)
        out += Array(String(Character(scalar)).utf8)
        i = end
        continue
      }
      if c <= 0x20 || c == UInt8(ascii: "<") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "{") || c == UInt8(ascii: "}")
        || c == UInt8(ascii: "|") || c == UInt8(ascii: "^") || c == UInt8(ascii: "`")
      {
        throw fail(i, "character not allowed in an IRI")
      }
      out.append(c)
      i += 1
    }
    guard i < b.count else { throw fail(start, "unterminated IRI: missing `>`") }
    guard let text = String(validating: out, as: UTF8.self) else { throw fail(start, "IRI is not valid UTF-8") }
    guard !text.isEmpty else { throw fail(start, "empty IRI") }
    let id = RDFMapping().entityID(fromIRI: text)
    return (id, i + 1)
  }

  private func blankNode(_ b: [UInt8], _ start: Int, _ fail: (Int, String) -> DiagnosticError) throws(DiagnosticError) -> (String, Int) {
    guard start + 2 < b.count, b[start + 1] == UInt8(ascii: ":") else { throw fail(start, "expected a blank node `_:label`") }
    var i = start + 2
    while i < b.count, b[i] != 0x20, b[i] != 0x09, b[i] != UInt8(ascii: ".") || (i + 1 < b.count && b[i + 1] != 0x20 && b[i + 1] != 0x09) {
      i += 1
    }
    guard i > start + 2, let label = String(validating: b[(start + 2)..<i], as: UTF8.self) else {
      throw fail(start, "empty or invalid blank node label")
    }
    return ("_:" + label, i)
  }

  private func literal(_ b: [UInt8], _ start: Int, _ fail: (Int, String) -> DiagnosticError, _ summary: inout Summary) throws(DiagnosticError) -> (Value, Int) {
    var i = start + 1
    var out = [UInt8]()
    while i < b.count, b[i] != UInt8(ascii: "\"") {
      if b[i] == UInt8(ascii: "\\") {
        guard i + 1 < b.count else { throw fail(i, "unterminated escape") }
        switch b[i + 1] {
        case UInt8(ascii: "t"): out.append(0x09); i += 2
        case UInt8(ascii: "b"): out.append(0x08); i += 2
        case UInt8(ascii: "n"): out.append(0x0A); i += 2
        case UInt8(ascii: "r"): out.append(0x0D); i += 2
        case UInt8(ascii: "f"): out.append(0x0C); i += 2
        case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"): out.append(b[i + 1]); i += 2
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
          let (scalar, end) = try unicodeEscape(b, i, fail)
          out += Array(String(Character(scalar)).utf8)
          i = end
        default: throw fail(i, "unknown escape in a literal")
        }
        continue
      }
      out.append(b[i])
      i += 1
    }
    guard i < b.count else { throw fail(start, "unterminated literal: missing `\"`") }
    guard let text = String(validating: out, as: UTF8.self) else { throw fail(start, "literal is not valid UTF-8") }
    i += 1
    if i < b.count, b[i] == UInt8(ascii: "@") {
      do {
        let (tag, end) = try LiteralSyntax.scanLanguageTag(b, at: i)
        return (.string(text, language: tag), end)
      } catch let failure {
        throw fail(failure.offset, failure.message)
      }
    }
    if i + 1 < b.count, b[i] == UInt8(ascii: "^"), b[i + 1] == UInt8(ascii: "^") {
      guard i + 2 < b.count, b[i + 2] == UInt8(ascii: "<") else { throw fail(i, "expected `<datatype>` after `^^`") }
      let (datatype, end) = try iri(b, i + 2, fail)
      if case .success(let value) = RDFMapping().value(for: .literal(text, language: nil, datatype: datatype)) {
        return (value, end)
      }
      summary.droppedDatatypes += 1
      return (.string(text, language: nil), end)
    }
    return (.string(text, language: nil), i)
  }

  private func unicodeEscape(_ b: [UInt8], _ i: Int, _ fail: (Int, String) -> DiagnosticError) throws(DiagnosticError) -> (Unicode.Scalar, Int) {
    guard i + 1 < b.count, b[i + 1] == UInt8(ascii: "u") || b[i + 1] == UInt8(ascii: "U") else { throw fail(i, "only \\u and \\U escapes are allowed here") }
    let digits = b[i + 1] == UInt8(ascii: "u") ? 4 : 8
    guard i + 2 + digits <= b.count, let value = UInt32(String(decoding: b[(i + 2)..<(i + 2 + digits)], as: UTF8.self), radix: 16),
      let scalar = Unicode.Scalar(value)
    else { throw fail(i, "invalid \\\(Character(Unicode.Scalar(b[i + 1]))) escape") }
    return (scalar, i + 2 + digits)
  }

  // MARK: - Errors

  private func error(_ line: ArraySlice<UInt8>, _ lineNumber: Int, at index: Int, _ message: String) -> DiagnosticError {
    let clamped = min(max(index, line.startIndex), line.endIndex)
    let column = String(decoding: line[line.startIndex..<clamped], as: UTF8.self).count + 1
    let text = String(decoding: line, as: UTF8.self)
    return DiagnosticError(
      .data, code: "import-syntax", message,
      at: SourceLocation(file: inputName, line: lineNumber, column: column, lineText: text))
  }
}
