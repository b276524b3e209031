// The builtin predicates and functions the language knows, with their arities and binding
// requirements. The checker uses this table to resolve names and check safety; the engine
// implements each entry (QueryEngine/Builtins).

/// What kind of builtin a name is.
public enum BuiltinKind: Sendable, Hashable {
  /// A test: every argument must be bound; the literal holds or not (`contains(S, "x")`).
  case test
  /// A function from bound inputs to one value. Used in expressions (`L = lower(S)`) or as an
  /// atom whose last argument is the result (`lower(S, L)`).
  case function
  /// A relation over the store, like a stored predicate but with more arguments
  /// (`triple(S, P, O)`, `tx_of(S, P, O, Tx)`); it binds its free arguments.
  case relation
}

/// One builtin: its name, kind, number of arguments and a one-line description.
public struct Builtin: Sendable, Hashable {
  /// The name.
  public var name: String
  /// Test, function or relation.
  public var kind: BuiltinKind
  /// The number of inputs (for functions) or arguments (tests, relations).
  public var arity: ClosedRange<Int>
  /// The argument names shown in help (`S, Sub`).
  public var signature: String
  /// What it does.
  public var summary: String

  /// The arities with which it may appear as an atom (functions take one more: the result).
  public var atomArities: ClosedRange<Int> {
    kind == .function ? (arity.lowerBound + 1)...(arity.upperBound == Int.max ? Int.max : arity.upperBound + 1) : arity
  }
}

/// The table of builtins.
public enum Builtins {
  /// Every builtin, in the order the documentation lists them.
  public static let all: [Builtin] = [
    Builtin(name: "triple", kind: .relation, arity: 3...3, signature: "S, P, O", summary: "every stored triple; P may be a variable"),
    Builtin(name: "tx_of", kind: .relation, arity: 4...4, signature: "S, P, O, Tx", summary: "the transactions (integers) that asserted the stored triple (S, P, O)"),
    Builtin(name: "tx_meta", kind: .relation, arity: 3...3, signature: "Tx, Key, Value", summary: "metadata of transaction Tx: Key is an entity such as `source`, Value a string"),
    Builtin(name: "source_of", kind: .relation, arity: 4...4, signature: "S, P, O, Source", summary: "the source (provenance string) of each transaction that asserted (S, P, O)"),
    Builtin(name: "search", kind: .relation, arity: 2...2, signature: "E, Text", summary: "the entities whose id, label, alias or description matches Text as `find` matches it, best first (Text is a string constant)"),
    Builtin(name: "contains", kind: .test, arity: 2...2, signature: "S, Part", summary: "S (a string or an entity's identifier) contains Part"),
    Builtin(name: "starts_with", kind: .test, arity: 2...2, signature: "S, Prefix", summary: "S starts with Prefix"),
    Builtin(name: "ends_with", kind: .test, arity: 2...2, signature: "S, Suffix", summary: "S ends with Suffix"),
    Builtin(name: "matches", kind: .test, arity: 2...2, signature: "S, Regex", summary: "the regular expression Regex matches somewhere in S"),
    Builtin(name: "is_entity", kind: .test, arity: 1...1, signature: "X", summary: "X is an entity"),
    Builtin(name: "is_string", kind: .test, arity: 1...1, signature: "X", summary: "X is a string"),
    Builtin(name: "is_number", kind: .test, arity: 1...1, signature: "X", summary: "X is an integer or a decimal"),
    Builtin(name: "is_integer", kind: .test, arity: 1...1, signature: "X", summary: "X is an integer"),
    Builtin(name: "is_decimal", kind: .test, arity: 1...1, signature: "X", summary: "X is a decimal"),
    Builtin(name: "is_date", kind: .test, arity: 1...1, signature: "X", summary: "X is a date"),
    Builtin(name: "is_boolean", kind: .test, arity: 1...1, signature: "X", summary: "X is a boolean"),
    Builtin(name: "lower", kind: .function, arity: 1...1, signature: "S", summary: "S in lower case (the language tag is kept)"),
    Builtin(name: "upper", kind: .function, arity: 1...1, signature: "S", summary: "S in upper case (the language tag is kept)"),
    Builtin(name: "concat", kind: .function, arity: 1...Int.max, signature: "A, B, ...", summary: "the texts of the arguments joined, as a plain string"),
    Builtin(name: "strlen", kind: .function, arity: 1...1, signature: "S", summary: "the number of characters of S"),
    Builtin(name: "lang", kind: .function, arity: 1...1, signature: "S", summary: "the language tag of S as a string (\"\" when it has none)"),
    Builtin(name: "str", kind: .function, arity: 1...1, signature: "X", summary: "the text of any value as a plain string"),
    Builtin(name: "year_of", kind: .function, arity: 1...1, signature: "D", summary: "the year of a date, as an integer"),
    Builtin(name: "abs", kind: .function, arity: 1...1, signature: "N", summary: "the absolute value of a number"),
  ]

  static let byName: [String: Builtin] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

  /// The builtin with a name, if any.
  public static func named(_ name: String) -> Builtin? { byName[name] }
}
