// What differs between the SQL engines a program is translated for: function names, integer
// division, raising an error, string literals, row values. Every value is a key string
// (GraphModel's `ValueKey`); these are the expressions that read keys.

/// The SQL spoken by an engine.
public enum SQLDialect: Sendable {
  /// DuckDB (the CLI, or the Python package the generated driver uses).
  case duckDB
  /// Spark SQL, run by the generated PySpark driver (ANSI mode on, so overflow is an error).
  case spark

  /// A string literal.
  func literal(_ text: String) -> String {
    switch self {
    case .duckDB:
      return "'" + text.replacingAll("'", with: "''") + "'"
    case .spark:
      // Spark's parser reads backslash escapes inside literals.
      return "'" + text.replacingAll("\\", with: "\\\\").replacingAll("'", with: "\\'") + "'"
    }
  }

  /// A quoted identifier.
  func identifier(_ name: String) -> String {
    switch self {
    case .duckDB: "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    case .spark: "`" + name.replacingAll("`", with: "``") + "`"
    }
  }

  /// An expression that stops the program with a message when it is evaluated.
  func error(_ message: String) -> String {
    switch self {
    case .duckDB: "error(\(literal("xinzhi: " + message)))"
    case .spark: "raise_error(\(literal("xinzhi: " + message)))"
    }
  }

  /// A row value, compared field by field (for min, max and ordering).
  func row(_ fields: [String]) -> String {
    switch self {
    case .duckDB: "row(\(fields.joined(separator: ", ")))"
    case .spark: "struct(\(fields.joined(separator: ", ")))"
    }
  }

  /// Whether a DOUBLE is neither infinite nor NaN.
  func isFinite(_ x: String) -> String {
    switch self {
    case .duckDB: "isfinite(\(x))"
    case .spark: "(NOT isnan(\(x)) AND abs(\(x)) <> CAST('Infinity' AS DOUBLE))"
    }
  }

  /// Integer division truncating towards zero, as Swift's `/`.
  func integerDivide(_ a: String, _ b: String) -> String {
    switch self {
    case .duckDB: "(\(a) // \(b))"
    case .spark: "(\(a) div \(b))"
    }
  }

  /// The number of characters (grapheme clusters for DuckDB, code points for Spark).
  func length(_ text: String) -> String {
    switch self {
    case .duckDB: "length_grapheme(\(text))"
    case .spark: "char_length(\(text))"
    }
  }

  func startsWith(_ a: String, _ b: String) -> String {
    switch self {
    case .duckDB: "starts_with(\(a), \(b))"
    case .spark: "startswith(\(a), \(b))"
    }
  }

  func endsWith(_ a: String, _ b: String) -> String {
    switch self {
    case .duckDB: "ends_with(\(a), \(b))"
    case .spark: "endswith(\(a), \(b))"
    }
  }

  func contains(_ a: String, _ b: String) -> String { "contains(\(a), \(b))" }

  /// Whether an RE2/Java pattern occurs somewhere in the text.
  func regexMatches(_ text: String, _ pattern: String) -> String {
    switch self {
    case .duckDB: "regexp_matches(\(text), \(pattern))"
    case .spark: "(\(text) RLIKE \(pattern))"
    }
  }

  // MARK: - Reading keys

  /// The kind letter of a key.
  func kind(_ key: String) -> String { "substr(\(key), 1, 1)" }
  /// The payload of a key (everything after the kind letter).
  func payload(_ key: String) -> String { "substr(\(key), 2)" }
  /// A string key's text (after the language and the bar).
  func stringText(_ key: String) -> String { "substr(\(key), instr(\(key), '|') + 1)" }
  /// A string key's language ('' when it has none).
  func stringLanguage(_ key: String) -> String { "substr(\(key), 2, instr(\(key), '|') - 2)" }
  /// An integer key's value.
  func integer(_ key: String) -> String { "CAST(substr(\(key), 2) AS BIGINT)" }
  /// A number key's value, exactly (integers and decimals of up to 18 fractional digits).
  func number(_ key: String) -> String { "CAST(substr(\(key), 2) AS DECIMAL(38,18))" }
  /// Whether a key is a number.
  func isNumber(_ key: String) -> String { "\(kind(key)) IN ('i', 'd')" }
  /// The text string builtins read: a string's text or an entity's identifier; NULL otherwise.
  func text(_ key: String) -> String {
    "CASE \(kind(key)) WHEN 's' THEN \(stringText(key)) WHEN 'e' THEN \(payload(key)) END"
  }
  /// Any value as plain text (`str`, `concat`, and the answers' CSV cells).
  func plain(_ key: String) -> String {
    "CASE WHEN \(kind(key)) = 's' THEN \(stringText(key)) ELSE \(payload(key)) END"
  }

  /// The fields that order keys as Xinzhi orders values: kind rank (entity < string < number <
  /// date < boolean), then numbers by value (an integer before an equal decimal), strings and
  /// other kinds by code points, strings then by language.
  func sortFields(_ key: String) -> [String] {
    [
      "CASE \(kind(key)) WHEN 'e' THEN 0 WHEN 's' THEN 1 WHEN 'i' THEN 2 WHEN 'd' THEN 2 WHEN 't' THEN 3 ELSE 4 END",
      "CASE WHEN \(isNumber(key)) THEN \(number(key)) ELSE CAST(0 AS DECIMAL(38,18)) END",
      "CASE WHEN \(kind(key)) = 'd' THEN 1 ELSE 0 END",
      "CASE WHEN \(isNumber(key)) THEN '' WHEN \(kind(key)) = 's' THEN \(stringText(key)) ELSE \(payload(key)) END",
      "CASE WHEN \(kind(key)) = 's' THEN \(stringLanguage(key)) ELSE '' END",
    ]
  }
}
