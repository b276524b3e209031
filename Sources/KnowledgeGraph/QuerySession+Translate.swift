// Translating a text for another engine: the session's rules in force and the text's rules and
// queries become a program for DuckDB or Spark (QueryTranslation), which reads the store as
// `GraphStore.exportCSV` writes it.

import Diagnostics
import QueryTranslation

@_exported import enum QueryTranslation.TranslationTarget
@_exported import struct QueryTranslation.TranslatedProgram
@_exported import struct QueryTranslation.TranslatedAnswer

extension QuerySession {
  /// Translates a text's queries, with the rules in force and the text's own rules (which the
  /// session keeps, as ``run(_:name:firstLine:parameters:warnings:each:)`` does), for another
  /// engine.
  ///
  /// ```swift
  /// let program = try session.translate("?- path(bank_of_england, X).", name: "<query>", to: .duckDB)
  /// print(program.text)   // a Python program that runs the SQL on DuckDB
  /// ```
  ///
  /// - Throws: `DiagnosticError` with parse and check errors, `untranslatable` errors at each
  ///   construct no engine of the target runs with the same meaning (`matches`, `tx_of`,
  ///   `tx_meta`, `source_of`, `search`, two aggregates in one rule), or when the text has no
  ///   query.
  public func translate(_ text: String, name: String, to target: TranslationTarget) throws(DiagnosticError) -> TranslatedProgram {
    let (_, checked) = try addText(text, name: name, toQuery: "translate")
    let (lowered, results) = interpreter.translationProgram(checked.queries, predicates: checked.predicates)
    let queries = zip(checked.queries, results).map { TranslationQuery(result: $1, columns: $0.columns, query: $0) }
    return try ProgramTranslator(target: target).translate(lowered, queries: queries, dictionary: interpreter.dictionary)
  }
}
