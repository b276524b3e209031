// Tokens of the query language, each with the byte span it came from.

import Diagnostics
import GraphModel

/// A lexical token.
public struct Token: Hashable, Sendable {
  /// What kind of token it is, with its payload.
  public enum Kind: Hashable, Sendable {
    /// A lower-case-start identifier: an entity, a predicate or a keyword (`not`, `count`).
    case identifier(String)
    /// A single-quoted entity identifier (`'http://x.org/a'`).
    case quotedEntity(String)
    /// A variable (`X`, `_Y`) or the anonymous variable `_`.
    case variable(String)
    /// A script parameter (`$entity`).
    case parameter(String)
    /// A literal value: string, integer, decimal or date.
    case literal(Value)
    /// `(`
    case leftParen
    /// `)`
    case rightParen
    /// `,`
    case comma
    /// `;` between the alternatives of a disjunction
    case semicolon
    /// `[` and `]` around a query's result columns, `:` after them
    case leftBracket, rightBracket, colon
    /// `{` and `}` around an aggregate's terms and body in a body (`N = count { X : p(X) }`)
    case leftBrace, rightBrace
    /// `.` ending a clause
    case period
    /// `:-`
    case implies
    /// `?-`
    case query
    /// `=` `!=` `<` `<=` `>` `>=`
    case comparison(ComparisonOperator)
    /// `+`
    case plus
    /// `-`
    case minus
    /// `*`
    case star
    /// `/`
    case slash
    /// `%` used as the modulo operator
    case percent
    /// End of input.
    case end
  }

  /// The kind.
  public var kind: Kind
  /// Where it is in the source.
  public var span: SourceSpan

  /// Creates a token.
  public init(_ kind: Kind, _ span: SourceSpan) {
    self.kind = kind
    self.span = span
  }
}

/// The six comparison operators.
public enum ComparisonOperator: String, Hashable, Sendable, CaseIterable {
  case equal = "="
  case notEqual = "!="
  case less = "<"
  case lessOrEqual = "<="
  case greater = ">"
  case greaterOrEqual = ">="
}

extension Token.Kind {
  /// How the token is quoted in messages (``expected `)`, found `.` ``).
  public var shown: String {
    switch self {
    case .identifier(let s): return "`\(s)`"
    case .quotedEntity(let s): return "`\(LiteralSyntax.formatEntity(s))`"
    case .variable(let s): return "`\(s)`"
    case .parameter(let s): return "`$\(s)`"
    case .literal(let v): return "`\(TerminalText.visible(v.description))`"
    case .leftParen: return "`(`"
    case .rightParen: return "`)`"
    case .comma: return "`,`"
    case .semicolon: return "`;`"
    case .leftBracket: return "`[`"
    case .rightBracket: return "`]`"
    case .leftBrace: return "`{`"
    case .rightBrace: return "`}`"
    case .colon: return "`:`"
    case .period: return "`.`"
    case .implies: return "`:-`"
    case .query: return "`?-`"
    case .comparison(let op): return "`\(op.rawValue)`"
    case .plus: return "`+`"
    case .minus: return "`-`"
    case .star: return "`*`"
    case .slash: return "`/`"
    case .percent: return "`%`"
    case .end: return "end of input"
    }
  }
}
