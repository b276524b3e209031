// Writes translated steps as scripts: plain SQL (DuckDB), a Python driver that runs the SQL on
// DuckDB, and a PySpark driver. The drivers read the store exported by
// `xinzhi export --format csv DIR` and write each answer as CSV in the
// form and order `xinzhi query --format csv` prints it (or as keys with --keys).

import GraphModel

enum ScriptWriter {
  /// The statements that turn the loaded export (tables terms, triples, assertions,
  /// transactions) into tables of keys: `facts(s, p, o)`, `asserted(s, p, o, tx)` and
  /// `txmeta(tx, key, value, first)`.
  static let load: [TranslationStep] = [
    .create(
      table: "facts",
      query: """
        SELECT ts.key AS s, tp.key AS p, tv.key AS o FROM triples JOIN terms AS ts ON ts.id = triples.s \
        JOIN terms AS tp ON tp.id = triples.p JOIN terms AS tv ON tv.id = triples.o
        """,
      note: "the stored facts, every value as its key"),
    .create(
      table: "asserted",
      query: """
        SELECT ts.key AS s, tp.key AS p, tv.key AS o, 'i' || CAST(a.tx AS STRING) AS tx FROM assertions AS a \
        JOIN terms AS ts ON ts.id = a.s JOIN terms AS tp ON tp.id = a.p JOIN terms AS tv ON tv.id = a.o
        """,
      note: "each stored fact with each transaction that asserted it"),
    .create(
      table: "txmeta",
      query: """
        SELECT 'i' || CAST(t.tx AS STRING) AS tx, t.key AS key, t.value AS value, \
        t.position = min(t.position) OVER (PARTITION BY t.tx, t.key) AS first FROM transactions AS t
        """,
      note: "each transaction's metadata; first marks the first value of a key"),
  ]

  /// The export's files with their columns, as the loaders read them.
  static let exportFiles: [(table: String, file: String, columns: [(String, String)])] = [
    ("terms", "terms.csv", [("id", "BIGINT"), ("key", "VARCHAR")]),
    ("triples", "triples.csv", [("s", "BIGINT"), ("p", "BIGINT"), ("o", "BIGINT")]),
    ("assertions", "assertions.csv", [("s", "BIGINT"), ("p", "BIGINT"), ("o", "BIGINT"), ("tx", "BIGINT")]),
    ("transactions", "transactions.csv", [("tx", "BIGINT"), ("position", "BIGINT"), ("key", "VARCHAR"), ("value", "VARCHAR")]),
  ]

  /// DuckDB's read_csv of an export file, its path an SQL expression.
  static func duckDBRead(_ path: String, _ columns: [(String, String)]) -> String {
    let types = columns.map { "'\($0.0)': '\($0.1)'" }.joined(separator: ", ")
    return "SELECT * FROM read_csv(\(path), header = true, quote = '\"', escape = '\"', columns = {\(types)})"
  }

  // MARK: - The plan

  /// The steps as an outline: one line per table, the body of each loop indented under it.
  static func plan(_ steps: [TranslationStep], answers: [TranslatedAnswer], target: TranslationTarget) -> String {
    var lines = ["translated for \(target.rawValue): the export loaded into terms, triples, assertions and transactions, then"]
    var number = 0
    func outline(_ steps: [TranslationStep], indent: String) {
      for step in steps {
        switch step {
        case .create(let table, let query, let note):
          number += 1
          let shape = query.hasPrefix("WITH RECURSIVE") ? " (WITH RECURSIVE … UNION)" : ""
          lines.append("\(indent)\(number). \(table): \(oneLine(note))\(shape)")
        case .append(let table, let query):
          lines.append("\(indent)   \(table) += \(query.replacingAll("SELECT * FROM ", with: ""))")
        case .repeatUntilEmpty(let body, let until, let note):
          number += 1
          lines.append("\(indent)\(number). repeat until \(until.joined(separator: ", ")) \(until.count == 1 ? "is" : "are") empty: \(oneLine(note))")
          outline(body, indent: indent + "   ")
        case .answer(let index):
          let answer = answers[index]
          lines.append("\(indent)→ \(answer.table).csv: \(oneLine(answer.query))")
        }
      }
    }
    outline(load + steps, indent: "")
    return lines.joined(separator: "\n") + "\n"
  }

  // MARK: - Plain SQL

  static func sql(_ steps: [TranslationStep], answers: [TranslatedAnswer], dialect: SQLDialect) -> String {
    var lines = [
      "-- Translated by xinzhi (DuckDB dialect). Run it with the DuckDB CLI in a directory holding the",
      "-- store exported by `xinzhi export --format csv xinzhi-data`:   duckdb < program.sql",
      "-- Every value is a key: e entity, s<language>|text string, i integer, d decimal, t date, b boolean.",
      "",
    ]
    for (table, file, columns) in exportFiles {
      lines.append("CREATE OR REPLACE TABLE \(table) AS \(duckDBRead(dialect.literal("xinzhi-data/" + file), columns));")
    }
    for step in load + steps {
      if case .answer(let index) = step {
        let answer = answers[index]
        lines.append("")
        lines.append("-- \(oneLine(answer.query))")
        let cells = answer.columns.isEmpty ? "'true' AS result" : answer.columns.map { "\(dialect.plain(dialect.identifier($0))) AS \(dialect.identifier($0))" }.joined(separator: ", ")
        lines.append("SELECT \(cells) FROM (\(answer.sortedQuery)) AS a;")
      } else {
        lines += sqlLines(step)
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func sqlLines(_ step: TranslationStep) -> [String] {
    switch step {
    case .create(let table, let query, let note):
      return ["", "-- \(oneLine(note))", "CREATE OR REPLACE TABLE \(table) AS", query + ";"]
    case .append(let table, let query):
      return ["INSERT INTO \(table) \(query);"]
    case .repeatUntilEmpty, .answer:
      return []  // refused before writing; answers are written by the caller
    }
  }

  /// A note or query on one comment line.
  static func oneLine(_ text: String) -> String {
    String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
  }

  // MARK: - Python drivers

  /// A Python string literal (the literal syntax's escapes are Python's too).
  static func python(_ text: String) -> String { LiteralSyntax.quote(text, with: "'") }

  private static func pythonSteps(_ steps: [TranslationStep], indent: String) -> [String] {
    var lines: [String] = []
    for step in steps {
      switch step {
      case .create(let table, let query, let note):
        lines.append("\(indent)# \(oneLine(note))")
        lines.append("\(indent)create(\(python(table)), \(python(query)))")
      case .append(let table, let query):
        lines.append("\(indent)append(\(python(table)), \(python(query)))")
      case .repeatUntilEmpty(let body, let until, let note):
        lines.append("\(indent)# \(oneLine(note))")
        lines.append("\(indent)while True:")
        lines += pythonSteps(body, indent: indent + "    ")
        lines.append("\(indent)    if all(empty(t) for t in [\(until.map(python).joined(separator: ", "))]):")
        lines.append("\(indent)        break")
      case .answer(let index):
        lines.append("\(indent)answer(\(index))")
      }
    }
    return lines
  }

  /// What both drivers share: arguments, CSV cells as Xinzhi writes them, the answers.
  private static func common(_ answers: [TranslatedAnswer]) -> [String] {
    var lines = [
      "",
      "def plain(key):",
      "    \"\"\"A key as `xinzhi query --format csv` prints its value.\"\"\"",
      "    if key.startswith('s'):",
      "        return key[key.index('|') + 1:]",
      "    return key[1:]",
      "",
      "",
      "def field(text):",
      "    if any(c in text for c in ',\"\\n\\r') or text.startswith(' ') or text.endswith(' '):",
      "        return '\"' + text.replace('\"', '\"\"') + '\"'",
      "    return text",
      "",
      "",
      "def write_answer(name, columns, rows):",
      "    with open(os.path.join(OUT, name + '.csv'), 'w', encoding='utf-8', newline='') as f:",
      "        f.write(','.join(field(c) for c in columns) + '\\r\\n')",
      "        for row in rows:",
      "            cells = row if KEYS else [plain(k) for k in row]",
      "            f.write(','.join(field(c) for c in cells) + '\\r\\n')",
      "",
      "",
      "ANSWERS = [",
    ]
    for answer in answers {
      lines.append("    (\(python(answer.table)), [\(answer.columns.map(python).joined(separator: ", "))], \(python(answer.sortedQuery)), \(python(answer.query))),")
    }
    lines.append("]")
    return lines
  }

  private static let arguments = [
    "import os",
    "import sys",
    "",
    "positional = [a for a in sys.argv[1:] if not a.startswith('--')]",
    "KEYS = '--keys' in sys.argv[1:]",
    "DATA = positional[0] if positional else 'xinzhi-data'",
    "OUT = positional[1] if len(positional) > 1 else 'xinzhi-answers'",
  ]

  static func duckDBDriver(_ steps: [TranslationStep], answers: [TranslatedAnswer]) -> String {
    var lines = [
      "#!/usr/bin/env python3",
      "# Translated by xinzhi for DuckDB (pip install duckdb). Reads the store exported by",
      "# `xinzhi export --format csv DATA`, writes one CSV per query into OUT:",
      "#     python3 program.py [DATA [OUT]] [--keys]",
      "# Every value is a key (e entity, s<language>|text string, i integer, d decimal, t date,",
      "# b boolean); --keys writes keys instead of the plain text xinzhi prints.",
    ] + arguments + [
      "",
      "import duckdb",
      "",
      "con = duckdb.connect()",
      "",
      "",
      "def create(table, query):",
      "    con.execute('CREATE OR REPLACE TABLE ' + table + ' AS ' + query)",
      "",
      "",
      "def append(table, query):",
      "    con.execute('INSERT INTO ' + table + ' ' + query)",
      "",
      "",
      "def empty(table):",
      "    return con.execute('SELECT count(*) FROM ' + table).fetchone()[0] == 0",
      "",
      "",
      "def csv_path(name):",
      "    return \"'\" + os.path.join(DATA, name).replace(\"'\", \"''\") + \"'\"",
      "",
    ] + common(answers) + [
      "",
    ]
    for (table, file, columns) in exportFiles {
      let parts = duckDBRead("\u{0}", columns).split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
      let read = python(parts[0]) + " + csv_path(\(python(file))) + " + python(parts.count > 1 ? parts[1] : "")
      lines.append("create(\(python(table)), \(read))")
    }
    lines += [
      "",
      "",
      "def answer(index):",
      "    table, columns, query, text = ANSWERS[index]",
      "    rows = con.execute(query).fetchall()",
      "    write_answer(table, columns, rows if columns else [['btrue']] * len(rows))",
      "",
      "",
      "os.makedirs(OUT, exist_ok=True)",
    ]
    lines += pythonSteps(load + steps, indent: "")
    return lines.joined(separator: "\n") + "\n"
  }

  static func sparkDriver(_ steps: [TranslationStep], answers: [TranslatedAnswer]) -> String {
    var lines = [
      "#!/usr/bin/env python3",
      "# Translated by xinzhi for Apache Spark (PySpark). Reads the store exported by",
      "# `xinzhi export --format csv DATA`, writes one CSV per query into OUT:",
      "#     spark-submit program.py [DATA [OUT]] [--keys]      (or python3 program.py, local[*])",
      "# DATA and OUT are paths the driver reads and writes (the answers are collected to it).",
      "# Every value is a key (e entity, s<language>|text string, i integer, d decimal, t date,",
      "# b boolean); --keys writes keys instead of the plain text xinzhi prints.",
    ] + arguments + [
      "",
      "from pyspark.sql import SparkSession",
      "",
      "spark = (SparkSession.builder.appName('xinzhi')",
      "         .config('spark.sql.ansi.enabled', 'true')",
      "         # Each computed value is a column of its own, read by name; these rules would copy",
      "         # the expressions into one another (or into filters) until the plans outgrow memory.",
      "         .config('spark.sql.constraintPropagation.enabled', 'false')",
      "         .config('spark.sql.optimizer.excludedRules', ','.join('org.apache.spark.sql.catalyst.optimizer.' + r for r in",
      "                 ['CollapseProject', 'PushDownPredicates', 'PushPredicateThroughNonJoin']))",
      "         .config('spark.sql.shuffle.partitions', os.environ.get('XINZHI_SPARK_PARTITIONS', '8'))",
      "         .getOrCreate())",
      "",
      "",
      "def create(table, query):",
      "    # Materialised at once, so a loop's plans do not grow round by round.",
      "    spark.sql(query).localCheckpoint().createOrReplaceTempView(table)",
      "",
      "",
      "def append(table, query):",
      "    create(table, 'SELECT * FROM ' + table + ' UNION ALL ' + query)",
      "",
      "",
      "def empty(table):",
      "    return spark.table(table).isEmpty()",
      "",
    ] + common(answers) + [
      "",
    ]
    for (table, file, columns) in exportFiles {
      let schema = columns.map { "\($0.0) \($0.1 == "VARCHAR" ? "STRING" : $0.1)" }.joined(separator: ", ")
      lines.append("spark.read.csv(os.path.join(DATA, \(python(file))), header=True, schema=\(python(schema)), multiLine=True, quote='\"', escape='\"').createOrReplaceTempView(\(python(table)))")
    }
    lines += [
      "",
      "",
      "def answer(index):",
      "    table, columns, query, text = ANSWERS[index]",
      "    rows = [list(r) for r in spark.sql(query).collect()]",
      "    write_answer(table, columns, rows if columns else [['btrue']] * len(rows))",
      "",
      "",
      "os.makedirs(OUT, exist_ok=True)",
    ]
    lines += pythonSteps(load + steps, indent: "")
    lines += [
      "if not os.environ.get('XINZHI_SPARK_KEEP'):  # a harness running many programs keeps the session",
      "    spark.stop()",
    ]
    return lines.joined(separator: "\n") + "\n"
  }
}
