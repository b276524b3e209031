// The subcommands of `xinzhi`: their specs (for parsing and help) and their implementations.

import Diagnostics
import KnowledgeGraph
import Platform

enum CommandTable {
  static let globalOptions: [OptionSpec] = [
    OptionSpec(name: "store", value: "DIR", help: "the store directory (default: $XINZHI_STORE, else ./graph)"),
    OptionSpec(name: "as-of", value: "N", help: "read the store as it was right after transaction N"),
    OptionSpec(name: "lock-timeout", value: "SECONDS", help: "how long a write waits for another writer (default 10)"),
    OptionSpec(name: "no-color", value: nil, help: "never colour the output (NO_COLOR works too)"),
    OptionSpec(name: "help", short: "h", value: nil, help: "show help"),
    OptionSpec(name: "version", value: nil, help: "print the version"),
  ]

  static let provenanceOptions: [OptionSpec] = [
    OptionSpec(name: "source", value: "TEXT", help: "where the facts come from (provenance), e.g. \"000:L146-L152\""),
    OptionSpec(name: "note", value: "TEXT", help: "a free-text note kept with the transaction"),
    OptionSpec(name: "meta", value: "KEY=VALUE", help: "further metadata, e.g. claim=historical", repeatable: true),
  ]

  static let commands: [CommandSpec] = [
    CommandSpec(
      name: "init", summary: "create a new, empty store", arguments: "DIR", positionals: 1...1,
      discussion: "Creates DIR (if needed) with an empty log, synced to disk."),
    CommandSpec(
      name: "assert", summary: "add facts in one transaction and print its number", arguments: "FACTS|-",
      positionals: 1...1,
      discussion: """
        FACTS are binary facts in query syntax, e.g. 'edge(a, b). label(a, "甲"@zh).'; `-` reads
        them from standard input. The transaction is acknowledged only after it is on disk.
        """,
      options: provenanceOptions),
    CommandSpec(
      name: "retract", summary: "remove facts in one transaction and print its number", arguments: "FACTS|-",
      positionals: 1...1,
      discussion: "Retracting a fact the store does not hold is an error, and nothing is written.",
      options: provenanceOptions),
    CommandSpec(name: "stats", summary: "counts: triples, entities, predicates, transactions, log size"),
    CommandSpec(
      name: "log", summary: "list transactions with their metadata and facts",
      options: [OptionSpec(name: "since", value: "N", help: "start at transaction N")]),
    CommandSpec(
      name: "history", summary: "every assertion and retraction naming an entity", arguments: "ENTITY",
      positionals: 1...1),
    CommandSpec(
      name: "verify", summary: "check the whole log and the index; exit 0 only when clean",
      discussion: "Checks every transaction's syntax, numbering, record count and checksum, replays the log into a fresh index, checks the index invariants, and compares the checkpoint with the log."),
    CommandSpec(
      name: "check", summary: "check the graph against its schema, labels, provenance and citations",
      discussion: """
        Every predicate in use is declared with one domain and one range; types name declared
        classes; every entity has a type and a zh and an en label; every fact fits its
        predicate's domain and range and was asserted by a transaction citing a document line
        range (NNN:La-Lb) with a claim kind; every cited range exists in its document. Problems
        are listed with the log line of the fact. Exit 0 only when clean.
        """,
      options: [EntityCommands.sourcesOption, OptionSpec(name: "seeds", value: "DIR", help: "the same as --sources (its older name)")]),
    CommandSpec(
      name: "import", summary: "import a TSV or N-Triples file as one transaction, RDF with its provenance, or a transaction script", arguments: "FILE|-",
      positionals: 1...1,
      discussion: """
        TSV lines are `subject<TAB>predicate<TAB>object`; the object is read in literal syntax
        ("text"@zh, 42, 1.5, @1694, true, 'quoted entity') and anything else is an entity.
        N-Triples 1.1 IRIs become entities (see Documentation/Formats.md). The file is streamed to
        the log and acknowledged after one fsync.
        Turtle, TriG and N-Quads: each named graph becomes a transaction, with the commit time and
        metadata its description gives (as `export --format trig` writes them); statements of the
        default graph become one transaction. A literal Xinzhi cannot store (xsd:double,
        xsd:dateTime, ...) is reported with its place and nothing is written.
        A transaction script (.dl) is fact text in blocks, each opened by `%% key: value` lines
        (at least `%% source: ...`); each block becomes one transaction with that metadata. The
        whole script is checked first, then written with one fsync.
        """,
      options: [
        OptionSpec(name: "format", value: "tsv|nt|nq|ttl|trig|dl", help: "the file format (default: from the extension)"),
        OptionSpec(name: "base", value: "IRI", help: "nq, ttl, trig: the IRI prefix that maps back to plain entity names (default urn:xinzhi:)"),
      ] + provenanceOptions),
    CommandSpec(
      name: "export", summary: "write the store as TSV, RDF (N-Triples, N-Quads, Turtle, TriG) or CSV for SQL engines, or draw it as a Graphviz DOT picture",
      discussion: """
        --format trig and nq keep the provenance: each transaction that asserted a stored fact is
        a named graph <BASE>tx/N, described in the default graph with prov:generatedAtTime and its
        metadata (dcterms:source, dcterms:type for the claim kind, dcterms:isPartOf for the
        section, rdfs:comment for a note, xz:KEY for any other key). nt and ttl hold the facts
        alone. Entities are IRIs under --base (default urn:xinzhi:).
        --format dot draws entities as nodes (labelled in --lang, shaped and coloured by core type,
        literal values inside) and facts as edges labelled with the predicate, with a legend. By
        default it draws every entity-to-entity fact except the vocabulary and document mentions;
        choose with --types, --predicates, --around ENTITY --depth N or --query TEXT. Render with
        Graphviz, e.g. `xinzhi export --format dot --around bank_of_england | dot -Tsvg -o boe.svg`.
        --format csv --output DIR writes DIR/terms.csv (id,key: every value the facts use, as a
        key) and DIR/triples.csv (s,p,o ids), the layout `xinzhi translate` programs read.
        See Documentation/Formats.md and Documentation/ScaleOut.md.
        """,
      options: [
        OptionSpec(name: "format", value: "tsv|nt|nq|ttl|trig|csv|dot", help: "the output format (default tsv)"),
        OptionSpec(name: "base", value: "IRI", help: "RDF: the IRI prefix of entities (default urn:xinzhi:)"),
        OptionSpec(name: "output", short: "o", value: "FILE", help: "write to FILE instead of standard output (csv: a directory)"),
      ] + StoreCommands.pictureOptions + QueryCommands.evaluationOptions.filter { $0.name != "format" }),
    CommandSpec(
      name: "query", summary: "run facts, rules and queries given as text", arguments: "TEXT|-", positionals: 1...1,
      discussion: """
        TEXT is query-language text (Documentation/QueryLanguage.md), e.g. '?- type(X, central_bank).'
        Rules and facts in it last for this run only; one result table is printed per `?-`.
        `$NAME` in the text takes the value of `--param NAME=VALUE`.
        """,
      options: QueryCommands.evaluationOptions + [QueryCommands.labelsOption, QueryCommands.parameterOption]),
    CommandSpec(
      name: "run", summary: "run a script of facts, rules and queries", arguments: "FILE", positionals: 1...1,
      discussion: "`$NAME` in the script takes the value of `--param NAME=VALUE` (see Documentation/QueryLanguage.md).",
      options: QueryCommands.evaluationOptions + [QueryCommands.labelsOption, QueryCommands.parameterOption]),
    CommandSpec(
      name: "test", summary: "run scripts and compare their answers with the results they state", arguments: "[PATH...]",
      positionals: 0...Int.max,
      discussion: """
        Runs every .dl script under the paths (default: queries), each in a fresh session on the
        store. After a `?-` query, lines starting with `%=` state its expected answer as TSV: the
        column names, then one row per line in literal syntax (exactly what `--format tsv` prints).
        A mismatch is shown as a diff (- expected, + actual). Exit 0 when every script passes, 1
        when any fails; a script where no query states a result fails.
        --update writes the `%=` lines from the actual answers instead (review them before committing).
        """,
      options: [OptionSpec(name: "update", help: "write the actual answers into the scripts as their expected results")]
        + QueryCommands.evaluationOptions.filter { $0.name != "format" }),
    CommandSpec(
      name: "translate", aliases: ["compile"], summary: "translate rules and queries into SQL for DuckDB or a PySpark program",
      arguments: "TEXT|FILE|-", positionals: 1...1,
      discussion: """
        The store's standing rules and the text's rules and queries become a program another
        engine runs with the same answers: --to duckdb writes a Python program that runs the SQL
        on DuckDB (pip install duckdb), --to spark a PySpark program (local[*] or spark-submit),
        --to sql a plain SQL script for the DuckDB CLI (programs without recursion). Both
        programs read the store as `xinzhi export --format csv DIR` writes it and write one CSV
        per query, in the form and order `xinzhi query --format csv` prints. What no engine runs
        with the same meaning (matches, tx_of, tx_meta, source_of, search) is refused at its
        place. See Documentation/ScaleOut.md.
        """,
      options: [
        OptionSpec(name: "to", value: "sql|duckdb|spark", help: "the target (required)"),
        OptionSpec(name: "output", short: "o", value: "FILE", help: "write to FILE instead of standard output"),
      ] + QueryCommands.evaluationOptions.filter { $0.name != "format" }),
    CommandSpec(
      name: "explain", summary: "show how queries are evaluated: plans, rows, iterations, time", arguments: "TEXT|-",
      positionals: 1...1,
      discussion: """
        With --to duckdb|spark|sql it prints instead the plan of the program `xinzhi translate`
        would write: each table in order with what it holds, how each recursion runs (DuckDB's
        WITH RECURSIVE, or a loop repeated until its new facts are empty) and where each answer
        goes. Nothing is evaluated.
        """,
      options: QueryCommands.evaluationOptions + [
        OptionSpec(name: "rows", value: nil, help: "also print the query's result"),
        OptionSpec(name: "no-times", value: nil, help: "leave out times (for reproducible output)"),
        OptionSpec(name: "to", value: "sql|duckdb|spark", help: "the plan of the translated program instead"),
      ]),
    CommandSpec(
      name: "why", summary: "show how a fact is derived, down to stored facts and their sources", arguments: "FACT|-",
      positionals: 1...1,
      discussion: """
        FACT is a ground atom such as 'path(a, b)'; rules may precede it: 'path(X, Y) :- edge(X, Y). ?- path(a, b).'
        Each stored fact names the transactions that asserted it and the passages they cite, with the
        document's title; --passages also prints the cited lines (see `xinzhi help source`).
        --format dot draws the derivation tree for Graphviz: facts, the rules that derived them, and the stored
        facts at the leaves with their transactions and sources.
        """,
      options: QueryCommands.evaluationOptions.filter { $0.name != "format" } + [
        OptionSpec(name: "format", value: "text|dot", help: "text (default), or dot: the derivation as a Graphviz picture"),
        OptionSpec(name: "lang", value: "zh|en", help: "the language of document titles, and with --format dot of the legend (default zh)"),
        OptionSpec(name: "passages", value: nil, help: "print the cited lines of the source documents under each stored fact"),
        EntityCommands.sourcesOption,
        OptionSpec(name: "output", short: "o", value: "FILE", help: "write to FILE instead of standard output"),
      ]),
    CommandSpec(
      name: "why-not", aliases: ["whynot"], summary: "show why a fact does not hold: the first failing literal of each rule",
      arguments: "FACT|-", positionals: 1...1, options: QueryCommands.evaluationOptions.filter { $0.name != "format" }),
    CommandSpec(
      name: "find", summary: "find entities by id, label, alias or description", arguments: "TEXT", positionals: 1...Int.max,
      discussion: """
        Chinese, Japanese and Korean text matches anywhere in a name (科技创新再贷款, 央行); other
        text case-insensitively, each word as the start of a word (people's bank, PBOC). The best
        matches come first: an exact label or id, an exact alias, a label that starts with the
        text, an alias that starts with it, an id that starts with it, any other match in a name,
        then descriptions.
        """,
      options: [
        OptionSpec(name: "limit", value: "N", help: "show at most N matches (default 20; 0: all)"),
        EntityCommands.languageOption,
      ]),
    CommandSpec(
      name: "show", summary: "everything about one entity: names, types, facts from and to it, measures, citations",
      arguments: "ENTITY", positionals: 1...Int.max,
      discussion: "ENTITY is an id, a label or an alias (科技创新再贷款, PBOC, bank_of_england); a name several entities share lists them.",
      options: [EntityCommands.languageOption]),
    CommandSpec(
      name: "source", summary: "print cited lines of the source documents, numbered", arguments: "CITATION...",
      positionals: 1...Int.max,
      discussion: "CITATION is NNN:La-Lb (or NNN:La), as `why` and `show` print them, e.g. 000:L164-L166. \(SourceDocuments.howToProvide.prefix(1).uppercased() + SourceDocuments.howToProvide.dropFirst()).",
      options: [EntityCommands.sourcesOption, EntityCommands.languageOption]),
    CommandSpec(
      name: "schema", summary: "the predicates (stored, with counts, domain, range and label; defined by rules) and the builtins",
      arguments: "[PREFIX]", positionals: 0...1, options: [EntityCommands.languageOption]),
    CommandSpec(name: "rules", summary: "show the store's standing rules (rules.dl)"),
    CommandSpec(
      name: "repl", summary: "the interactive shell; `xinzhi` without a command runs it too",
      discussion: """
        Reads queries, rules and meta-commands (.help lists them) with line editing on a terminal,
        plain prompts under TERM=dumb, and no prompts when standard input is a pipe or a file;
        then the exit status is that of the first entry that failed. See Documentation/Repl.md.
        """,
      options: QueryCommands.evaluationOptions.filter { $0.name != "format" }),
    CommandSpec(name: "help", summary: "show help for a command", arguments: "[COMMAND]", positionals: 0...1),
  ]

  typealias Implementation = @Sendable (CommandContext) throws -> Int32

  static let implementations: [String: Implementation] = [
    "init": StoreCommands.initialize,
    "assert": { try StoreCommands.write($0, retracting: false) },
    "retract": { try StoreCommands.write($0, retracting: true) },
    "stats": StoreCommands.stats,
    "log": StoreCommands.log,
    "history": StoreCommands.history,
    "verify": StoreCommands.verify,
    "check": StoreCommands.check,
    "import": StoreCommands.importFile,
    "export": StoreCommands.export,
    "query": QueryCommands.query,
    "run": QueryCommands.runFile,
    "test": QueryCommands.test,
    "explain": QueryCommands.explain,
    "translate": QueryCommands.translate,
    "why": { try QueryCommands.why($0, not: false) },
    "why-not": { try QueryCommands.why($0, not: true) },
    "rules": QueryCommands.rules,
    "schema": { context in
      let session = try QueryCommands.session(context)
      let lines = SchemaView.lines(
        store: session.store, rules: session.rules, declarations: session.declarations, standingRuleCount: session.rules.count, language: try EntityCommands.language(context),
        style: context.style, prefix: context.arguments.positionals.first ?? "")
      for line in lines { context.console.print(line) }
      return 0
    },
    "find": EntityCommands.find,
    "show": EntityCommands.show,
    "source": EntityCommands.source,
    "repl": runDefault,
    "help": { context in
      if let name = context.arguments.positionals.first, !commands.contains(where: { $0.name == name || $0.aliases.contains(name) }) {
        let suggestion = Suggestions.didYouMean(name, in: commands.map(\.name))
        throw DiagnosticError(.usage, code: "usage", "unknown command `\(name)`", help: suggestion ?? "`xinzhi help` lists the commands")
      }
      context.console.print(help(for: context.arguments.positionals.first))
      return 0
    },
  ]

  /// What `xinzhi` does without a command: the REPL — with line editing on a terminal, plain
  /// prompts under TERM=dumb, and no prompts when standard input is a pipe or a file.
  static func runDefault(_ context: CommandContext) throws -> Int32 {
    let store = try context.openStore()
    let mode: Repl.InputMode =
      Terminal.supportsEditing(environment: context.environment) ? .editing
      : isatty(STDIN_FILENO) == 1 ? .plainPrompts : .script
    return try Repl(context: context, store: store, mode: mode).run()
  }

  /// Help text for a command, or the overview.
  static func help(for name: String?) -> String {
    if let name, let spec = commands.first(where: { $0.name == name }) {
      var lines = ["usage: \(spec.usageLine)", "", spec.summary.prefix(1).uppercased() + spec.summary.dropFirst() + "."]
      if !spec.discussion.isEmpty {
        lines += ["", spec.discussion]
      }
      let options = spec.options + globalOptions
      lines += ["", "options:"]
      lines += optionLines(options)
      return lines.joined(separator: "\n")
    }
    var lines = [
      "xinzhi — a knowledge-graph store with a Datalog query language",
      "",
      "usage: xinzhi [--store DIR] [COMMAND] [options]",
      "",
      "commands:",
    ]
    let width = commands.map(\.name.count).max() ?? 0
    for spec in commands {
      lines.append("  " + spec.name + String(repeating: " ", count: width - spec.name.count + 2) + spec.summary)
    }
    lines += ["", "global options:"]
    lines += optionLines(globalOptions)
    lines += ["", "Run `xinzhi help COMMAND` for a command's options."]
    return lines.joined(separator: "\n")
  }

  private static func optionLines(_ options: [OptionSpec]) -> [String] {
    let shown = options.map { option -> (String, String) in
      var flag = option.short.map { "-\($0), " } ?? ""
      flag += "--" + option.name
      if let value = option.value { flag += " " + value }
      return (flag, option.help)
    }
    let width = shown.map(\.0.count).max() ?? 0
    return shown.map { "  " + $0.0 + String(repeating: " ", count: width - $0.0.count + 2) + $0.1 }
  }
}
