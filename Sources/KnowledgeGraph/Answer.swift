// Typed answers for Swift callers: a query's rows as values with named columns, and the label of
// every entity value in a language, so that an application reads `row["Bank"]` and
// `row.label("Bank")` instead of decoding rendered text.

import Diagnostics
import GraphModel
import QueryEngine
import QueryLanguage

/// One row of an ``Answer``.
public struct AnswerRow: Sendable, Hashable {
  /// The answer's column names, in order.
  public let columns: [String]
  /// The row's values, one per column.
  public let values: [Value]
  /// For each column, the label of an entity value in the answer's label language (nil for
  /// other values, entities without such a label, or when no language was asked for).
  public let labels: [String?]

  /// The value in a column, by position.
  public subscript(_ index: Int) -> Value { values[index] }

  /// The value in a column, by name; nil when there is no such column.
  public subscript(_ column: String) -> Value? {
    columns.firstIndex(of: column).map { values[$0] }
  }

  /// The label of the entity in a column, by name; nil as ``labels`` says.
  public func label(_ column: String) -> String? {
    columns.firstIndex(of: column).flatMap { labels[$0] }
  }
}

/// The answer to one query: its columns and rows, in the query's order (`order by`, else
/// Xinzhi's value order), decoded to values.
public struct Answer: Sendable, RandomAccessCollection {
  /// The column names (the query's variables, or its listed columns).
  public let columns: [String]
  /// The rows.
  public let rows: [AnswerRow]
  /// How many rows the query had before `limit`.
  public let totalRows: Int

  /// The first row's position (0).
  public var startIndex: Int { rows.startIndex }
  /// The position after the last row.
  public var endIndex: Int { rows.endIndex }
  /// The row at a position.
  public subscript(position: Int) -> AnswerRow { rows[position] }

  /// Decodes a query result, labelling entity values in `language` from `store`.
  init(_ result: QueryResult, labelsIn language: String?, store: GraphStore) {
    columns = result.columns
    totalRows = result.totalRows
    var labelCache: [String: String?] = [:]
    rows = result.rows.map { values in
      let labels: [String?] = values.map { value in
        guard let language, let id = value.entityID else { return nil }
        if let known = labelCache[id] { return known }
        let label = store.label(of: id, language: language)
        labelCache[id] = label
        return label
      }
      return AnswerRow(columns: result.columns, values: values, labels: labels)
    }
  }
}

extension QuerySession {
  /// Answers the one query of a text, with typed rows.
  ///
  /// Rules and facts in the text join the session first, as with
  /// ``run(_:name:firstLine:parameters:warnings:each:)``. Values are bound to `$name`
  /// parameters, never pasted into the text, so a value cannot change the query's meaning:
  ///
  /// ```swift
  /// let answer = try session.answer(
  ///   "?- financed(Bank, $target).", parameters: ["target": .entity("first_industrial_revolution")],
  ///   labelsIn: "zh")
  /// for row in answer { print(row["Bank"]!, row.label("Bank") ?? "") }
  /// ```
  ///
  /// - Parameters:
  ///   - text: Query-language text holding exactly one query (`?- ...`).
  ///   - parameters: Values for the text's `$name` parameters.
  ///   - language: A language tag (`zh`, `en`) to label entity values in; nil for none.
  /// - Throws: `DiagnosticError`: code `answer-query-count` when the text holds no query or
  ///   several, else every parse, check or evaluation error of ``run(_:name:firstLine:parameters:warnings:each:)``.
  public func answer(_ text: String, parameters: [String: Value] = [:], labelsIn language: String? = nil) throws(DiagnosticError) -> Answer {
    // Count the queries before anything runs, so a text with none or several changes nothing.
    // (A text that does not parse is left to `run`, which reports its errors.)
    let (program, syntaxErrors) = Parser.parse(SourceText(name: "<query>", text: text), parameters: parameters)
    guard program.queries.count == 1 || !syntaxErrors.isEmpty else {
      throw DiagnosticError(
        .usage, code: "answer-query-count", "`answer` takes a text with exactly one query; this one has \(program.queries.count)",
        help: "use run(_:name:) for several queries, or write one `?- ...` query")
    }
    var answered: QueryResult?
    for case .answer(let result) in try run(text, name: "<query>", parameters: parameters) { answered = result }
    guard let result = answered else {
      throw DiagnosticError(.internalError, code: "answer-query-count", "the query of the text was not answered")
    }
    return Answer(result, labelsIn: language, store: store)
  }
}
