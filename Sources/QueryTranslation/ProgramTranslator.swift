// Turns a lowered program with its queries into a script for the target: the loading of the
// exported store (`xinzhi export --format csv`), the steps of SQLTranslator, and one answer per
// query, written as CSV by the drivers.

import Diagnostics
import GraphModel
import QueryIR
import QueryLanguage

/// A query of the program and the predicate its rule fills.
package struct TranslationQuery {
  package var result: Int
  package var columns: [String]
  package var query: SourcedQuery

  package init(result: Int, columns: [String], query: SourcedQuery) {
    self.result = result
    self.columns = columns
    self.query = query
  }
}

/// Translates programs for one target.
package struct ProgramTranslator {
  package let target: TranslationTarget

  package init(target: TranslationTarget) {
    self.target = target
  }

  var dialect: SQLDialect { target == .spark ? .spark : .duckDB }

  /// The translated program, or the diagnostics of what cannot be translated.
  package func translate(_ program: IRProgram, queries: [TranslationQuery], dictionary: TermDictionary) throws(DiagnosticError) -> TranslatedProgram {
    var translator = SQLTranslator(program: program, dictionary: dictionary, dialect: dialect)
    var answers: [TranslatedAnswer] = []
    var all: [TranslationStep] = []
    var done = Set<Int>()
    for (k, query) in queries.enumerated() {
      all += try translator.steps(computing: [query.result], done: &done)
      let table = "answer_\(k + 1)"
      let columns = SQLTranslator.columns(query.columns.count)
      let quoted = query.columns.map(dialect.identifier)
      let select = query.columns.isEmpty ? "SELECT DISTINCT u FROM \(SQLTranslator.table(query.result))"
        : "SELECT DISTINCT " + zip(columns, quoted).map { "\($0) AS \($1)" }.joined(separator: ", ") + " FROM \(SQLTranslator.table(query.result))"
      let text = query.query.source.slice(query.query.query.span)
      all.append(.create(table: table, query: select, note: "the answer to \(text)"))
      // Xinzhi's order: `order by` keys first, then every column ascending.
      var keys: [String] = []
      for key in query.query.query.ordering {
        guard let index = query.columns.firstIndex(of: key.variable) else { continue }
        keys += dialect.sortFields(quoted[index]).map { $0 + (key.descending ? " DESC" : "") }
      }
      for column in quoted { keys += dialect.sortFields(column) }
      var sorted = "SELECT * FROM \(table)"
      if !query.columns.isEmpty { sorted += " ORDER BY " + keys.joined(separator: ", ") }
      if let limit = query.query.query.limit { sorted += " LIMIT \(limit)" }
      answers.append(TranslatedAnswer(table: table, columns: query.columns, query: text, sortedQuery: sorted))
      all.append(.answer(index: k))
    }
    if !translator.diagnostics.isEmpty { throw DiagnosticError(translator.diagnostics) }
    let text: String
    switch target {
    case .sql:
      if all.contains(where: { if case .repeatUntilEmpty = $0 { true } else { false } }) {
        let recursive = all.compactMap { step -> String? in
          if case .repeatUntilEmpty(_, _, let note) = step { return note }
          return nil
        }
        throw DiagnosticError(
          .data, code: "untranslatable",
          "cannot translate to a plain SQL script: \(recursive.joined(separator: "; ")) needs a loop that SQL alone does not run",
          help: "translate with --to duckdb (a Python driver runs the loop on DuckDB) or --to spark")
      }
      text = ScriptWriter.sql(all, answers: answers, dialect: dialect)
    case .duckDB: text = ScriptWriter.duckDBDriver(all, answers: answers)
    case .spark: text = ScriptWriter.sparkDriver(all, answers: answers)
    }
    return TranslatedProgram(target: target, text: text, answers: answers, plan: ScriptWriter.plan(all, answers: answers, target: target))
  }
}
