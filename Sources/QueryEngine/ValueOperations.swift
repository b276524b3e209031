// What builtins and comparisons do with values: equality (numbers compare numerically),
// ordering within a kind, arithmetic with overflow checks, string functions and tests, and
// a bounded cache of compiled regular expressions.

import GraphModel
import QueryIR
import QueryLanguage

/// Builtin semantics over dictionary ids.
final class ValueOperations {
  let dictionary: TermDictionary
  /// Compiled patterns by text, at most ``regexCacheLimit``; the oldest entry leaves first.
  private var regexCache: [String: RegexMachine] = [:]
  private var regexCacheOrder: [String] = []
  private var regexCacheOldest = 0
  static let regexCacheLimit = 256
  private var decoded: [TermID: Value] = [:]

  init(dictionary: TermDictionary) {
    self.dictionary = dictionary
  }

  /// The value of an id (decoded values are cached: comparisons decode the same constants often).
  @inline(__always) func value(_ id: TermID) -> Value {
    if let v = decoded[id] { return v }
    let v = dictionary.value(of: id)
    if decoded.count < 1 << 20 { decoded[id] = v }
    return v
  }

  // MARK: - Comparison

  /// `a op b`. `=` and `!=` compare values exactly, as joins do (the integer 1 and the decimal
  /// 1.0 differ), so a comparison means the same whether it binds a variable or tests one.
  /// Ordering compares numbers with numbers (integers and decimals numerically), strings with
  /// strings (code points), dates with dates, entities with entities (by identifier) and
  /// booleans with booleans; across kinds it is false.
  func compare(_ op: ComparisonOperator, _ a: TermID, _ b: TermID) -> Bool {
    switch op {
    case .equal: return equal(a, b)
    case .notEqual: return !equal(a, b)
    default:
      guard let c = order(value(a), value(b)) else { return false }
      switch op {
      case .less: return c < 0
      case .lessOrEqual: return c <= 0
      case .greater: return c > 0
      default: return c >= 0
      }
    }
  }

  /// Value identity: ids are equal exactly when values are (one dictionary interns both).
  @inline(__always) func equal(_ a: TermID, _ b: TermID) -> Bool {
    a == b
  }

  func order(_ a: Value, _ b: Value) -> Int? {
    switch (a, b) {
    case (.string(let x, _), .string(let y, _)):
      let c = Value.compareCodePoints(x, y)
      return c != 0 ? c : Value.compare(a, b)
    case (.entity, .entity), (.date, .date), (.boolean, .boolean):
      return Value.compare(a, b)
    default:
      guard let x = a.numericValue, let y = b.numericValue else { return nil }
      return DecimalValue.compare(x, y)
    }
  }

  // MARK: - Arithmetic

  enum ArithmeticFailure: Error {
    case divisionByZero
    case overflow
  }

  /// `a op b` on numbers; nil when an operand is not a number (the literal then fails).
  func arithmetic(_ op: ArithmeticOperator, _ a: Value, _ b: Value) throws(ArithmeticFailure) -> Value? {
    if case .integer(let x) = a, case .integer(let y) = b {
      switch op {
      case .add:
        let (r, o) = x.addingReportingOverflow(y)
        if o { throw .overflow }
        return .integer(r)
      case .subtract:
        let (r, o) = x.subtractingReportingOverflow(y)
        if o { throw .overflow }
        return .integer(r)
      case .multiply:
        let (r, o) = x.multipliedReportingOverflow(by: y)
        if o { throw .overflow }
        return .integer(r)
      case .divide:
        if y == 0 { throw .divisionByZero }
        let (r, o) = x.dividedReportingOverflow(by: y)
        if o { throw .overflow }
        return .integer(r)
      case .remainder:
        if y == 0 { throw .divisionByZero }
        let (r, o) = x.remainderReportingOverflow(dividingBy: y)
        if o { throw .overflow }
        return .integer(r)
      }
    }
    guard let x = a.numericValue, let y = b.numericValue else { return nil }
    let result: DecimalValue?
    switch op {
    case .add: result = DecimalValue.add(x, y)
    case .subtract: result = DecimalValue.subtract(x, y)
    case .multiply: result = DecimalValue.multiply(x, y)
    case .divide:
      if y.units == 0 { throw .divisionByZero }
      result = DecimalValue.divide(x, y)
    case .remainder:
      if y.units == 0 { throw .divisionByZero }
      // x - y * trunc(x / y)
      guard let q = DecimalValue.divide(x, y) else { throw .overflow }
      let truncated = DecimalValue(units: q.units / pow10(Int(q.scale)), scale: 0)
      guard let product = DecimalValue.multiply(y, truncated) else { throw .overflow }
      result = DecimalValue.subtract(x, product)
    }
    guard let result else { throw .overflow }
    return .decimal(result)
  }

  /// `-a` on a number.
  func negate(_ a: Value) throws(ArithmeticFailure) -> Value? {
    switch a {
    case .integer(let x):
      if x == Int64.min { throw .overflow }
      return .integer(-x)
    case .decimal(let d):
      guard let r = DecimalValue.subtract(DecimalValue(integer: 0), d) else { throw .overflow }
      return .decimal(r)
    default:
      return nil
    }
  }

  private func pow10(_ n: Int) -> Int64 {
    var r: Int64 = 1
    for _ in 0..<n { r *= 10 }
    return r
  }

  // MARK: - Functions and tests

  /// The text a string builtin works on: a string's text or an entity's identifier.
  func text(_ v: Value) -> String? {
    switch v {
    case .string(let s, _): s
    case .entity(let e): e
    default: nil
    }
  }

  /// Any value as plain text (`str`).
  func plainText(_ v: Value) -> String {
    switch v {
    case .entity(let e): e
    case .string(let s, _): s
    case .integer(let i): String(i)
    case .decimal(let d): d.description
    case .boolean(let b): b ? "true" : "false"
    case .date(let d): d.isoText
    }
  }

  /// Applies a function; nil when an argument has the wrong kind (the literal then fails).
  func call(_ function: FunctionBuiltin, _ args: [Value]) throws(ArithmeticFailure) -> Value? {
    switch function {
    case .lower, .upper:
      guard let first = args.first else { return nil }
      switch first {
      case .string(let s, let lang): return .string(function == .lower ? s.lowercased() : s.uppercased(), language: lang)
      case .entity(let e): return .string(function == .lower ? e.lowercased() : e.uppercased(), language: nil)
      default: return nil
      }
    case .concat:
      return .string(args.map(plainText).joined(), language: nil)
    case .strlen:
      guard let first = args.first, let t = text(first) else { return nil }
      return .integer(Int64(t.count))
    case .lang:
      guard case .string(_, let lang)? = args.first else { return nil }
      return .string(lang ?? "", language: nil)
    case .str:
      guard let first = args.first else { return nil }
      return .string(plainText(first), language: nil)
    case .yearOf:
      guard case .date(let d)? = args.first else { return nil }
      return .integer(Int64(d.year))
    case .abs:
      switch args.first {
      case .integer(let i)?:
        if i == Int64.min { throw .overflow }
        return .integer(Swift.abs(i))
      case .decimal(let d)?:
        return .decimal(d.units < 0 ? DecimalValue(units: -d.units, scale: d.scale) : d)
      default:
        return nil
      }
    }
  }

  /// Runs a test on values.
  ///
  /// - Throws: `invalidRegex` (without a rule: the caller knows the literal) for a pattern that
  ///   is not valid, or what `budget` throws when a long match runs out of time.
  func test(_ test: TestBuiltin, _ args: [Value], budget: Budget) throws(EvaluationError) -> Bool {
    switch test {
    case .isEntity: return args.first?.kind == .entity
    case .isString: return args.first?.kind == .string
    case .isNumber: return args.first?.isNumber ?? false
    case .isInteger: return args.first?.kind == .integer
    case .isDecimal: return args.first?.kind == .decimal
    case .isDate: return args.first?.kind == .date
    case .isBoolean: return args.first?.kind == .boolean
    case .contains, .startsWith, .endsWith, .matches:
      guard args.count == 2, let s = text(args[0]), let part = text(args[1]) else { return false }
      switch test {
      case .contains: return part.isEmpty || s.contains(part)
      case .startsWith: return s.hasPrefix(part)
      case .endsWith: return s.hasSuffix(part)
      default:
        return try compiled(part).matches(s, check: budget.check)
      }
    }
  }

  /// The compiled pattern, from the cache when it is there.
  func compiled(_ pattern: String) throws(EvaluationError) -> RegexMachine {
    if let machine = regexCache[pattern] { return machine }
    let parsed: RegexPattern
    do throws(RegexPattern.SyntaxError) {
      parsed = try RegexPattern(pattern)
    } catch {
      throw EvaluationError(reason: .invalidRegex(pattern: RegexPattern.shown(pattern), message: error.message, help: error.help))
    }
    let machine = RegexMachine(parsed)
    if regexCacheOrder.count < Self.regexCacheLimit {
      regexCacheOrder.append(pattern)
    } else {
      regexCache[regexCacheOrder[regexCacheOldest]] = nil
      regexCacheOrder[regexCacheOldest] = pattern
      regexCacheOldest = (regexCacheOldest + 1) % Self.regexCacheLimit
    }
    regexCache[pattern] = machine
    return machine
  }

  /// How many compiled patterns the cache holds (for tests).
  var cachedPatternCount: Int { regexCache.count }
}
