// Reads the four W3C RDF 1.1 text syntaxes — Turtle, TriG, N-Triples and N-Quads — into
// `RDFQuad` values, streaming them to a closure in document order.
//
// Input. UTF-8 bytes; a byte order mark at the start is skipped. The whole input is checked to
// be UTF-8 before any statement is handed over, so invalid UTF-8 is reported (with its place)
// even at the end of a file.
//
// Terms. IRIs are handed over absolute: `<…>` references are resolved against the base (RFC 3986
// section 5.2, dot segments removed) — the latest `@base`/`BASE`, else the reader's `baseIRI`;
// a relative reference with no base is an error. Absolute IRIs are kept as written. Prefixed
// names are the prefix's IRI plus the local name with `\`-escapes removed and `%XX` kept.
// Literals carry their lexical form as written (numbers too: `+1`, `-.5`, `1e10`); a
// language tag is lowercased; `xsd:string` is given as no datatype.
//
// Blank nodes. Labels written in the document name one node per document (in TriG across all its
// graphs). Nodes the syntax makes without a label (`[]`, `[ … ]`, collections) get fresh labels
// `genid0`, `genid1`, … . So that these cannot clash with written labels, in Turtle and TriG a
// written label that starts with `genid` is read with `_` appended (`_:genid7` becomes
// `genid7_`, `_:genid7_` becomes `genid7__`): fresh labels never end with `_`, and appending
// keeps distinct written labels distinct. N-Triples and N-Quads make no fresh nodes and keep
// every label as written.
//
// Order. A statement is handed over as soon as its object is known: for `:s :p [ :q :r ]` that
// is `:s :p _:genid0` and then `_:genid0 :q :r`; a collection `( x y )` gives the link to its
// first cell, then for each cell `rdf:first` and the `rdf:rest` link to the next (or to
// `rdf:nil`). A quad's line and column are those of the token that made its subject: the
// statement's subject, the `[` of a blank node property list, or the item of a collection cell.
//
// Nesting. Turtle and TriG are parsed by a state machine with an explicit stack on the heap, so
// `[ [ [ …` or `( ( ( …` nested to any depth costs memory, never the call stack.
//
// Errors. The first error stops the read: statements before it have been handed over, none
// after. It is thrown as a `DiagnosticError` (category data, exit status 65, code `rdf-syntax`)
// at the line and column (in characters) of the offending token, with help saying what to do.

import Diagnostics
import GraphModel

/// A reader for W3C Turtle 1.1, TriG 1.1, N-Triples 1.1 and N-Quads 1.1 documents.
///
/// ```swift
/// let reader = RDFReader(syntax: .turtle, name: "data.ttl")
/// try reader.read(bytes) { quad in print(quad.subject, quad.predicate, quad.object) }
/// ```
///
/// The reader works on bytes and takes time linear in the input; it never crashes on any input
/// and reports the first error it finds (see the file header for the rules on blank nodes,
/// IRIs and the order of statements).
public struct RDFReader: Sendable {
  /// The syntaxes read (GraphModel's one list, shared with the writer).
  public typealias Syntax = RDFSyntax

  /// The syntax read.
  public let syntax: Syntax
  /// The name of the input in messages (a file name, `<stdin>`).
  public let name: String
  /// The IRI relative references are resolved against until the document declares a base;
  /// nil for none (then a relative reference before any `@base` is an error).
  public let baseIRI: String?

  /// The diagnostic code of every syntax error.
  public static let errorCode = "rdf-syntax"
  /// The label prefix of blank nodes the reader makes up (`genid0`, `genid1`, …).
  public static let freshLabelPrefix = "genid"

  /// Creates a reader.
  ///
  /// - Parameters:
  ///   - syntax: The syntax of the documents to read.
  ///   - name: The file name used in messages.
  ///   - baseIRI: The initial base IRI for relative references (it should be absolute).
  public init(syntax: Syntax, name: String, baseIRI: String? = nil) {
    self.syntax = syntax
    self.name = name
    self.baseIRI = baseIRI
  }

  /// Parses the whole document, calling `body` for every statement in document order.
  ///
  /// - Throws: ``DiagnosticError`` (category data, code `rdf-syntax`) at the first syntax error
  ///   or invalid UTF-8, with its line and column; or whatever `body` throws, unchanged.
  public func read(_ bytes: [UInt8], _ body: (RDFQuad) throws -> Void) throws {
    let origin = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    do {
      try bytes.withUnsafeBufferPointer { buffer in
        if let bad = RDFReader.firstInvalidUTF8(buffer, from: origin) {
          let hex = String(buffer[bad], radix: 16, uppercase: true)
          throw RDFSyntaxFailure(
            offset: bad, length: 1, "invalid UTF-8: byte 0x\(hex) does not belong here",
            help: "RDF documents are UTF-8; convert the file first (for example with `iconv -f LATIN1 -t UTF-8`)")
        }
        let lexer = RDFLexer(buffer, origin: origin, syntax: syntax)
        switch syntax {
        case .ntriples, .nquads:
          var parser = LineParser(lexer: lexer, quads: syntax == .nquads)
          try parser.run(body)
        case .turtle, .trig:
          var parser = TurtleParser(lexer: lexer, trig: syntax == .trig, baseIRI: baseIRI)
          try parser.run(body)
        }
      }
    } catch let failure as RDFSyntaxFailure {
      throw diagnostic(for: failure, in: bytes, origin: origin)
    }
  }

  // MARK: - Errors

  private func diagnostic(for failure: RDFSyntaxFailure, in bytes: [UInt8], origin: Int) -> DiagnosticError {
    let location = RDFReader.location(of: failure.offset, length: failure.length, in: bytes, origin: origin, name: name)
    return DiagnosticError(
      .data, code: RDFReader.errorCode, failure.message, at: location,
      help: failure.help ?? defaultHelp)
  }

  private var defaultHelp: String {
    switch syntax {
    case .turtle: "the file is read as Turtle 1.1 (https://www.w3.org/TR/turtle/)"
    case .trig: "the file is read as TriG 1.1 (https://www.w3.org/TR/trig/)"
    case .ntriples: "the file is read as N-Triples 1.1, one triple per line (https://www.w3.org/TR/n-triples/)"
    case .nquads: "the file is read as N-Quads 1.1, one statement per line (https://www.w3.org/TR/n-quads/)"
    }
  }

  /// The location of a byte offset: line, column in characters, and the line's text.
  static func location(of offset: Int, length: Int, in bytes: [UInt8], origin: Int, name: String) -> SourceLocation {
    let offset = min(max(offset, origin), bytes.count)
    var line = 1
    var lineStart = origin
    var i = origin
    while i < offset {
      if bytes[i] == 0x0A {
        line += 1
        lineStart = i + 1
      }
      i += 1
    }
    var lineEnd = offset
    while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
    let text = String(decoding: bytes[lineStart..<lineEnd], as: UTF8.self)
    let source = SourceText(name: name, text: text, firstLine: line)
    let start = offset - lineStart
    return source.location(of: SourceSpan(start: start, end: start + max(1, length)))
  }

  /// The offset of the first byte that is not part of well-formed UTF-8, if any.
  static func firstInvalidUTF8(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    let n = b.count
    var i = start
    while i < n {
      let c = b[i]
      if c < 0x80 {
        i += 1
        continue
      }
      var need = 0
      var low: UInt8 = 0x80
      var high: UInt8 = 0xBF
      switch c {
      case 0xC2...0xDF: need = 1
      case 0xE0: need = 2; low = 0xA0
      case 0xE1...0xEC, 0xEE...0xEF: need = 2
      case 0xED: need = 2; high = 0x9F
      case 0xF0: need = 3; low = 0x90
      case 0xF1...0xF3: need = 3
      case 0xF4: need = 3; high = 0x8F
      default: return i
      }
      guard i + need < n, b[i + 1] >= low, b[i + 1] <= high else { return i }
      var k = 2
      while k <= need {
        guard b[i + k] & 0xC0 == 0x80 else { return i }
        k += 1
      }
      i += need + 1
    }
    return nil
  }
}

/// A syntax error found while reading: where (a byte offset and length) and what.
struct RDFSyntaxFailure: Error {
  var offset: Int
  var length: Int
  var message: String
  var help: String?

  init(offset: Int, length: Int, _ message: String, help: String? = nil) {
    self.offset = offset
    self.length = length
    self.message = message
    self.help = help
  }
}

// MARK: - Bytes and characters

private enum ASCII {
  static let tab: UInt8 = 0x09, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D, space: UInt8 = 0x20
  static let quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'"), backslash = UInt8(ascii: "\\")
  static let less = UInt8(ascii: "<"), greater = UInt8(ascii: ">"), hash = UInt8(ascii: "#")
  static let colon = UInt8(ascii: ":"), dot = UInt8(ascii: "."), underscore = UInt8(ascii: "_")
  static let at = UInt8(ascii: "@"), caret = UInt8(ascii: "^"), minus = UInt8(ascii: "-"), plus = UInt8(ascii: "+")
  static let percent = UInt8(ascii: "%"), comma = UInt8(ascii: ","), semicolon = UInt8(ascii: ";")
  static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
  static let openParen = UInt8(ascii: "("), closeParen = UInt8(ascii: ")")
  static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
  static let slash = UInt8(ascii: "/"), question = UInt8(ascii: "?")

  @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
  @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
  @inline(__always) static func isHex(_ c: UInt8) -> Bool { isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) }
  @inline(__always) static func hexValue(_ c: UInt8) -> UInt32 {
    isDigit(c) ? UInt32(c - 0x30) : UInt32((c | 0x20) - 0x61 + 10)
  }

  /// Characters an IRIREF may not hold: controls, space and `<>"{}|^`\`.
  @inline(__always) static func isForbiddenInIRI(_ c: UInt32) -> Bool {
    c <= 0x20 || c == 0x3C || c == 0x3E || c == 0x22 || c == 0x7B || c == 0x7D || c == 0x7C || c == 0x5E
      || c == 0x60 || c == 0x5C
  }

  /// The characters `\` may escape in a local name (PN_LOCAL_ESC).
  static func isLocalEscape(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "!"),
      UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
      UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
      UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "@"), UInt8(ascii: "%"):
      true
    default: false
    }
  }

  /// PN_CHARS_BASE.
  static func isNameStart(_ c: UInt32) -> Bool {
    switch c {
    case 0x41...0x5A, 0x61...0x7A, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF,
      0x200C...0x200D, 0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD,
      0x10000...0xEFFFF:
      true
    default: false
    }
  }

  /// PN_CHARS_U.
  @inline(__always) static func isNameStartOrUnderscore(_ c: UInt32) -> Bool { c == 0x5F || isNameStart(c) }

  /// PN_CHARS.
  static func isNameChar(_ c: UInt32) -> Bool {
    if c < 0x80 {
      return (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
    }
    return isNameStart(c) || c == 0xB7 || (0x300...0x36F).contains(c) || c == 0x203F || c == 0x2040
  }
}

// MARK: - Tokens

/// One Turtle or TriG token.
struct RDFToken {
  enum Kind: Equatable {
    case eof
    /// `<…>`; `text` is the reference with escapes decoded, not yet resolved.
    case iri
    /// `prefix:local`; `prefix` and `text` (the local name, unescaped).
    case prefixedName
    /// `_:label`; `text` is the label.
    case blank
    /// A quoted string; `text` is its value.
    case string
    /// `@word`: a language tag after a string, `@prefix` or `@base` elsewhere.
    case atWord
    case integer, decimal, double
    /// A bare word without a colon: `a`, `true`, `false`, `PREFIX`, `BASE`, `GRAPH`.
    case word
    /// `^^`.
    case datatypeMark
    /// One of `. , ; [ ] ( ) { }`; the byte is in `punctuation`.
    case punctuation
  }

  var kind: Kind
  /// Byte offsets of the token's first byte and just past its last.
  var start: Int
  var end: Int
  /// The line of the token's start and the offset at which that line starts.
  var line: Int
  var lineStart: Int
  var text = ""
  var prefix = ""
  var punctuation: UInt8 = 0

  @inline(__always) func isPunctuation(_ c: UInt8) -> Bool { kind == .punctuation && punctuation == c }
}

// MARK: - Lexer

/// Scans tokens over the input bytes, keeping track of lines.
struct RDFLexer {
  let buffer: UnsafeBufferPointer<UInt8>
  let count: Int
  let origin: Int
  let syntax: RDFReader.Syntax
  /// The offset of the next byte to read.
  var position: Int
  /// The current line (1-based) and the offset at which it starts.
  var line = 1
  var lineStart: Int
  private var columnCache = (lineStart: -1, offset: 0, column: 1)

  init(_ buffer: UnsafeBufferPointer<UInt8>, origin: Int, syntax: RDFReader.Syntax) {
    self.buffer = buffer
    self.count = buffer.count
    self.origin = origin
    self.syntax = syntax
    self.position = origin
    self.lineStart = origin
  }

  /// The byte at an offset, or 0 past the end.
  @inline(__always) func byte(_ i: Int) -> UInt8 { i < count ? buffer[i] : 0 }

  /// The Unicode scalar starting at an offset (the input is known to be UTF-8) and its length.
  @inline(__always) func scalar(_ i: Int) -> (UInt32, Int) {
    let c = byte(i)
    if c < 0x80 { return (UInt32(c), 1) }
    if c < 0xE0 { return ((UInt32(c & 0x1F) << 6) | UInt32(byte(i + 1) & 0x3F), 2) }
    if c < 0xF0 {
      return ((UInt32(c & 0x0F) << 12) | (UInt32(byte(i + 1) & 0x3F) << 6) | UInt32(byte(i + 2) & 0x3F), 3)
    }
    return (
      (UInt32(c & 0x07) << 18) | (UInt32(byte(i + 1) & 0x3F) << 12) | (UInt32(byte(i + 2) & 0x3F) << 6)
        | UInt32(byte(i + 3) & 0x3F), 4
    )
  }

  @inline(__always) func string(_ from: Int, _ to: Int) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: buffer[from..<to]), as: UTF8.self)
  }

  /// The 1-based column, in characters, of an offset on the line starting at `lineStart`.
  /// Consecutive calls along one line cost only the distance between them.
  mutating func column(of offset: Int, lineStart: Int) -> Int {
    var from = lineStart
    var column = 1
    if columnCache.lineStart == lineStart, columnCache.offset <= offset {
      from = columnCache.offset
      column = columnCache.column
    }
    var ascii = true
    var i = from
    while i < offset {
      if buffer[i] >= 0x80 {
        ascii = false
        break
      }
      i += 1
    }
    column += ascii ? offset - from : string(from, offset).count
    columnCache = (lineStart, offset, column)
    return column
  }

  // MARK: trivia

  /// Skips white space and comments (Turtle and TriG: across lines).
  mutating func skipTrivia() {
    while position < count {
      let c = buffer[position]
      if c == ASCII.space || c == ASCII.tab || c == ASCII.cr {
        position += 1
      } else if c == ASCII.lf {
        position += 1
        line += 1
        lineStart = position
      } else if c == ASCII.hash {
        skipComment()
      } else {
        return
      }
    }
  }

  /// Skips a comment up to (not including) the end of its line.
  mutating func skipComment() {
    while position < count, buffer[position] != ASCII.lf, buffer[position] != ASCII.cr { position += 1 }
  }

  /// Skips spaces and tabs (N-Triples and N-Quads: white space within a line).
  @inline(__always) mutating func skipSpaces() {
    while position < count, buffer[position] == ASCII.space || buffer[position] == ASCII.tab { position += 1 }
  }

  // MARK: tokens

  /// The next Turtle or TriG token.
  mutating func next() throws -> RDFToken {
    skipTrivia()
    var token = RDFToken(kind: .eof, start: position, end: position, line: line, lineStart: lineStart)
    guard position < count else { return token }
    let c = buffer[position]
    switch c {
    case ASCII.less:
      token.kind = .iri
      token.text = try scanIRI()
    case ASCII.quote, ASCII.apostrophe:
      token.kind = .string
      token.text = try scanString(allowLong: true)
    case ASCII.underscore:
      token.kind = .blank
      token.text = try scanBlankLabel()
    case ASCII.at:
      token.kind = .atWord
      token.text = try scanAtWord()
    case ASCII.caret:
      guard byte(position + 1) == ASCII.caret else {
        throw RDFSyntaxFailure(offset: position, length: 1, "expected `^^` before a datatype, found a single `^`")
      }
      position += 2
      token.kind = .datatypeMark
    case ASCII.dot:
      if ASCII.isDigit(byte(position + 1)) {
        token.kind = try scanNumber()
        token.text = string(token.start, position)
      } else {
        position += 1
        token.kind = .punctuation
        token.punctuation = c
      }
    case ASCII.plus, ASCII.minus, 0x30...0x39:
      token.kind = try scanNumber()
      token.text = string(token.start, position)
    case ASCII.comma, ASCII.semicolon, ASCII.openBracket, ASCII.closeBracket, ASCII.openParen, ASCII.closeParen,
      ASCII.openBrace, ASCII.closeBrace:
      position += 1
      token.kind = .punctuation
      token.punctuation = c
    case ASCII.colon:
      position += 1
      token.kind = .prefixedName
      token.text = try scanLocalName()
    default:
      let (s, length) = scalar(position)
      guard ASCII.isNameStart(s) else {
        throw RDFSyntaxFailure(
          offset: position, length: 1, "unexpected character \(RDFLexer.describe(scalar: s))",
          help: unexpectedCharacterHelp(s))
      }
      // PN_PREFIX, or a keyword when no colon follows.
      position += length
      skipNameCharacters()
      if byte(position) == ASCII.colon {
        token.prefix = string(token.start, position)
        position += 1
        token.kind = .prefixedName
        token.text = try scanLocalName()
      } else {
        token.kind = .word
        token.text = string(token.start, position)
      }
    }
    token.end = position
    return token
  }

  private func unexpectedCharacterHelp(_ s: UInt32) -> String {
    switch s {
    case 0x22, 0x27: "strings are quoted with `\"`, `'`, `\"\"\"` or `'''`"
    case 0x7B, 0x7D: "braces group the statements of a graph in TriG"
    default: "statements are made of IRIs `<…>`, prefixed names `ex:x`, blank nodes `_:b`, literals and `. ; , [ ] ( )`"
    }
  }

  /// A scalar for a message: quoted in backticks, or as `U+XXXX` when it is not printable.
  static func describe(scalar s: UInt32) -> String {
    if s >= 0x21, s < 0x7F { return "`\(Character(Unicode.Scalar(UInt8(s))))`" }
    if s > 0xA0, let u = Unicode.Scalar(s), !u.properties.isWhitespace, u.properties.generalCategory != .format,
      u.properties.generalCategory != .control
    {
      return "`\(Character(u))`"
    }
    let hex = String(s, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
  }

  /// `<…>`: the reference with `\u`/`\U` escapes decoded. The position is at `<`.
  mutating func scanIRI() throws -> String {
    let open = position
    position += 1
    var segment = position
    var decoded: [UInt8]? = nil
    while true {
      guard position < count else {
        throw RDFSyntaxFailure(offset: open, length: 1, "unterminated IRI: no `>` before the end of the file")
      }
      let c = buffer[position]
      if c == ASCII.greater { break }
      if c == ASCII.backslash {
        var out = decoded ?? []
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[segment..<position]))
        let escape = position
        let s = try scanUnicodeEscape()
        if ASCII.isForbiddenInIRI(s.value) {
          throw RDFSyntaxFailure(
            offset: escape, length: position - escape,
            "the escape `\(string(escape, position))` stands for \(RDFLexer.describe(scalar: s.value)), which an IRI cannot hold",
            help: "percent-encode the character instead (a space is `%20`)")
        }
        out.append(contentsOf: String(Character(s)).utf8)
        decoded = out
        segment = position
        continue
      }
      if c <= ASCII.space || c == ASCII.less || c == ASCII.quote || c == ASCII.openBrace || c == ASCII.closeBrace
        || c == UInt8(ascii: "|") || c == ASCII.caret || c == UInt8(ascii: "`")
      {
        if c == ASCII.lf || c == ASCII.cr {
          throw RDFSyntaxFailure(
            offset: open, length: position - open, "unterminated IRI: no `>` before the end of the line",
            help: "an IRI `<…>` ends with `>` on the same line")
        }
        throw RDFSyntaxFailure(
          offset: position, length: 1, "\(c == ASCII.space ? "a space" : RDFLexer.describe(scalar: UInt32(c))) is not allowed in an IRI",
          help: c == ASCII.less
            ? "is a `>` missing before it?" : "percent-encode it (a space is `%20`, `{` is `%7B`)")
      }
      position += 1
    }
    let text = finish(decoded, segment: segment)
    position += 1
    return text
  }

  /// `\uXXXX` or `\UXXXXXXXX` at the position; moves past it.
  mutating func scanUnicodeEscape() throws -> Unicode.Scalar {
    let start = position
    let kind = byte(position + 1)
    guard kind == UInt8(ascii: "u") || kind == UInt8(ascii: "U") else {
      throw RDFSyntaxFailure(
        offset: start, length: 2, "invalid escape `\\\(String(Unicode.Scalar(kind)))` in an IRI",
        help: "an IRI allows only `\\uXXXX` and `\\UXXXXXXXX` escapes; percent-encode other characters")
    }
    let digits = kind == UInt8(ascii: "u") ? 4 : 8
    var value: UInt32 = 0
    for k in 0..<digits {
      let h = byte(start + 2 + k)
      guard ASCII.isHex(h) else {
        throw RDFSyntaxFailure(
          offset: start, length: 2 + k, "invalid escape: `\\\(String(Unicode.Scalar(kind)))` needs \(digits) hexadecimal digits",
          help: "write `\\u` with 4 hex digits (`\\u00E9`) or `\\U` with 8 (`\\U0001F600`)")
      }
      value = value << 4 | ASCII.hexValue(h)
    }
    guard let s = Unicode.Scalar(value) else {
      throw RDFSyntaxFailure(
        offset: start, length: 2 + digits, "the escape `\(string(start, start + 2 + digits))` is not a Unicode character",
        help: "surrogates (D800–DFFF) and values past 10FFFF cannot be escaped; write the character itself")
    }
    position = start + 2 + digits
    return s
  }

  /// A quoted string at the position (`"…"`, `'…'`, and with `allowLong` `"""…"""`, `'''…'''`):
  /// its value with escapes decoded.
  mutating func scanString(allowLong: Bool) throws -> String {
    let open = position
    let quote = buffer[position]
    let long = allowLong && byte(position + 1) == quote && byte(position + 2) == quote
    position += long ? 3 : 1
    var segment = position
    var decoded: [UInt8]? = nil
    let quoteText = long ? String(repeating: String(Unicode.Scalar(quote)), count: 3) : String(Unicode.Scalar(quote))
    while true {
      guard position < count else {
        throw RDFSyntaxFailure(
          offset: open, length: long ? 3 : 1, "unterminated string: no closing \(quoteText) before the end of the file",
          help: "close the string with \(quoteText)")
      }
      let c = buffer[position]
      if c == quote {
        if !long || (byte(position + 1) == quote && byte(position + 2) == quote) { break }
        position += 1
        continue
      }
      if c == ASCII.backslash {
        var out = decoded ?? []
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[segment..<position]))
        let e = byte(position + 1)
        switch e {
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "f"): out.append(0x0C)
        case ASCII.quote, ASCII.apostrophe, ASCII.backslash: out.append(e)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
          let s = try scanUnicodeEscape()
          out.append(contentsOf: String(Character(s)).utf8)
          decoded = out
          segment = position
          continue
        default:
          let shown = e == 0 && position + 1 >= count ? "\\" : "\\" + string(position + 1, position + 1 + scalar(position + 1).1)
          throw RDFSyntaxFailure(
            offset: position, length: 2, "invalid escape `\(shown)` in a string",
            help: "strings allow `\\t \\b \\n \\r \\f \\\" \\' \\\\`, `\\uXXXX` and `\\UXXXXXXXX`; write a backslash as `\\\\`")
        }
        position += 2
        decoded = out
        segment = position
        continue
      }
      if c == ASCII.lf || c == ASCII.cr {
        if !long {
          throw RDFSyntaxFailure(
            offset: open, length: position - open, "unterminated string: a line break before the closing \(quoteText)",
            help: allowLong
              ? "write a line break as `\\n`, or use a long string `\"\"\"…\"\"\"` that may span lines"
              : "write a line break as `\\n`: a statement stays on one line")
        }
        if c == ASCII.lf {
          line += 1
          lineStart = position + 1
        }
      }
      position += 1
    }
    let text = finish(decoded, segment: segment)
    position += long ? 3 : 1
    return text
  }

  /// `_:label` at the position: the label.
  mutating func scanBlankLabel() throws -> String {
    let start = position
    guard byte(position + 1) == ASCII.colon else {
      throw RDFSyntaxFailure(
        offset: start, length: 1, "expected `_:` and a label for a blank node",
        help: "blank nodes are written `_:name`, or `[]` for a fresh one")
    }
    position += 2
    let (first, firstLength) = scalar(position)
    guard position < count, ASCII.isNameStartOrUnderscore(first) || (first >= 0x30 && first <= 0x39) else {
      throw RDFSyntaxFailure(
        offset: start, length: 2, "expected a label after `_:`",
        help: "a blank node label starts with a letter, a digit or `_` (`_:b1`)")
    }
    position += firstLength
    skipNameCharacters()
    return string(start + 2, position)
  }

  /// The text of an IRI or string read up to `position`: the bytes since `segment`, after the
  /// bytes already decoded from escapes (nil when there were none).
  func finish(_ decoded: [UInt8]?, segment: Int) -> String {
    guard var out = decoded else { return string(segment, position) }
    out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[segment..<position]))
    return String(decoding: out, as: UTF8.self)
  }

  /// Moves past name characters (PN_CHARS) and inner dots; a name never ends with `.`, so the
  /// position stops after the last name character (the dot then ends the statement).
  mutating func skipNameCharacters() {
    var end = position
    while position < count {
      let (s, length) = scalar(position)
      if ASCII.isNameChar(s) {
        position += length
        end = position
      } else if s == 0x2E {
        position += 1
      } else {
        break
      }
    }
    position = end
  }

  /// `@word` (LANGTAG shape) at the position: the word without `@`.
  mutating func scanAtWord() throws -> String {
    let start = position
    position += 1
    while ASCII.isLetter(byte(position)) { position += 1 }
    guard position > start + 1 else {
      throw RDFSyntaxFailure(
        offset: start, length: 1, "expected a language tag or a directive after `@`",
        help: "language tags follow a string (`\"chat\"@fr`); directives are `@prefix` and `@base`")
    }
    while byte(position) == ASCII.minus, ASCII.isLetter(byte(position + 1)) || ASCII.isDigit(byte(position + 1)) {
      position += 1
      while ASCII.isLetter(byte(position)) || ASCII.isDigit(byte(position)) { position += 1 }
    }
    if byte(position) == ASCII.minus {
      throw RDFSyntaxFailure(
        offset: start, length: position + 1 - start, "incomplete language tag `\(string(start, position + 1))`",
        help: "each part of a language tag after `-` is letters or digits (`@en-GB`, `@zh-Hans`)")
    }
    return string(start + 1, position)
  }

  /// An INTEGER, DECIMAL or DOUBLE at the position.
  mutating func scanNumber() throws -> RDFToken.Kind {
    let start = position
    if byte(position) == ASCII.plus || byte(position) == ASCII.minus { position += 1 }
    let integerStart = position
    while ASCII.isDigit(byte(position)) { position += 1 }
    let integerDigits = position - integerStart
    var kind = RDFToken.Kind.integer
    if byte(position) == ASCII.dot, ASCII.isDigit(byte(position + 1)) {
      position += 1
      while ASCII.isDigit(byte(position)) { position += 1 }
      kind = .decimal
    } else if byte(position) == ASCII.dot, integerDigits > 0, exponentLength(at: position + 1) > 0 {
      position += 1  // `1.e5`
    } else if integerDigits == 0 {
      throw RDFSyntaxFailure(
        offset: start, length: max(1, position - start), "expected a number after `\(string(start, position))`",
        help: "numbers are written `1`, `-2`, `+3.5`, `.5` or `1e10`")
    }
    let exponent = exponentLength(at: position)
    if exponent > 0 {
      position += exponent
      kind = .double
    }
    return kind
  }

  private func exponentLength(at i: Int) -> Int {
    guard byte(i) | 0x20 == UInt8(ascii: "e") else { return 0 }
    var k = i + 1
    if byte(k) == ASCII.plus || byte(k) == ASCII.minus { k += 1 }
    guard ASCII.isDigit(byte(k)) else { return 0 }
    while ASCII.isDigit(byte(k)) { k += 1 }
    return k - i
  }

  /// PN_LOCAL at the position (possibly empty): the local name with `\`-escapes removed and
  /// `%XX` kept; a trailing `.` is left for the next token.
  mutating func scanLocalName() throws -> String {
    var out: [UInt8] = []
    var end = position
    var kept = 0
    var first = true
    while position < count {
      let c = buffer[position]
      if c == ASCII.percent {
        guard ASCII.isHex(byte(position + 1)), ASCII.isHex(byte(position + 2)) else {
          throw RDFSyntaxFailure(
            offset: position, length: 1, "`%` in a local name must be followed by two hexadecimal digits",
            help: "write a percent sign as `%25` or `\\%`")
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position..<(position + 3)]))
        position += 3
      } else if c == ASCII.backslash {
        let e = byte(position + 1)
        guard ASCII.isLocalEscape(e) else {
          throw RDFSyntaxFailure(
            offset: position, length: 2, "invalid escape in a local name",
            help: "a local name may escape only `_~.-!$&'()*+,;=/?#@%` with `\\`; write other characters with an IRI `<…>`")
        }
        out.append(e)
        position += 2
      } else if c == ASCII.colon {
        out.append(c)
        position += 1
      } else if c == ASCII.dot {
        if first { break }
        out.append(c)
        position += 1
        first = false
        continue  // not a possible end
      } else {
        let (s, length) = scalar(position)
        let ok = first ? (ASCII.isNameStartOrUnderscore(s) || (s >= 0x30 && s <= 0x39)) : ASCII.isNameChar(s)
        guard ok else { break }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position..<(position + length)]))
        position += length
      }
      first = false
      end = position
      kept = out.count
    }
    position = end
    return String(decoding: out[0..<kept], as: UTF8.self)
  }

  // MARK: descriptions

  /// A token for a message: its text in backticks (its first line, shortened), or "the end of
  /// the file".
  func describe(_ token: RDFToken) -> String {
    if token.kind == .eof { return "the end of the file" }
    return describe(from: token.start, to: token.end)
  }

  /// The text between two offsets for a message: its first line, at most about 40 bytes.
  func describe(from start: Int, to end: Int) -> String {
    var stop = min(end, count, start + 40)
    var i = start
    while i < stop {
      if buffer[i] == ASCII.lf || buffer[i] == ASCII.cr {
        stop = i
        break
      }
      i += 1
    }
    while stop > start, stop < count, buffer[stop] & 0xC0 == 0x80 { stop -= 1 }
    let cut = stop < min(end, count)
    return "`" + string(start, stop) + (cut ? "…" : "") + "`"
  }

  /// What starts at an offset, for a message (line formats, where there are no tokens).
  func describe(at offset: Int) -> String {
    guard offset < count else { return "the end of the file" }
    if buffer[offset] == ASCII.lf || buffer[offset] == ASCII.cr { return "the end of the line" }
    var end = offset + scalar(offset).1
    while end < count, buffer[end] > ASCII.space { end += 1 }
    return describe(from: offset, to: end)
  }
}

// MARK: - IRI resolution

/// RFC 3986 reference resolution (section 5.2) on UTF-8 bytes.
enum IRIResolution {
  /// The parts of an IRI reference.
  struct Parts {
    var scheme: ArraySlice<UInt8>?
    var authority: ArraySlice<UInt8>?
    var path: ArraySlice<UInt8>
    var query: ArraySlice<UInt8>?
    var fragment: ArraySlice<UInt8>?

    init(_ bytes: [UInt8]) {
      let n = bytes.count
      var i = 0
      let schemeLength = IRIResolution.schemeLength(bytes)
      if schemeLength > 0 {
        scheme = bytes[0..<schemeLength]
        i = schemeLength + 1
      }
      if i + 1 < n, bytes[i] == ASCII.slash, bytes[i + 1] == ASCII.slash {
        var end = i + 2
        while end < n, bytes[end] != ASCII.slash, bytes[end] != ASCII.question, bytes[end] != ASCII.hash { end += 1 }
        authority = bytes[(i + 2)..<end]
        i = end
      }
      var end = i
      while end < n, bytes[end] != ASCII.question, bytes[end] != ASCII.hash { end += 1 }
      path = bytes[i..<end]
      i = end
      if i < n, bytes[i] == ASCII.question {
        end = i + 1
        while end < n, bytes[end] != ASCII.hash { end += 1 }
        query = bytes[(i + 1)..<end]
        i = end
      }
      if i < n, bytes[i] == ASCII.hash { fragment = bytes[(i + 1)..<n] }
    }
  }

  /// The length of the scheme before `:` (0 when the reference has none).
  static func schemeLength<C: Collection<UInt8>>(_ bytes: C) -> Int where C.Index == Int {
    guard let first = bytes.first, ASCII.isLetter(first) else { return 0 }
    var i = bytes.startIndex + 1
    while i < bytes.endIndex {
      let c = bytes[i]
      if c == ASCII.colon { return i - bytes.startIndex }
      guard ASCII.isLetter(c) || ASCII.isDigit(c) || c == ASCII.plus || c == ASCII.minus || c == ASCII.dot else { return 0 }
      i += 1
    }
    return 0
  }

  /// Whether a reference is an absolute IRI (has a scheme).
  static func isAbsolute(_ iri: String) -> Bool {
    var utf8 = iri.utf8.makeIterator()
    guard let first = utf8.next(), ASCII.isLetter(first) else { return false }
    while let c = utf8.next() {
      if c == ASCII.colon { return true }
      guard ASCII.isLetter(c) || ASCII.isDigit(c) || c == ASCII.plus || c == ASCII.minus || c == ASCII.dot else { return false }
    }
    return false
  }

  /// A relative reference resolved against a base with a scheme.
  static func resolve(_ reference: String, against base: Parts) -> String {
    let r = Parts(Array(reference.utf8))
    var out: [UInt8] = []
    out.reserveCapacity(reference.utf8.count + base.path.count + 32)
    out.append(contentsOf: base.scheme ?? [])
    out.append(ASCII.colon)
    if let authority = r.authority {
      out.append(contentsOf: [ASCII.slash, ASCII.slash])
      out.append(contentsOf: authority)
      out.append(contentsOf: removeDotSegments(r.path))
      if let q = r.query { out.append(ASCII.question); out.append(contentsOf: q) }
    } else {
      if let authority = base.authority {
        out.append(contentsOf: [ASCII.slash, ASCII.slash])
        out.append(contentsOf: authority)
      }
      if r.path.isEmpty {
        out.append(contentsOf: base.path)
        if let q = r.query ?? base.query { out.append(ASCII.question); out.append(contentsOf: q) }
      } else {
        if r.path.first == ASCII.slash {
          out.append(contentsOf: removeDotSegments(r.path))
        } else {
          var merged: [UInt8] = []
          if base.authority != nil, base.path.isEmpty {
            merged.append(ASCII.slash)
          } else if let slash = base.path.lastIndex(of: ASCII.slash) {
            merged.append(contentsOf: base.path[base.path.startIndex...slash])
          }
          merged.append(contentsOf: r.path)
          out.append(contentsOf: removeDotSegments(merged[...]))
        }
        if let q = r.query { out.append(ASCII.question); out.append(contentsOf: q) }
      }
    }
    if let f = r.fragment { out.append(ASCII.hash); out.append(contentsOf: f) }
    return String(decoding: out, as: UTF8.self)
  }

  /// RFC 3986 section 5.2.4.
  static func removeDotSegments(_ path: ArraySlice<UInt8>) -> [UInt8] {
    let slashOnly: ArraySlice<UInt8> = [ASCII.slash]
    func equals(_ s: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
      text.withUTF8Buffer { s.elementsEqual($0) }
    }
    func starts(_ s: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
      text.withUTF8Buffer { s.starts(with: $0) }
    }
    func dropLastSegment(_ out: inout [UInt8]) {
      if let slash = out.lastIndex(of: ASCII.slash) { out.removeSubrange(slash...) } else { out.removeAll() }
    }
    var input = path
    var out: [UInt8] = []
    out.reserveCapacity(path.count)
    while !input.isEmpty {
      if starts(input, "../") {
        input = input.dropFirst(3)
      } else if starts(input, "./") {
        input = input.dropFirst(2)
      } else if starts(input, "/./") {
        input = input.dropFirst(2)
      } else if equals(input, "/.") {
        input = slashOnly
      } else if starts(input, "/../") {
        input = input.dropFirst(3)
        dropLastSegment(&out)
      } else if equals(input, "/..") {
        input = slashOnly
        dropLastSegment(&out)
      } else if equals(input, ".") || equals(input, "..") {
        input = input.dropFirst(input.count)
      } else {
        var k = input.startIndex
        if input[k] == ASCII.slash { k += 1 }
        while k < input.endIndex, input[k] != ASCII.slash { k += 1 }
        out.append(contentsOf: input[input.startIndex..<k])
        input = input[k...]
      }
    }
    return out
  }
}

// MARK: - Shared vocabulary

private enum Vocabulary {
  static let rdf = RDFMapping.rdf
  static let xsd = RDFMapping.xsd
  static let type = RDFTerm.iri(rdf + "type")
  static let first = RDFTerm.iri(rdf + "first")
  static let rest = RDFTerm.iri(rdf + "rest")
  static let nilList = RDFTerm.iri(rdf + "nil")
  static let string = xsd + "string"
  static let integer = xsd + "integer"
  static let decimal = xsd + "decimal"
  static let double = xsd + "double"
  static let boolean = xsd + "boolean"

  /// A literal; `xsd:string` is given as no datatype, tags are lowercased.
  static func literal(_ text: String, language: String?, datatype: String?) -> RDFTerm {
    if let language { return .literal(text, language: language.lowercased(), datatype: nil) }
    return .literal(text, language: nil, datatype: datatype == string ? nil : datatype)
  }
}

// MARK: - N-Triples and N-Quads

/// The line formats: one statement per line, absolute IRIs, no abbreviations.
struct LineParser {
  var lexer: RDFLexer
  /// Whether a graph name may follow the object (N-Quads).
  let quads: Bool

  init(lexer: RDFLexer, quads: Bool) {
    self.lexer = lexer
    self.quads = quads
  }

  private var formatName: String { quads ? "N-Quads" : "N-Triples" }

  mutating func run(_ body: (RDFQuad) throws -> Void) throws {
    let count = lexer.count
    while true {
      lexer.skipSpaces()
      guard lexer.position < count else { return }
      let c = lexer.buffer[lexer.position]
      if c == ASCII.lf {
        lexer.position += 1
        lexer.line += 1
        lexer.lineStart = lexer.position
        continue
      }
      if c == ASCII.cr {
        lexer.position += 1
        continue
      }
      if c == ASCII.hash {
        lexer.skipComment()
        continue
      }
      let line = lexer.line
      let column = lexer.column(of: lexer.position, lineStart: lexer.lineStart)
      guard let subject = try node(graph: false) else {
        throw expected(
          "a subject (an IRI `<…>` or a blank node `_:b`)",
          c == ASCII.quote
            ? "literals cannot be subjects"
            : "\(formatName) writes every IRI in full and has no directives, prefixed names or `[]`; is the file Turtle?")
      }
      lexer.skipSpaces()
      guard lexer.byte(lexer.position) == ASCII.less else {
        throw expected("a predicate (an IRI `<…>`)", predicateHelp())
      }
      let predicate = RDFTerm.iri(try absoluteIRI())
      lexer.skipSpaces()
      let object: RDFTerm
      if lexer.byte(lexer.position) == ASCII.quote, lexer.position < count {
        object = try literal()
      } else if let term = try node(graph: false) {
        object = term
      } else {
        throw expected("an object (an IRI `<…>`, a blank node `_:b` or a literal `\"…\"`)", objectHelp())
      }
      lexer.skipSpaces()
      var graph: RDFTerm? = nil
      let g = lexer.byte(lexer.position)
      if (g == ASCII.less || g == ASCII.underscore) && lexer.position < count {
        guard quads else {
          throw RDFSyntaxFailure(
            offset: lexer.position, length: 1, "expected `.` after the object, found \(lexer.describe(at: lexer.position))",
            help: "N-Triples has no graph names; read the file as N-Quads (`.nq`) if it has four terms per line")
        }
        graph = try node(graph: true)
        lexer.skipSpaces()
      }
      guard lexer.byte(lexer.position) == ASCII.dot, lexer.position < count else {
        let what = graph != nil ? "`.` after the graph name" : quads ? "a graph name or `.` after the object" : "`.` after the object"
        throw expected(
          what,
          quads && graph == nil
            ? "a graph name is an IRI `<…>` or a blank node `_:g`; every statement ends with `.` on its line"
            : "every \(formatName) statement ends with `.` on its line")
      }
      lexer.position += 1
      lexer.skipSpaces()
      if lexer.byte(lexer.position) == ASCII.hash { lexer.skipComment() }
      let end = lexer.byte(lexer.position)
      guard lexer.position >= count || end == ASCII.lf || end == ASCII.cr else {
        throw expected("the end of the line after `.`", "\(formatName) has one statement per line")
      }
      try body(RDFQuad(subject, predicate, object, graph: graph, line: line, column: column))
    }
  }

  private func expected(_ what: String, _ help: String?) -> RDFSyntaxFailure {
    let at = lexer.position
    let length = at < lexer.count ? lexer.scalar(at).1 : 1
    return RDFSyntaxFailure(offset: at, length: length, "expected \(what), found \(lexer.describe(at: at))", help: help)
  }

  private func predicateHelp() -> String {
    let c = lexer.byte(lexer.position)
    if c == UInt8(ascii: "a") { return "\(formatName) has no `a`; write `<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>`" }
    return "\(formatName) writes every IRI in full (`<http://example.org/p>`); prefixed names are Turtle"
  }

  private func objectHelp() -> String {
    let c = lexer.byte(lexer.position)
    if c == ASCII.apostrophe { return "\(formatName) literals are quoted with `\"`" }
    if ASCII.isDigit(c) || c == ASCII.plus || c == ASCII.minus {
      return "\(formatName) has no bare numbers; write `\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>`"
    }
    return "\(formatName) writes every IRI in full (`<http://example.org/x>`); prefixed names are Turtle"
  }

  /// An IRI or a blank node at the position, or nil when neither starts there.
  private mutating func node(graph: Bool) throws -> RDFTerm? {
    switch lexer.byte(lexer.position) {
    case ASCII.less where lexer.position < lexer.count: return .iri(try absoluteIRI())
    case ASCII.underscore: return .blank(try lexer.scanBlankLabel())
    default: return nil
    }
  }

  private mutating func absoluteIRI() throws -> String {
    let start = lexer.position
    let iri = try lexer.scanIRI()
    guard IRIResolution.isAbsolute(iri) else {
      throw RDFSyntaxFailure(
        offset: start, length: lexer.position - start,
        "\(formatName) needs absolute IRIs, found the relative IRI \(lexer.describe(from: start, to: lexer.position))",
        help: "write the IRI in full with its scheme (`<http://example.org/x>`), or read the file as Turtle with a base")
    }
    return iri
  }

  private mutating func literal() throws -> RDFTerm {
    let text = try lexer.scanString(allowLong: false)
    lexer.skipSpaces()
    let c = lexer.byte(lexer.position)
    if c == ASCII.at {
      let tag = try lexer.scanAtWord()
      return Vocabulary.literal(text, language: tag, datatype: nil)
    }
    if c == ASCII.caret {
      guard lexer.byte(lexer.position + 1) == ASCII.caret else {
        throw RDFSyntaxFailure(offset: lexer.position, length: 1, "expected `^^` before a datatype, found a single `^`")
      }
      lexer.position += 2
      lexer.skipSpaces()
      guard lexer.byte(lexer.position) == ASCII.less, lexer.position < lexer.count else {
        throw expected("a datatype IRI `<…>` after `^^`", "\(formatName) writes datatypes in full, like `<http://www.w3.org/2001/XMLSchema#integer>`")
      }
      return Vocabulary.literal(text, language: nil, datatype: try absoluteIRI())
    }
    return Vocabulary.literal(text, language: nil, datatype: nil)
  }
}

// MARK: - Turtle and TriG

/// Turtle and TriG: a state machine over tokens with an explicit stack.
struct TurtleParser {
  var lexer: RDFLexer
  let trig: Bool
  /// The current base, split for resolution, and as given (for messages).
  var base: IRIResolution.Parts?
  var baseText: String?
  /// Declared prefixes (without `:`) and their IRIs.
  var prefixes: [String: String] = [:]
  /// The number of fresh blank nodes made so far.
  var freshCount = 0
  /// The subjects being described, innermost last, with where they were written.
  var subjects: [Node] = []
  /// The predicates whose objects are being read, innermost last.
  var predicates: [RDFTerm] = []
  /// The graph statements go to; nil for the default graph.
  var graph: RDFTerm? = nil
  /// The current token, not yet consumed.
  var token: RDFToken

  struct Node {
    var term: RDFTerm
    var line: Int
    var column: Int
  }

  /// What the parser expects next; the stack holds what remains to be done, innermost last.
  enum State {
    /// The top level: a directive, a statement, a graph (TriG) or the end.
    case top
    /// `.` after a statement at the top level.
    case statementEnd
    /// Inside `{ … }` opened at an offset (TriG).
    case graphBody(open: Int)
    /// `.` or `}` after a statement inside a graph (TriG).
    case graphStatementEnd
    /// A predicate (`optional`: or nothing, after a blank node property list subject).
    case predicateObjectList(optional: Bool)
    /// An object.
    case object
    /// `,` and another object, or the end of the object list.
    case objectListRest
    /// `;` and another predicate, or the end of the predicate-object list.
    case predicateListRest
    /// After `;`: more `;`, a predicate, or the end.
    case afterSemicolon
    /// `]` closing a blank node property list opened at an offset.
    case blankNodeListEnd(open: Int, popSubject: Bool)
    /// The next item of a collection opened at an offset, or `)`.
    case collection(open: Int, started: Bool)
  }

  init(lexer: RDFLexer, trig: Bool, baseIRI: String?) {
    self.lexer = lexer
    self.trig = trig
    if let baseIRI { base = IRIResolution.Parts(Array(baseIRI.utf8)) }
    baseText = baseIRI
    token = RDFToken(kind: .eof, start: 0, end: 0, line: 1, lineStart: 0)
  }

  // MARK: driver

  mutating func run(_ body: (RDFQuad) throws -> Void) throws {
    try advance()
    var stack: [State] = [.top]
    while let state = stack.popLast() {
      switch state {
      case .top:
        try top(&stack)

      case .statementEnd:
        guard token.isPunctuation(ASCII.dot) else {
          throw unexpected(
            "`.` after the statement",
            help: token.isPunctuation(ASCII.openBrace) && !trig
              ? "graphs `{ … }` are TriG; read the file as TriG (`.trig`)"
              : "a statement ends with `.`; `;` adds another predicate and `,` another object")
        }
        try advance()
        subjects.removeLast()

      case .graphBody(let open):
        if token.isPunctuation(ASCII.closeBrace) {
          try advance()
          graph = nil
        } else if token.kind == .eof {
          throw unexpected("`}` to close the graph opened at \(place(open))", help: "close the graph with `}`")
        } else if token.isPunctuation(ASCII.openBrace) || isKeyword("GRAPH") {
          throw unexpected("a statement or `}`", help: "graphs cannot be nested; close this one with `}` first")
        } else if isDirective {
          throw unexpected("a statement or `}`", help: "directives must stand outside graphs; move it before the `{`")
        } else {
          stack.append(.graphBody(open: open))
          try triples(&stack, end: .graphStatementEnd, mayNameGraph: false)
        }

      case .graphStatementEnd:
        if token.isPunctuation(ASCII.dot) {
          try advance()
          subjects.removeLast()
        } else if token.isPunctuation(ASCII.closeBrace) {
          subjects.removeLast()
        } else {
          throw unexpected(
            "`.` or `}` after the statement",
            help: "a statement ends with `.` (before `}` it may be left out); `;` adds another predicate and `,` another object")
        }

      case .predicateObjectList(let optional):
        if let verb = try verb() {
          try advance()
          predicates.append(verb)
          stack.append(.predicateListRest)
          stack.append(.objectListRest)
          stack.append(.object)
        } else if !optional {
          throw unexpected("a predicate (an IRI, a prefixed name or `a`)", help: predicateHelp())
        }

      case .object:
        try object(&stack, body)

      case .objectListRest:
        if token.isPunctuation(ASCII.comma) {
          try advance()
          stack.append(.objectListRest)
          stack.append(.object)
        }

      case .predicateListRest:
        predicates.removeLast()
        if token.isPunctuation(ASCII.semicolon) {
          try advance()
          stack.append(.afterSemicolon)
        }

      case .afterSemicolon:
        if token.isPunctuation(ASCII.semicolon) {
          try advance()
          stack.append(.afterSemicolon)
        } else if let verb = try verb() {
          try advance()
          predicates.append(verb)
          stack.append(.predicateListRest)
          stack.append(.objectListRest)
          stack.append(.object)
        }

      case .blankNodeListEnd(let open, let popSubject):
        guard token.isPunctuation(ASCII.closeBracket) else {
          throw unexpected(
            "`]` to close the `[` at \(place(open))",
            help: "a blank node property list is `[ predicate object ; … ]`")
        }
        try advance()
        if popSubject { subjects.removeLast() }

      case .collection(let open, let started):
        if token.isPunctuation(ASCII.closeParen) {
          try advance()
          try emit(Vocabulary.rest, Vocabulary.nilList, body)
          subjects.removeLast()
          predicates.removeLast()
        } else if !startsObject {
          throw unexpected(
            "an object or `)` to close the list opened at \(place(open))",
            help: "a collection is `( object object … )`")
        } else {
          if started {
            let cell = freshNode(at: token)
            try emit(Vocabulary.rest, cell.term, body)
            subjects[subjects.count - 1] = cell
          }
          stack.append(.collection(open: open, started: true))
          stack.append(.object)
        }
      }
    }
  }

  private mutating func advance() throws { token = try lexer.next() }

  private mutating func emit(_ object: RDFTerm, _ body: (RDFQuad) throws -> Void) throws {
    guard let predicate = predicates.last else { return }
    try emit(predicate, object, body)
  }

  private mutating func emit(_ predicate: RDFTerm, _ object: RDFTerm, _ body: (RDFQuad) throws -> Void) throws {
    guard let subject = subjects.last else { return }
    try body(RDFQuad(subject.term, predicate, object, graph: graph, line: subject.line, column: subject.column))
  }

  // MARK: top level

  private var isDirective: Bool {
    (token.kind == .atWord && (token.text == "prefix" || token.text == "base")) || isKeyword("PREFIX") || isKeyword("BASE")
  }

  /// Whether the token is a bare word matching a keyword, ignoring case.
  private func isKeyword(_ keyword: String) -> Bool {
    token.kind == .word && token.text.utf8.count == keyword.utf8.count && token.text.uppercased() == keyword
  }

  private mutating func top(_ stack: inout [State]) throws {
    switch token.kind {
    case .eof:
      return
    case .atWord where token.text == "prefix" || token.text == "base":
      try directive(sparql: false)
      stack.append(.top)
    case .atWord:
      throw unexpected(
        "a statement", help: "the directives are `@prefix` and `@base`; language tags follow a string (`\"chat\"@fr`)")
    case .word where isKeyword("PREFIX") || isKeyword("BASE"):
      try directive(sparql: true)
      stack.append(.top)
    case .word where trig && isKeyword("GRAPH"):
      try advance()
      let labelToken = token
      guard let label = try graphLabel() else {
        throw unexpected("a graph name (an IRI, a prefixed name or a blank node) after `GRAPH`", help: nil)
      }
      guard token.isPunctuation(ASCII.openBrace) else {
        throw unexpected("`{` after the graph name \(lexer.describe(labelToken))", help: "a named graph is `GRAPH name { statements }`")
      }
      let open = token.start
      try advance()
      graph = label
      stack.append(.top)
      stack.append(.graphBody(open: open))
    case .punctuation where token.punctuation == ASCII.openBrace && trig:
      let open = token.start
      try advance()
      graph = nil
      stack.append(.top)
      stack.append(.graphBody(open: open))
    default:
      stack.append(.top)
      try triples(&stack, end: .statementEnd, mayNameGraph: trig)
    }
  }

  /// A graph label after `GRAPH`: an IRI, a prefixed name, a blank node label or `[]`.
  private mutating func graphLabel() throws -> RDFTerm? {
    switch token.kind {
    case .iri, .prefixedName:
      let term = try iri(token)
      try advance()
      return term
    case .blank:
      let term = blank(token.text)
      try advance()
      return term
    case .punctuation where token.punctuation == ASCII.openBracket:
      try advance()
      guard token.isPunctuation(ASCII.closeBracket) else {
        throw unexpected("`]`: a graph name may be `[]` but not a blank node property list", help: nil)
      }
      try advance()
      return fresh()
    default:
      return nil
    }
  }

  /// `@prefix p: <iri> .`, `@base <iri> .`, `PREFIX p: <iri>` or `BASE <iri>`.
  private mutating func directive(sparql: Bool) throws {
    let isPrefix = sparql ? isKeyword("PREFIX") : token.text == "prefix"
    let keyword = sparql ? (isPrefix ? "PREFIX" : "BASE") : (isPrefix ? "@prefix" : "@base")
    try advance()
    if isPrefix {
      guard token.kind == .prefixedName, token.text.isEmpty else {
        throw unexpected("a prefix such as `ex:` after `\(keyword)`", help: "a prefix declaration is `\(keyword) ex: <http://example.org/>\(sparql ? "" : " .")`")
      }
      let prefix = token.prefix
      try advance()
      guard token.kind == .iri else {
        throw unexpected("an IRI `<…>` for the prefix `\(prefix):`", help: "a prefix declaration is `\(keyword) ex: <http://example.org/>\(sparql ? "" : " .")`")
      }
      prefixes[prefix] = try resolve(token)
    } else {
      guard token.kind == .iri else {
        throw unexpected("an IRI `<…>` after `\(keyword)`", help: "a base declaration is `\(keyword) <http://example.org/>\(sparql ? "" : " .")`")
      }
      let resolved = try resolve(token)
      base = IRIResolution.Parts(Array(resolved.utf8))
      baseText = resolved
    }
    try advance()
    if !sparql {
      guard token.isPunctuation(ASCII.dot) else {
        throw unexpected("`.` after the `\(keyword)` directive", help: "`@prefix` and `@base` end with `.`; the SPARQL forms `PREFIX` and `BASE` do not")
      }
      try advance()
    }
  }

  /// Starts a statement at the current token: its subject, then what follows. `end` is the
  /// state that closes the statement and pops its subject. With `mayNameGraph` (TriG, top
  /// level) a subject followed by `{` names a graph instead.
  private mutating func triples(_ stack: inout [State], end: State, mayNameGraph: Bool) throws {
    let start = token
    let subject: RDFTerm
    switch token.kind {
    case .iri, .prefixedName:
      subject = try iri(token)
      try advance()
    case .blank:
      subject = blank(token.text)
      try advance()
    case .punctuation where token.punctuation == ASCII.openBracket:
      try advance()
      if token.isPunctuation(ASCII.closeBracket) {
        try advance()
        subject = fresh()
      } else {
        subjects.append(node(fresh(), at: start))
        stack.append(end)
        stack.append(.predicateObjectList(optional: true))
        stack.append(.blankNodeListEnd(open: start.start, popSubject: false))
        stack.append(.predicateObjectList(optional: false))
        return
      }
    case .punctuation where token.punctuation == ASCII.openParen:
      try advance()
      if token.isPunctuation(ASCII.closeParen) {
        try advance()
        subjects.append(node(Vocabulary.nilList, at: start))
      } else {
        let head = fresh()
        subjects.append(node(head, at: start))
        subjects.append(node(head, at: token))
        predicates.append(Vocabulary.first)
        stack.append(end)
        stack.append(.predicateObjectList(optional: false))
        stack.append(.collection(open: start.start, started: false))
        return
      }
      stack.append(end)
      stack.append(.predicateObjectList(optional: false))
      return
    default:
      throw unexpected("a subject (an IRI, a prefixed name, a blank node, `[` or `(`)", help: subjectHelp())
    }
    if mayNameGraph, token.isPunctuation(ASCII.openBrace) {
      let open = token.start
      try advance()
      graph = subject
      stack.append(.graphBody(open: open))
      return
    }
    subjects.append(node(subject, at: start))
    stack.append(end)
    stack.append(.predicateObjectList(optional: false))
  }

  // MARK: terms

  /// The predicate at the current token (an IRI, a prefixed name or `a`), or nil.
  private func verb() throws -> RDFTerm? {
    switch token.kind {
    case .iri, .prefixedName: return try iri(token)
    case .word where token.text == "a": return Vocabulary.type
    default: return nil
    }
  }

  /// Whether the current token can start an object.
  private var startsObject: Bool {
    switch token.kind {
    case .iri, .prefixedName, .blank, .string, .integer, .decimal, .double: true
    case .word: token.text == "true" || token.text == "false"
    case .punctuation: token.punctuation == ASCII.openBracket || token.punctuation == ASCII.openParen
    default: false
    }
  }

  private mutating func object(_ stack: inout [State], _ body: (RDFQuad) throws -> Void) throws {
    let start = token
    switch token.kind {
    case .iri, .prefixedName:
      let term = try iri(token)
      try advance()
      try emit(term, body)
    case .blank:
      let term = blank(token.text)
      try advance()
      try emit(term, body)
    case .string:
      let text = token.text
      try advance()
      if token.kind == .atWord {
        let language = token.text
        try advance()
        try emit(Vocabulary.literal(text, language: language, datatype: nil), body)
      } else if token.kind == .datatypeMark {
        try advance()
        guard token.kind == .iri || token.kind == .prefixedName else {
          throw unexpected("a datatype (an IRI or a prefixed name) after `^^`", help: "a typed literal is `\"1\"^^xsd:integer`")
        }
        let datatype = try iriText(token)
        try advance()
        try emit(Vocabulary.literal(text, language: nil, datatype: datatype), body)
      } else {
        try emit(Vocabulary.literal(text, language: nil, datatype: nil), body)
      }
    case .integer, .decimal, .double:
      let datatype = token.kind == .integer ? Vocabulary.integer : token.kind == .decimal ? Vocabulary.decimal : Vocabulary.double
      let text = token.text
      try advance()
      try emit(.literal(text, language: nil, datatype: datatype), body)
    case .word where token.text == "true" || token.text == "false":
      let text = token.text
      try advance()
      try emit(.literal(text, language: nil, datatype: Vocabulary.boolean), body)
    case .punctuation where token.punctuation == ASCII.openBracket:
      try advance()
      if token.isPunctuation(ASCII.closeBracket) {
        try advance()
        try emit(fresh(), body)
      } else {
        let b = fresh()
        try emit(b, body)
        subjects.append(node(b, at: start))
        stack.append(.blankNodeListEnd(open: start.start, popSubject: true))
        stack.append(.predicateObjectList(optional: false))
      }
    case .punctuation where token.punctuation == ASCII.openParen:
      try advance()
      if token.isPunctuation(ASCII.closeParen) {
        try advance()
        try emit(Vocabulary.nilList, body)
      } else {
        let head = fresh()
        try emit(head, body)
        subjects.append(node(head, at: token))
        predicates.append(Vocabulary.first)
        stack.append(.collection(open: start.start, started: false))
      }
    default:
      throw unexpected("an object (an IRI, a prefixed name, a blank node, a literal, `[` or `(`)", help: objectHelp())
    }
  }

  /// The IRI of an IRI or prefixed-name token.
  private func iri(_ token: RDFToken) throws -> RDFTerm { .iri(try iriText(token)) }

  /// The IRI text of an IRI or prefixed-name token.
  private func iriText(_ token: RDFToken) throws -> String {
    if token.kind == .iri { return try resolve(token) }
    guard let namespace = prefixes[token.prefix] else {
      throw RDFSyntaxFailure(
        offset: token.start, length: token.prefix.utf8.count + 1, "undefined prefix `\(token.prefix):`",
        help: "declare it before its first use: `@prefix \(token.prefix): <http://example.org/> .`")
    }
    return namespace + token.text
  }

  /// The absolute IRI of an `<…>` token.
  private func resolve(_ token: RDFToken) throws -> String {
    if IRIResolution.isAbsolute(token.text) { return token.text }
    if let base, base.scheme == nil {
      throw RDFSyntaxFailure(
        offset: token.start, length: token.end - token.start,
        "cannot resolve the relative IRI \(lexer.describe(token)): the base IRI `\(baseText ?? "")` is not absolute",
        help: "give an absolute base IRI such as `http://example.org/`")
    }
    guard let base else {
      throw RDFSyntaxFailure(
        offset: token.start, length: token.end - token.start,
        "cannot resolve the relative IRI \(lexer.describe(token)): there is no base IRI",
        help: "declare a base first (`@base <http://example.org/> .`) or write the IRI in full")
    }
    return IRIResolution.resolve(token.text, against: base)
  }

  /// A written blank node label, renamed when it could clash with fresh labels.
  private func blank(_ label: String) -> RDFTerm {
    label.utf8.starts(with: RDFReader.freshLabelPrefix.utf8) ? .blank(label + "_") : .blank(label)
  }

  private mutating func fresh() -> RDFTerm {
    defer { freshCount += 1 }
    return .blank(RDFReader.freshLabelPrefix + String(freshCount))
  }

  private mutating func freshNode(at token: RDFToken) -> Node { node(fresh(), at: token) }

  private mutating func node(_ term: RDFTerm, at token: RDFToken) -> Node {
    Node(term: term, line: token.line, column: lexer.column(of: token.start, lineStart: token.lineStart))
  }

  // MARK: messages

  private func unexpected(_ what: String, help: String?) -> RDFSyntaxFailure {
    RDFSyntaxFailure(
      offset: token.start, length: max(1, token.end - token.start), "expected \(what), found \(lexer.describe(token))",
      help: help)
  }

  /// `line:column` of an offset, for messages that point back at an opening bracket.
  private func place(_ offset: Int) -> String {
    var line = 1
    var lineStart = lexer.origin
    var i = lexer.origin
    while i < offset, i < lexer.count {
      if lexer.buffer[i] == ASCII.lf {
        line += 1
        lineStart = i + 1
      }
      i += 1
    }
    let column = lexer.string(lineStart, min(offset, lexer.count)).count + 1
    return "\(line):\(column)"
  }

  private func subjectHelp() -> String {
    switch token.kind {
    case .string, .integer, .decimal, .double: return "literals cannot be subjects"
    case .punctuation where token.punctuation == ASCII.openBrace: return "graphs `{ … }` are TriG; read the file as TriG (`.trig`)"
    case .punctuation where token.punctuation == ASCII.closeBrace: return "there is no open graph to close here"
    case .punctuation where token.punctuation == ASCII.dot: return "is there a stray `.`, or a statement missing before it?"
    case .word where token.text == "a": return "`a` stands for `rdf:type` and can only be a predicate"
    case .word where isKeyword("GRAPH"): return "named graphs are TriG; read the file as TriG (`.trig`)"
    case .word: return "a prefixed name needs a colon (`ex:\(token.text)`); the keywords are `a`, `true`, `false`, `PREFIX`, `BASE`\(trig ? " and `GRAPH`" : "")"
    default:
      return "statements start with a subject; the directives are `@prefix`, `@base`, `PREFIX` and `BASE`"
    }
  }

  private func predicateHelp() -> String {
    switch token.kind {
    case .blank, .string, .integer, .decimal, .double:
      return "a predicate must be an IRI; blank nodes and literals cannot be predicates"
    case .punctuation where token.punctuation == ASCII.openBracket:
      return "a predicate must be an IRI; blank nodes and literals cannot be predicates"
    case .punctuation where token.punctuation == ASCII.openBrace:
      return "graphs `{ … }` are TriG; read the file as TriG (`.trig`)"
    case .punctuation where token.punctuation == ASCII.semicolon || token.punctuation == ASCII.comma:
      return "`;` and `,` follow an object, they cannot start a predicate list"
    case .word: return "a prefixed name needs a colon (`ex:\(token.text)`); `a` stands for `rdf:type`"
    default: return "a statement is `subject predicate object .`"
    }
  }

  private func objectHelp() -> String {
    switch token.kind {
    case .word where token.text == "a": return "`a` can only be a predicate; write `rdf:type` or an IRI"
    case .word: return "a prefixed name needs a colon (`ex:\(token.text)`); booleans are `true` and `false` in lower case"
    case .atWord: return "a language tag follows a string directly (`\"chat\"@fr`)"
    case .datatypeMark: return "a datatype follows a string (`\"1\"^^xsd:integer`)"
    case .punctuation where token.punctuation == ASCII.dot || token.punctuation == ASCII.semicolon || token.punctuation == ASCII.comma:
      return "an object is missing before this"
    default: return "a statement is `subject predicate object .`"
    }
  }
}
