// Splits query text into tokens for the Parser. `%` starts a comment, except in arithmetic:
// when an operand (digit, variable, `(`) follows it and it comes after a variable or a number,
// or anywhere after a comparison operator in the same literal, it is the modulo operator
// (`Z = X % 2`, `X % 2 = 1`). The word `mod` is modulo too.

import Diagnostics
import GraphModel

/// Turns source text into tokens, collecting lexical errors as diagnostics.
public struct Lexer {
  private let source: SourceText
  private let bytes: [UInt8]
  private var offset = 0
  private var depth = 0
  private var inExpression = false
  private var afterOperand = false
  /// Lexical errors found so far.
  public private(set) var diagnostics: [Diagnostic] = []
  /// Byte offsets of the lexical errors, so the parser does not pile errors on top of them.
  public private(set) var errorOffsets: [Int] = []

  /// Creates a lexer over a source text.
  public init(_ source: SourceText) {
    self.source = source
    self.bytes = source.utf8
  }

  /// All tokens, ending with ``Token/Kind/end``.
  ///
  /// - Parameter shouldStop: Asked every few thousand tokens; true ends the tokens there with a
  ///   `stopped` error (the caller says why: a time limit, Ctrl-C).
  public mutating func tokenize(shouldStop: StopRequest? = nil) -> [Token] {
    var tokens: [Token] = []
    while true {
      if tokens.count & 0xFFF == 0xFFF, let shouldStop, shouldStop() {
        errorOffsets.append(offset)
        diagnostics.append(.error(code: "stopped", "reading stopped here, before the end of the text", in: source, at: SourceSpan(start: offset, end: offset)))
        tokens.append(Token(.end, SourceSpan(start: offset, end: offset)))
        return tokens
      }
      let token = next()
      tokens.append(token)
      switch token.kind {
      case .end: return tokens
      case .comparison: inExpression = true
      case .comma where depth == 0, .period, .implies, .query: inExpression = false
      case .leftParen: depth += 1
      case .rightParen: depth = max(0, depth - 1)
      default: break
      }
      if case .period = token.kind { depth = 0 }
      switch token.kind {
      case .variable, .literal(.integer), .literal(.decimal): afterOperand = true
      default: afterOperand = false
      }
    }
  }

  /// The most errors reported; after that, lexing stops with one note saying so. (Each
  /// diagnostic holds its line's text, so a megabyte of garbage on one line would otherwise
  /// need gigabytes.)
  public static let maximumErrors = 50

  private mutating func error(_ message: String, _ start: Int, _ end: Int, help: String? = nil) {
    if diagnostics.count == Lexer.maximumErrors {
      diagnostics.append(.error(code: "too-many-errors", "too many errors; stopped reading after \(Lexer.maximumErrors)", in: source, at: SourceSpan(start: start, end: max(end, start + 1))))
      errorOffsets.append(start)
      offset = bytes.count
      return
    }
    guard diagnostics.count < Lexer.maximumErrors else {
      offset = bytes.count
      return
    }
    errorOffsets.append(start)
    diagnostics.append(.error(code: "syntax", message, in: source, at: SourceSpan(start: start, end: max(end, start + 1)), help: help))
  }

  /// The next token. Bad characters are reported and skipped in a loop, never by recursion:
  /// the fuzzer found that a long run of them overflowed the stack.
  private mutating func next() -> Token {
    while true {
      if let token = scanToken() { return token }
    }
  }

  /// The next token, or nil after reporting and skipping something that is not one.
  private mutating func scanToken() -> Token? {
    skipTrivia()
    let start = offset
    guard offset < bytes.count else { return Token(.end, SourceSpan(start: start, end: start)) }
    let b = bytes[offset]
    func single(_ kind: Token.Kind) -> Token {
      offset += 1
      return Token(kind, SourceSpan(start: start, end: offset))
    }
    switch b {
    case UInt8(ascii: "("): return single(.leftParen)
    case UInt8(ascii: ")"): return single(.rightParen)
    case UInt8(ascii: ","): return single(.comma)
    case UInt8(ascii: ";"): return single(.semicolon)
    case UInt8(ascii: "["): return single(.leftBracket)
    case UInt8(ascii: "]"): return single(.rightBracket)
    case UInt8(ascii: "{"): return single(.leftBrace)
    case UInt8(ascii: "}"): return single(.rightBrace)
    case UInt8(ascii: "+"): return single(.plus)
    case UInt8(ascii: "-"): return single(.minus)
    case UInt8(ascii: "*"): return single(.star)
    case UInt8(ascii: "/"): return single(.slash)
    case UInt8(ascii: "%"): return single(.percent)
    case UInt8(ascii: "="): return single(.comparison(.equal))
    case UInt8(ascii: "."):
      return single(.period)
    case UInt8(ascii: ":"):
      if peek(1) == UInt8(ascii: "-") {
        offset += 2
        return Token(.implies, SourceSpan(start: start, end: offset))
      }
      return single(.colon)
    case UInt8(ascii: "?"):
      if peek(1) == UInt8(ascii: "-") {
        offset += 2
        return Token(.query, SourceSpan(start: start, end: offset))
      }
      error("unexpected `?`; queries are written `?- goal.`", start, start + 1)
      offset += 1
      return nil
    case UInt8(ascii: "!"):
      if peek(1) == UInt8(ascii: "=") {
        offset += 2
        return Token(.comparison(.notEqual), SourceSpan(start: start, end: offset))
      }
      error("unexpected `!`; use `not` for negation and `!=` for inequality", start, start + 1)
      offset += 1
      return nil
    case UInt8(ascii: "<"), UInt8(ascii: ">"):
      let orEqual = peek(1) == UInt8(ascii: "=")
      offset += orEqual ? 2 : 1
      let op: ComparisonOperator =
        b == UInt8(ascii: "<") ? (orEqual ? .lessOrEqual : .less) : (orEqual ? .greaterOrEqual : .greater)
      return Token(.comparison(op), SourceSpan(start: start, end: offset))
    case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "@"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return literal(start)
    case UInt8(ascii: "$"):
      offset += 1
      let end = (try? LiteralSyntax.scanIdentifier(bytes, at: offset)) ?? offset
      let endVar = end > offset ? end : ((try? LiteralSyntax.scanVariableName(bytes, at: offset)) ?? offset)
      guard endVar > offset else {
        error("expected a parameter name after `$`", start, start + 1)
        return nil
      }
      let name = String(decoding: bytes[offset..<endVar], as: UTF8.self)
      offset = endVar
      return Token(.parameter(name), SourceSpan(start: start, end: offset))
    default:
      return word(start)
    }
  }

  private mutating func literal(_ start: Int) -> Token {
    do {
      if bytes[start] >= 0x30 && bytes[start] <= 0x39 {
        let (value, end) = try LiteralSyntax.scanNumber(bytes, at: start)
        offset = end
        return Token(.literal(value), SourceSpan(start: start, end: end))
      }
      let (value, end) = try LiteralSyntax.scanValue(bytes, at: start)
      offset = end
      if case .entity(let id) = value {
        return Token(.quotedEntity(id), SourceSpan(start: start, end: end))
      }
      return Token(.literal(value), SourceSpan(start: start, end: end))
    } catch let failure {
      error(failure.message, failure.offset, failure.offset + failure.length)
      // Resynchronise after the bad literal: after its closing quote when the line has one,
      // else at the end of the line.
      offset = max(failure.offset + failure.length, start + 1)
      let quote = bytes[start]
      if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
        var i = start + 1
        var closed: Int?
        while i < bytes.count, bytes[i] != 0x0A {
          if bytes[i] == UInt8(ascii: "\\") {
            i += 2
            continue
          }
          if bytes[i] == quote {
            closed = i + 1
            break
          }
          i += 1
        }
        offset = closed ?? i
        // Keep a language tag attached to the broken string.
        if closed != nil, offset < bytes.count, bytes[offset] == UInt8(ascii: "@") {
          offset = (try? LiteralSyntax.scanLanguageTag(bytes, at: offset))?.1 ?? offset
        }
      }
      return Token(.literal(.string("")), SourceSpan(start: start, end: offset))
    }
  }

  private mutating func word(_ start: Int) -> Token? {
    do {
      let identifierEnd = try LiteralSyntax.scanIdentifier(bytes, at: start)
      if identifierEnd > start {
        offset = identifierEnd
        let text = String(decoding: bytes[start..<identifierEnd], as: UTF8.self)
        switch text {
        case "true": return Token(.literal(.boolean(true)), SourceSpan(start: start, end: offset))
        case "false": return Token(.literal(.boolean(false)), SourceSpan(start: start, end: offset))
        case "mod" where inExpression || afterOperand: return Token(.percent, SourceSpan(start: start, end: offset))
        default: return Token(.identifier(text), SourceSpan(start: start, end: offset))
        }
      }
      let variableEnd = try LiteralSyntax.scanVariableName(bytes, at: start)
      if variableEnd > start {
        offset = variableEnd
        return Token(.variable(String(decoding: bytes[start..<variableEnd], as: UTF8.self)), SourceSpan(start: start, end: offset))
      }
      let (scalar, length) = try LiteralSyntax.decodeScalar(bytes, at: start)
      // Full-width punctuation typed with a Chinese input method: the comma and parentheses
      // can only mean their ASCII forms, so they are read as such; others get a suggestion.
      switch scalar.value {
      case 0xFF0C:
        offset = start + length
        return Token(.comma, SourceSpan(start: start, end: offset))
      case 0xFF08:
        offset = start + length
        return Token(.leftParen, SourceSpan(start: start, end: offset))
      case 0xFF09:
        offset = start + length
        return Token(.rightParen, SourceSpan(start: start, end: offset))
      default:
        break
      }
      let ascii: [UInt32: String] = [0x3002: ".", 0xFF0E: ".", 0xFF1A: ":", 0xFF1B: ";", 0x201C: "\"", 0x201D: "\"", 0x2018: "'", 0x2019: "'", 0xFF1D: "=", 0xFF1F: "?", 0x3001: ","]
      let shown = scalar.value < 0x20 || scalar.value == 0x7F ? "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" : String(Character(scalar))
      if let meant = ascii[scalar.value] {
        error("unexpected character `\(shown)` (full-width punctuation)", start, start + length, help: "did you mean `\(meant)`? Queries are written with ASCII punctuation (`，（）` are read as `,()`)")
      } else {
        error("unexpected character `\(shown)`", start, start + length)
      }
      offset = start + length
    } catch let failure {
      error(failure.message, failure.offset, failure.offset + failure.length)
      offset = max(start + 1, failure.offset + 1)
    }
    return nil
  }

  private func peek(_ ahead: Int) -> UInt8? {
    offset + ahead < bytes.count ? bytes[offset + ahead] : nil
  }

  private mutating func skipTrivia() {
    while offset < bytes.count {
      let b = bytes[offset]
      if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
        offset += 1
      } else if b == UInt8(ascii: "%") && !isModulo() {
        while offset < bytes.count, bytes[offset] != 0x0A { offset += 1 }
      } else {
        return
      }
    }
  }

  /// `%` is modulo inside arithmetic when an operand (digit, variable, `(`) follows on the line.
  private func isModulo() -> Bool {
    guard inExpression || afterOperand else { return false }
    var i = offset + 1
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
    guard i < bytes.count else { return false }
    let b = bytes[i]
    if b >= 0x30 && b <= 0x39 { return true }
    if b == UInt8(ascii: "(") || b == UInt8(ascii: "_") { return true }
    if let (scalar, _) = try? LiteralSyntax.decodeScalar(bytes, at: i) {
      return LiteralSyntax.isVariableStart(scalar)
    }
    return false
  }
}
