// What a translation produces: the steps an engine runs (tables created, rows appended, a
// semi-naive loop repeated until nothing is new), and the scripts that run them: plain SQL for a
// program without recursion, a Python driver for DuckDB, a PySpark driver for Spark.

/// Where a program is translated to.
public enum TranslationTarget: String, CaseIterable, Sendable {
  /// A plain SQL script in DuckDB's dialect (programs without recursion).
  case sql
  /// A Python program that runs the SQL on DuckDB (the `duckdb` package) and writes each answer
  /// as CSV; recursion is a loop it drives.
  case duckDB = "duckdb"
  /// A PySpark program (Spark SQL and a semi-naive loop) for `local[*]` or `spark-submit`.
  case spark
}

/// One step of a translated program.
package enum TranslationStep: Sendable {
  /// `CREATE OR REPLACE TABLE table AS query`; `note` says what the table holds.
  case create(table: String, query: String, note: String)
  /// Appends the rows of `query` to `table`.
  case append(table: String, query: String)
  /// Runs `steps` again and again until every table of `until` is empty (a recursive
  /// stratum's semi-naive loop; the tables are its new facts).
  case repeatUntilEmpty(steps: [TranslationStep], until: [String], note: String)
  /// The answer of query `index` (from 0) is complete: write it out. Each query's answer comes
  /// as soon as the strata it reads are computed, so a query that stops with an error stops the
  /// program after the earlier queries' answers, as `xinzhi run` does.
  case answer(index: Int)
}

/// A query's answer as a translated program leaves it.
public struct TranslatedAnswer: Sendable {
  /// The table that holds it (keys, one column per result column).
  public var table: String
  /// The result columns.
  public var columns: [String]
  /// The query's text.
  public var query: String
  /// The query that reads the table sorted as Xinzhi sorts the answer, `order by` and `limit`
  /// applied, every cell a key.
  package var sortedQuery: String
}

/// A program translated for another engine.
public struct TranslatedProgram: Sendable {
  /// The target.
  public let target: TranslationTarget
  /// The script: SQL, or a Python program.
  public let text: String
  /// The queries' answers, in the order of the queries.
  public let answers: [TranslatedAnswer]
  /// The plan of the program, one line per step (what `xinzhi explain --to` prints): each table
  /// with what it holds, how each recursion runs, where each answer is written.
  public let plan: String
}
