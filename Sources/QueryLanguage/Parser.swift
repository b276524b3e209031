// Recursive-descent parser: one method per production, the production quoted above it. After an
// error it skips to the end of the clause (the next `.`) and goes on, so one run reports every
// broken clause.

import Diagnostics
import GraphModel

/// Asked now and then by the front end's long loops (between clauses while parsing and
/// checking): true stops the work early, and the caller says why (a time limit, Ctrl-C).
public typealias StopRequest = () -> Bool

/// Parses query-language text into a ``Program``.
public struct Parser {
  private let source: SourceText
  private var tokens: [Token]
  private var position = 0
  private var nesting = 0
  private var lexicalErrors: [Int]
  private var clauseStart = 0
  private var reportedSpans: Set<SourceSpan> = []
  /// Diagnostics from lexing and parsing.
  public private(set) var diagnostics: [Diagnostic]

  /// How deeply expressions may nest before the parser refuses. Every level of the syntax tree
  /// counts: parentheses, calls, signs and each operator of a chain (`1 + 1 + 1` is two levels
  /// deep), so no later stage meets a tree deeper than this.
  public static let maximumNesting = 200

  /// The most literals a rule or query body may hold. Bodies are evaluated by a chain of
  /// closures, one per literal, so their length must be bounded; a longer body is better split
  /// into rules anyway.
  public static let maximumBodyLength = 1_000

  /// Creates a parser; lexing happens here.
  ///
  /// - Parameter shouldStop: Asked while lexing and between clauses; true ends the work with a
  ///   `stopped` error.
  public init(_ source: SourceText, shouldStop: StopRequest? = nil) {
    self.source = source
    self.shouldStop = shouldStop
    var lexer = Lexer(source)
    self.tokens = lexer.tokenize(shouldStop: shouldStop)
    self.diagnostics = lexer.diagnostics
    // Lexing stopped: the clauses before the stop are read, the cut one is not reported.
    if lexer.diagnostics.last?.code == "stopped" { self.shouldStop = nil }
    self.lexicalErrors = lexer.errorOffsets
  }

  /// Values for `$name` parameters; a parameter without one stays a parameter (and the
  /// checker reports it).
  public var parameters: [String: Value] = [:]

  /// Asked between clauses; when it answers true, parsing ends with a `stopped` error.
  public var shouldStop: StopRequest?

  /// Parses a text into a program, returning the diagnostics alongside.
  ///
  /// - Parameters:
  ///   - parameters: Values substituted for `$name` parameters wherever they occur.
  ///   - shouldStop: Asked between clauses; true ends parsing with a `stopped` error.
  public static func parse(_ source: SourceText, parameters: [String: Value] = [:], shouldStop: StopRequest? = nil) -> (Program, [Diagnostic]) {
    var parser = Parser(source, shouldStop: shouldStop)
    parser.parameters = parameters
    let program = parser.parseProgram()
    return (program, parser.diagnostics)
  }

  private struct Failure: Error {}

  // MARK: - Clauses

  // program = { clause } EOF ;
  /// Parses every clause.
  public mutating func parseProgram() -> Program {
    var clauses: [Clause] = []
    while !isAtEnd {
      // As in the lexer: past a limit, more errors only cost memory.
      if diagnostics.count > Lexer.maximumErrors {
        fail("too many errors; stopped reading after \(Lexer.maximumErrors)", at: current.span)
        break
      }
      if let shouldStop, shouldStop() {
        diagnostics.append(.error(code: "stopped", "reading stopped here, before the end of the text", in: source, at: current.span))
        break
      }
      let before = diagnostics.count
      clauseStart = current.span.start
      nesting = 0
      do {
        clauses.append(try parseClause())
      } catch {
        if diagnostics.count == before {
          fail("could not parse this clause", at: current.span)
        }
        synchronize()
      }
    }
    return Program(clauses: clauses, source: source)
  }

  // clause = query | rule ;
  private mutating func parseClause() throws(Failure) -> Clause {
    if case .query = current.kind {
      return .query(try parseQuery())
    }
    if case .period = current.kind, case .identifier("decl") = peek.kind, current.span.end == peek.span.start {
      return .declaration(try parseDeclaration())
    }
    return .rule(try parseRule())
  }

  // query   = "?-" [ columns ":" ] body [ "order" "by" key { "," key } ] [ "limit" integer ] "." ;
  // columns = "[" variable { "," variable } "]" ;
  // key     = variable [ "asc" | "desc" ] ;
  private mutating func parseQuery() throws(Failure) -> Query {
    let start = current.span
    advance()
    var columns: [(name: String, span: SourceSpan)]?
    if match(.leftBracket) {
      var list: [(name: String, span: SourceSpan)] = []
      repeat {
        guard case .variable(let name) = current.kind, name != "_" else {
          throw expected("a variable naming a result column")
        }
        list.append((name, current.span))
        advance()
      } while match(.comma)
      _ = try expect(.rightBracket, "`,` or `]` after a result column")
      _ = try expect(.colon, "`:` between the result columns and the query's body")
      columns = list
    }
    let body = try parseBody()
    var ordering: [OrderKey] = []
    var limit: Int?
    if case .identifier("order") = current.kind {
      advance()
      guard case .identifier("by") = current.kind else {
        throw expected("`by` after `order`")
      }
      advance()
      repeat {
        guard case .variable(let name) = current.kind, name != "_" else {
          throw expected("a variable to order by")
        }
        var span = current.span
        advance()
        var descending = false
        if case .identifier(let word) = current.kind, word == "asc" || word == "desc" {
          descending = word == "desc"
          span = span.union(current.span)
          advance()
        }
        ordering.append(OrderKey(variable: name, descending: descending, span: span))
      } while match(.comma)
    }
    if case .identifier("limit") = current.kind {
      advance()
      guard case .literal(.integer(let n)) = current.kind, n >= 0 else {
        throw expected("a non-negative integer after `limit`")
      }
      limit = Int(n)
      advance()
    }
    let end = try expectPeriod(after: "the query")
    return Query(body: body, ordering: ordering, limit: limit, columns: columns, span: start.union(end))
  }

  // declaration = ".decl" name "(" argument { "," argument } ")" { string } "." ;
  // argument    = [ name ":" ] kind ;
  private mutating func parseDeclaration() throws(Failure) -> Declaration {
    let start = current.span
    advance()
    advance()
    guard case .identifier(let name) = current.kind else {
      throw expected("the name of the predicate to declare (`.decl pending(loan: entity, amount: integer).`)")
    }
    let nameSpan = current.span
    advance()
    var arguments: [Declaration.Argument] = []
    if match(.leftParen) {
      repeat {
        var argumentName: String?
        let argumentStart = current.span
        if case .colon = peek.kind {
          switch current.kind {
          case .identifier(let word), .variable(let word): argumentName = word
          default: throw expected("an argument name before `:`")
          }
          advance()
          advance()
        }
        guard case .identifier(let word) = current.kind, let kind = Declaration.Kind(rawValue: word) else {
          let kinds = Declaration.Kind.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
          throw failure("expected the kind of an argument: \(kinds)", at: current.span)
        }
        arguments.append(Declaration.Argument(name: argumentName, kind: kind, span: argumentStart.union(current.span)))
        advance()
      } while match(.comma)
      _ = try expect(.rightParen, "`,` or `)` after a declared argument")
    }
    var labels: [Value] = []
    while case .literal(let value) = current.kind, case .string = value {
      labels.append(value)
      advance()
    }
    let end = try expectPeriod(after: "the declaration")
    return Declaration(predicate: name, arguments: arguments, labels: labels, predicateSpan: nameSpan, span: start.union(end))
  }

  // rule = head [ ":-" body ] "." ;
  private mutating func parseRule() throws(Failure) -> Rule {
    let head = try parseHead()
    var body: [Literal] = []
    if case .colon = current.kind {
      throw failure("unexpected `:`; rules are written `head :- body.`", at: current.span)
    }
    if match(.implies) {
      body = try parseBody()
    }
    let end = try expectPeriod(after: body.isEmpty ? "the fact" : "the rule")
    return Rule(head: head, body: body, span: head.span.union(end))
  }

  // head     = name [ "(" head_arg { "," head_arg } ")" ] ;
  // head_arg = aggregate | term ;
  // aggregate = ("count" | "sum" | "min" | "max" | "avg") "(" term { "," term } ")" ;
  private mutating func parseHead() throws(Failure) -> Head {
    guard case .identifier(let name) = current.kind else {
      if case .variable(let v) = current.kind {
        throw failure("a clause cannot start with the variable `\(v)`; predicate names start with a lower-case letter", at: current.span)
      }
      throw expected("a fact, a rule or a query (`?- ...`)")
    }
    let nameSpan = current.span
    advance()
    var arguments: [HeadArgument] = []
    var span = nameSpan
    if match(.leftParen) {
      if case .rightParen = current.kind {
        throw failure("empty argument list; write `\(name)` without parentheses for a predicate with no arguments", at: current.span)
      }
      repeat {
        if case .identifier(let word) = current.kind, let function = AggregateFunction(rawValue: word),
          case .leftParen = peek.kind
        {
          let aggregateStart = current.span
          advance()
          advance()
          var terms: [Term] = []
          repeat {
            terms.append(try parseTerm(context: "an aggregate argument"))
          } while match(.comma)
          let close = try expect(.rightParen, "`)` after the aggregate's arguments")
          arguments.append(.aggregate(Aggregate(function: function, arguments: terms, span: aggregateStart.union(close))))
        } else {
          arguments.append(.term(try parseTerm(context: "a head argument (a variable or a constant)")))
        }
      } while match(.comma)
      span = span.union(try expect(.rightParen, "`,` or `)` after an argument"))
    }
    return Head(predicate: name, arguments: arguments, predicateSpan: nameSpan, span: span)
  }

  // body = literal { "," literal } ;   (at most `maximumBodyLength` literals)
  private mutating func parseBody() throws(Failure) -> [Literal] {
    var literals: [Literal] = []
    repeat {
      if literals.count == Parser.maximumBodyLength {
        throw failure(
          "a body may hold at most \(Parser.maximumBodyLength) literals", at: current.span,
          help: "split it: define a rule for part of the body and use its head here")
      }
      literals.append(try parseLiteral())
    } while match(.comma)
    return literals
  }

  // literal = "not" atom | atom | comparison ;
  private mutating func parseLiteral() throws(Failure) -> Literal {
    if case .leftParen = current.kind, opensLiteralGroup {
      return try parseDisjunction()
    }
    if case .identifier("not") = current.kind, case .identifier = peek.kind {
      let start = current.span
      advance()
      let atomStart = current.span
      let expression = try parseExpression()
      guard let atom = try atomFrom(expression, start: atomStart), !isComparisonNext else {
        throw failure("`not` must be followed by an atom such as `p(X, Y)`", at: start)
      }
      return .negated(atom, span: start.union(atom.span))
    }
    let left = try parseExpression()
    if case .comparison(let op) = current.kind {
      advance()
      if case .identifier(let word) = current.kind, let function = AggregateFunction(rawValue: word), case .leftBrace = peek.kind {
        return try parseBodyAggregate(result: left, op: op, function: function)
      }
      let right = try parseExpression()
      return .comparison(Comparison(op: op, left: left, right: right, span: left.span.union(right.span)))
    }
    if let atom = try atomFrom(left, start: left.span) {
      return .atom(atom)
    }
    throw failure("expected an atom or a comparison, found an expression without a comparison operator", at: left.span)
  }

  /// Whether the `(` at the current token opens a group of literals rather than an arithmetic
  /// expression: a `;` or `,` directly inside it (commas of calls sit deeper).
  private var opensLiteralGroup: Bool {
    var depth = 0
    var i = position
    while i < tokens.count {
      switch tokens[i].kind {
      case .leftParen: depth += 1
      case .rightParen:
        depth -= 1
        if depth == 0 { return false }
      case .semicolon, .comma: if depth == 1 { return true }
      case .period, .end: return false
      default: break
      }
      i += 1
    }
    return false
  }

  // disjunction = "(" body { ";" body } ")" ;
  private mutating func parseDisjunction() throws(Failure) -> Literal {
    let start = current.span
    advance()
    try enter(start)
    defer { nesting -= 1 }
    var branches: [[Literal]] = []
    repeat {
      branches.append(try parseBody())
    } while match(.semicolon)
    let close = try expect(.rightParen, "`;` or `)` in the group opened here")
    return .disjunction(branches, span: start.union(close))
  }

  // body_aggregate = variable "=" function "{" term { "," term } ":" body "}" ;
  private mutating func parseBodyAggregate(result: Expression, op: ComparisonOperator, function: AggregateFunction) throws(Failure) -> Literal {
    let start = current.span
    guard case .term(.variable(let name, let resultSpan)) = result, name != "_", op == .equal else {
      let form = "`N = \(function.rawValue) { X : p(X) }`"
      throw failure(
        op == .equal ? "an aggregate's result must be a variable" : "an aggregate's result is bound with `=`", at: result.span.union(start),
        help: "write \(form), then compare `N` (for example `N > 3`)")
    }
    advance()
    try enter(current.span)
    defer { nesting -= 1 }
    advance()
    var terms: [Term] = []
    repeat {
      terms.append(try parseTerm(context: "an aggregated term (the variables to \(function == .count ? "count" : "aggregate") before `:`)"))
    } while match(.comma)
    _ = try expect(.colon, "`:` between the aggregated terms and the aggregate's body")
    let body = try parseBody()
    let close = try expect(.rightBrace, "`}` closing the aggregate opened here")
    return .aggregate(BodyAggregate(
      result: name, resultSpan: resultSpan, function: function, terms: terms, body: body,
      span: resultSpan.union(close), aggregateSpan: start.union(close)))
  }

  private var isComparisonNext: Bool {
    if case .comparison = current.kind { return true }
    return false
  }

  /// Turns a parsed call `name(args)` or a bare name into an atom; nil for other expressions.
  private mutating func atomFrom(_ expression: Expression, start: SourceSpan) throws(Failure) -> Atom? {
    switch expression {
    case .call(let name, let args, let span):
      var terms: [Term] = []
      for arg in args {
        guard let term = termFrom(arg) else {
          throw failure("atom arguments must be variables or constants; compute `\(source.slice(arg.span))` in a comparison first, e.g. `Z = \(source.slice(arg.span))`", at: arg.span)
        }
        terms.append(term)
      }
      let nameSpan = SourceSpan(start: span.start, end: span.start + name.utf8.count)
      return Atom(predicate: name, arguments: terms, predicateSpan: nameSpan, span: span)
    case .term(.constant(.entity(let name), let span)) where LiteralSyntax.isBareIdentifier(name):
      return Atom(predicate: name, arguments: [], predicateSpan: span, span: span)
    default:
      return nil
    }
  }

  private func termFrom(_ expression: Expression) -> Term? {
    switch expression {
    case .term(let t): return t
    case .negate(.term(.constant(.integer(let i), _)), let span): return .constant(.integer(-i), span: span)
    case .negate(.term(.constant(.decimal(let d), _)), let span):
      return .constant(.decimal(DecimalValue.subtract(DecimalValue(integer: 0), d) ?? d), span: span)
    default: return nil
    }
  }

  // MARK: - Expressions

  // expr = mul { ("+" | "-") mul } ;
  // Each operator of a chain is one level deeper in the tree, so it counts towards the nesting
  // limit (the fuzzer's `1+1+…+1` overflowed every later tree walk).
  private mutating func parseExpression() throws(Failure) -> Expression {
    var left = try parseMultiplicative()
    var levels = 0
    defer { nesting -= levels }
    while true {
      let op: ArithmeticOperator
      switch current.kind {
      case .plus: op = .add
      case .minus: op = .subtract
      default: return left
      }
      levels += 1
      try enter(current.span)
      advance()
      let right = try parseMultiplicative()
      left = .binary(op, left, right, span: left.span.union(right.span))
    }
  }

  // mul = unary { ("*" | "/" | "%" | "mod") unary } ;
  private mutating func parseMultiplicative() throws(Failure) -> Expression {
    var left = try parseUnary()
    var levels = 0
    defer { nesting -= levels }
    while true {
      let op: ArithmeticOperator
      switch current.kind {
      case .star: op = .multiply
      case .slash: op = .divide
      case .percent: op = .remainder
      default: return left
      }
      levels += 1
      try enter(current.span)
      advance()
      let right = try parseUnary()
      left = .binary(op, left, right, span: left.span.union(right.span))
    }
  }

  // unary = "-" unary | primary ;
  private mutating func parseUnary() throws(Failure) -> Expression {
    if case .minus = current.kind {
      let start = current.span
      advance()
      try enter(start)
      defer { nesting -= 1 }
      let operand = try parseUnary()
      // Fold `-5` into a negative literal right away.
      if case .term(.constant(.integer(let i), _)) = operand, i != Int64.min {
        return .term(.constant(.integer(-i), span: start.union(operand.span)))
      }
      if case .term(.constant(.decimal(let d), _)) = operand, let negated = DecimalValue.subtract(DecimalValue(integer: 0), d) {
        return .term(.constant(.decimal(negated), span: start.union(operand.span)))
      }
      return .negate(operand, span: start.union(operand.span))
    }
    return try parsePrimary()
  }

  // primary = term | "(" expr ")" | name "(" [ expr { "," expr } ] ")" ;
  private mutating func parsePrimary() throws(Failure) -> Expression {
    let token = current
    switch token.kind {
    case .leftParen:
      advance()
      try enter(token.span)
      defer { nesting -= 1 }
      let inner = try parseExpression()
      let close = try expect(.rightParen, "`)` to close the parenthesis opened here")
      // The parentheses belong to the expression's span, so that messages quote `(N - 1)` whole.
      let span = token.span.union(close)
      switch inner {
      case .binary(let op, let l, let r, _): return .binary(op, l, r, span: span)
      case .negate(let e, _): return .negate(e, span: span)
      case .call(let name, let args, _): return .call(name, args, span: span)
      case .term: return inner
      }
    case .identifier(let name):
      if case .leftParen = peek.kind {
        advance()
        advance()
        try enter(token.span)
        defer { nesting -= 1 }
        var args: [Expression] = []
        if case .rightParen = current.kind {
          throw failure("empty argument list; write `\(name)` without parentheses for a predicate with no arguments", at: current.span)
        }
        repeat {
          args.append(try parseExpression())
        } while match(.comma)
        let close = try expect(.rightParen, "`,` or `)` after an argument")
        return .call(name, args, span: token.span.union(close))
      }
      return .term(try parseTerm(context: "a term"))
    default:
      return .term(try parseTerm(context: "a variable, a constant or `(`"))
    }
  }

  // term = variable | "_" | constant | "$" name ;
  private mutating func parseTerm(context: String) throws(Failure) -> Term {
    let token = current
    switch token.kind {
    case .variable(let name):
      advance()
      return name == "_" ? .anonymous(span: token.span) : .variable(name, span: token.span)
    case .identifier(let name):
      advance()
      if name == "not" {
        throw failure("`not` is a keyword; write the entity `not` as 'not'", at: token.span)
      }
      return .constant(.entity(name), span: token.span)
    case .quotedEntity(let id):
      advance()
      return .constant(.entity(id), span: token.span)
    case .literal(let value):
      advance()
      return .constant(value, span: token.span)
    case .parameter(let name):
      advance()
      if let value = parameters[name] { return .constant(value, span: token.span) }
      return .parameter(name, span: token.span)
    case .minus:
      advance()
      if case .literal(.integer(let i)) = current.kind {
        let span = token.span.union(current.span)
        advance()
        return .constant(.integer(-i), span: span)
      }
      if case .literal(.decimal(let d)) = current.kind {
        let span = token.span.union(current.span)
        advance()
        return .constant(.decimal(DecimalValue.subtract(DecimalValue(integer: 0), d) ?? d), span: span)
      }
      throw expected(context)
    default:
      throw expected(context)
    }
  }

  // MARK: - Helpers

  private var current: Token { tokens[min(position, tokens.count - 1)] }
  private var peek: Token { tokens[min(position + 1, tokens.count - 1)] }
  private var isAtEnd: Bool {
    if case .end = current.kind { return true }
    return false
  }

  private mutating func advance() {
    if position < tokens.count - 1 { position += 1 }
  }

  private mutating func enter(_ span: SourceSpan) throws(Failure) {
    nesting += 1
    if nesting > Parser.maximumNesting {
      throw failure(
        "expression nested more than \(Parser.maximumNesting) levels deep", at: span,
        help: "split it into steps with intermediate variables, e.g. `A = X + Y, B = A + Z`")
    }
  }

  private mutating func match(_ kind: Token.Kind) -> Bool {
    if sameKind(current.kind, kind) {
      advance()
      return true
    }
    return false
  }

  private func sameKind(_ a: Token.Kind, _ b: Token.Kind) -> Bool {
    switch (a, b) {
    case (.leftParen, .leftParen), (.rightParen, .rightParen), (.comma, .comma), (.semicolon, .semicolon), (.leftBracket, .leftBracket), (.rightBracket, .rightBracket), (.leftBrace, .leftBrace), (.rightBrace, .rightBrace), (.colon, .colon), (.period, .period),
      (.implies, .implies), (.query, .query), (.plus, .plus), (.minus, .minus), (.star, .star),
      (.slash, .slash), (.percent, .percent), (.end, .end):
      return true
    default:
      return false
    }
  }

  private mutating func expect(_ kind: Token.Kind, _ what: String) throws(Failure) -> SourceSpan {
    guard sameKind(current.kind, kind) else { throw expected(what) }
    let span = current.span
    advance()
    return span
  }

  private mutating func expectPeriod(after what: String) throws(Failure) -> SourceSpan {
    guard case .period = current.kind else {
      if case .end = current.kind {
        throw failure("expected `.` to end \(what), found end of input", at: current.span, help: "every clause ends with a period")
      }
      throw expected("`,` or `.` to end \(what)")
    }
    let span = current.span
    advance()
    return span
  }

  private mutating func expected(_ what: String) -> Failure {
    failure("expected \(what), found \(current.kind.shown)", at: current.span)
  }

  private mutating func failure(_ message: String, at span: SourceSpan, help: String? = nil) -> Failure {
    fail(message, at: span, help: help)
    return Failure()
  }

  private mutating func fail(_ message: String, at span: SourceSpan, help: String? = nil) {
    // A lexical error in this clause already explains the problem.
    if lexicalErrors.contains(where: { $0 >= clauseStart && $0 <= span.end }) { return }
    guard reportedSpans.insert(span).inserted else { return }
    diagnostics.append(.error(code: "syntax", message, in: source, at: span, help: help))
  }

  /// Skips to just after the next `.` (panic-mode recovery).
  private mutating func synchronize() {
    while !isAtEnd {
      if case .period = current.kind {
        advance()
        return
      }
      advance()
    }
  }
}

extension Parser {
  /// Whether text typed so far needs another line before it can run: true while its last token
  /// is not the clause-ending `.` (the REPL's continuation rule). Text holding only blanks and
  /// comments needs no more; neither does text with a lexical error, so that the error shows at
  /// once instead of waiting for a period that cannot help.
  public static func needsMoreInput(_ text: String) -> Bool {
    var lexer = Lexer(SourceText(name: "<input>", text: text))
    let tokens = lexer.tokenize()
    guard lexer.diagnostics.isEmpty, tokens.count >= 2 else { return false }
    if case .period = tokens[tokens.count - 2].kind { return false }
    return true
  }
}
