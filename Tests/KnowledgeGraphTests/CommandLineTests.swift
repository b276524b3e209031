// The `xinzhi` executable as users run it: commands, exit statuses (sysexits) and messages.

import Platform
import TestSupport
import Testing

@Suite struct CommandLineTests {
  /// Issue 15, small items: full-width commas and parentheses are read as ASCII; `-c` points at
  /// `query`; `why --help` offers only the formats it takes; "why not" advice names `.whynot`.
  @Test func smallShellItemsOfIssue15() {
    let dir = TemporaryDirectory()
    let g = dir.file("g")
    _ = xinzhi(["init", g])
    _ = xinzhi(["--store", g, "assert", "edge(a, b). edge(b, c)."])
    let fullWidth = xinzhi(["--store", g, "query", "--format", "tsv", "?- edge（X， Y）."])
    #expect(fullWidth.status == 0 && fullWidth.stdout == "X\tY\na\tb\nb\tc\n", "\(fullWidth.stdout)\(fullWidth.stderr)")
    let c = xinzhi(["--store", g, "-c", "?- edge(X, Y)."])
    #expect(c.status == 64 && c.stderr.contains("use `xinzhi query 'TEXT'`") && !c.stderr.contains("did you mean `-h`"), "\(c.stderr)")
    let help = xinzhi(["why", "--help"])
    #expect(help.stdout.contains("--format text|dot") && !help.stdout.contains("table, csv, tsv"), "\(help.stdout)")
    let whyMissing = xinzhi(["--store", g, "why", "edge(c, a)"])
    #expect(whyMissing.stdout.contains("Try `.whynot edge(c, a)` (at the command line: `xinzhi why-not 'edge(c, a)'`)"), "\(whyMissing.stdout)")
  }

  /// Issue 11, first report, as a user typed it: a repeated variable over stored facts.
  @Test func repeatedVariableOverStoredFacts() throws {
    let dir = TemporaryDirectory()
    let demo = dir.file("demo")
    #expect(xinzhi(["init", demo]).status == 0)
    #expect(xinzhi(["--store", demo, "assert", "f(a, b). f(c, c).", "--source", "t"]).status == 0)
    let stored = xinzhi(["--store", demo, "query", "?- f(Z, Z)."])
    #expect(stored.status == 0)
    #expect(stored.stdout == "Z\n-\nc\n(1 row)\n")
    let inText = xinzhi(["--store", demo, "query", "g(a, b). g(c, c). ?- g(Z, Z)."])
    #expect(inText.stdout == "Z\n-\nc\n(1 row)\n")
    // In a rule the same slip derived p for subjects whose object differs.
    let rule = xinzhi(["--store", demo, "query", "p(Z) :- f(Z, Z). ?- p(Z).", "--format", "tsv"])
    #expect(rule.stdout == "Z\nc\n")
  }

  /// Never silently empty: an empty answer whose query names an entity nothing mentions, or a
  /// string stored only under another language tag, warns on stderr with a suggestion; the
  /// answer on stdout is unchanged, and answers that are not empty, or whose constants are
  /// known, draw no warning.
  @Test func emptyAnswersPointAtLikelySlips() throws {
    let dir = TemporaryDirectory()
    let g = dir.file("g")
    #expect(xinzhi(["init", g]).status == 0)
    let facts = "label(bank_of_england, \"英格兰银行\"@zh). label(bank_of_england, \"Bank of England\"@en). founded(bank_of_england, 1694)."
    #expect(xinzhi(["--store", g, "assert", facts, "--source", "t"]).status == 0)
    let cases: [(query: String, warning: String?, help: String?)] = [
      ("?- label(X, \"英格兰银行\").", "<query>:1:13: warning: \"英格兰银行\" is stored only with a language tag, so the answer is empty",
       "help: the store holds it as \"英格兰银行\"@zh; it is the label of `bank_of_england`"),
      ("?- label(X, \"Bank of England\"@zh).", "warning: \"Bank of England\"@zh is not a stored value", "help: the store holds it as \"Bank of England\"@en"),
      ("?- founded(bank_of_englnd, Y).", "<query>:1:12: warning: no stored fact and no rule mentions `bank_of_englnd`, so the answer is empty",
       "help: did you mean `bank_of_england`?"),
      ("?- founded(英格兰银行, Y).", "warning: no stored fact and no rule mentions `英格兰银行`",
       "help: `英格兰银行` is the label of `bank_of_england`; queries name entities by id: write `bank_of_england`"),
      ("?- founded(X, Y), X = zzz.", "warning: no stored fact and no rule mentions `zzz`", "help: entity ids are case-sensitive"),
      // Known constants, empty answer: no warning.
      ("?- founded(bank_of_england, 1700).", nil, nil),
      ("?- label(X, \"英格兰银行\"@zh), founded(X, 1066).", nil, nil),
      // A constant only a rule mentions is known.
      ("p(zzz). ?- p(X), founded(X, Y).", nil, nil),
      // Not empty: no warning even though `nothing` is unknown.
      ("?- founded(X, Y), not label(X, nothing).", nil, nil),
      // Empty, but the unknown constants stand under `not` and `!=`, where they cannot be why.
      ("?- founded(X, 1066), not label(X, nothing).", nil, nil),
      ("?- founded(X, 1066), X != nobody.", nil, nil),
      // Builtins take values that are not stored facts: no warning for "en" or "!".
      ("?- label(X, L), lang(L, \"en\"), founded(X, 1066).", nil, nil),
      ("?- label(X, L), concat(L, \"!\", R), founded(X, 1066).", nil, nil),
      ("?- tx_meta(T, source, S), founded(bank_of_england, 1066).", nil, nil),
      // A string a rule computes is no slip either.
      ("full(X, N) :- label(X, L), N = concat(L, \" Ltd\"). ?- full(X, \"Bank of England Ltd\"), founded(X, 1066).", nil, nil),
    ]
    for c in cases {
      let result = xinzhi(["--store", g, "query", c.query, "--format", "tsv"])
      #expect(result.status == 0, "\(c.query): \(result.stderr)")
      if let warning = c.warning {
        #expect(result.stderr.contains(warning), "\(c.query): \(result.stderr)")
        #expect(result.stderr.contains(c.help ?? ""), "\(c.query): \(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 1, "the answer stays empty: \(result.stdout)")
      } else {
        #expect(result.stderr == "", "\(c.query): \(result.stderr)")
      }
    }
  }

  /// Issue 11, second report: `xinzhi run` from the repository root (the shipped graph) lost
  /// the row that magic sets needed a second demand for.
  @Test func magicSetsWithAConstantArgumentOnTheShippedGraph() throws {
    let dir = TemporaryDirectory()
    for query in ["?- comp(a, X, H).", "?- e(A), comp(A, X, H)."] {
      let text = """
        e(a). p(b, a). s(c, b).
        comp(A, X, "p") :- e(A), p(X, A).
        comp(A, X, "s") :- comp(A, Y, "p"), s(X, Y).
        \(query)

        """
      let file = dir.write("comp.dl", text)
      let result = xinzhi(["run", file, "--format", "tsv"], directory: ShippedGraphTests.root)
      #expect(result.status == 0, "\(result.stderr)")
      let expected = query.hasPrefix("?- e(A)") ? "A\tX\tH\na\tb\t\"p\"\na\tc\t\"s\"\n" : "X\tH\nb\t\"p\"\nc\t\"s\"\n"
      #expect(result.stdout == expected)
    }
  }

  @Test func initAssertRetractStatsLogHistoryVerify() throws {
    let dir = TemporaryDirectory()
    let g = dir.file("g")
    #expect(xinzhi(["init", g]).status == 0)
    let a = xinzhi(["--store", g, "assert", "edge(a, b). label(a, \"甲\"@zh).", "--source", "000:L1-L2", "--meta", "claim=historical"])
    #expect(a.status == 0)
    #expect(a.stdout == "1\n")
    #expect(xinzhi(["--store", g, "retract", "edge(a, b)."]).stdout == "2\n")
    let piped = xinzhi(["--store", g, "assert", "-"], input: "edge(b, c).\n")
    #expect(piped.stdout == "3\n")
    let stats = xinzhi(["--store", g, "stats"])
    #expect(stats.status == 0)
    #expect(stats.stdout.contains("triples       2"))
    #expect(stats.stdout.contains("transactions  3"))
    let log = xinzhi(["--store", g, "log", "--since", "1"])
    #expect(log.stdout.contains("  source: 000:L1-L2\n  claim: historical\n  + edge(a, b)\n  + label(a, \"甲\"@zh)"))
    #expect(log.stdout.contains("tx 2"))
    let history = xinzhi(["--store", g, "history", "a"])
    #expect(history.stdout.split(separator: "\n").count == 3)
    #expect(xinzhi(["--store", g, "verify"]).status == 0)
    #expect(xinzhi(["--store", g, "--as-of", "1", "export"]).stdout == "a\tedge\tb\na\tlabel\t\"甲\"@zh\n")
    #expect(xinzhi(["stats"], environment: ["XINZHI_STORE": g]).status == 0)
  }

  @Test(arguments: [
    (["frobnicate"], Int32(64), "unknown command `frobnicate`"),
    (["stats", "--bogus"], Int32(64), "unknown option `--bogus`"),
    (["assert"], Int32(64), "`assert` needs FACTS|-"),
    (["--store", "/nonexistent/x", "stats"], Int32(66), "no store at `/nonexistent/x`"),
    (["assert", "p(a, b"], Int32(65), "expected `,` or `)` after an argument"),
    (["assert", "p(A, b)."], Int32(65), "facts must be ground"),
    (["assert", "p(a, b, c, d)."], Int32(65), "stored facts are binary"),
    (["retract", "p(a, zz)."], Int32(65), "cannot retract a fact the store does not hold"),
    (["--as-of", "x", "stats"], Int32(64), "--as-of takes a transaction number"),
    (["--as-of", "99", "stats"], Int32(64), "cannot open it as of transaction 99"),
    (["import", "nope.tsv"], Int32(66), "cannot open `nope.tsv`"),
    (["export", "--format", "xml"], Int32(64), "unknown export format `xml`"),
  ])
  func errorsHaveTheRightStatusAndMessage(arguments: [String], status: Int32, message: String) {
    let dir = TemporaryDirectory()
    let g = dir.file("g")
    _ = xinzhi(["init", g])
    _ = xinzhi(["--store", g, "assert", "p(a, b)."])
    let before = readFile(g + "/xinzhi.log")
    let result = xinzhi(arguments.first == "--store" ? arguments : ["--store", g] + arguments, directory: dir.path)
    #expect(result.status == status, "\(arguments): \(result.stderr)")
    #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    #expect(readFile(g + "/xinzhi.log") == before, "\(arguments) changed the log")
  }

  @Test func noStoreAnywhereSaysHowToChooseOne() {
    let dir = TemporaryDirectory()
    let result = xinzhi(["stats"], environment: ["XINZHI_STORE": ""], directory: dir.path)
    #expect(result.status == 66)
    #expect(result.stderr.contains("--store DIR or XINZHI_STORE=DIR"))
  }

  @Test func lockedStoreFailsAfterTheTimeout() throws {
    let dir = TemporaryDirectory()
    let g = dir.file("g")
    _ = xinzhi(["init", g])
    let fd = open(g + "/xinzhi.log", O_RDONLY)
    defer { close(fd) }
    #expect(lockExclusively(fd) == 0)
    let result = xinzhi(["--store", g, "--lock-timeout", "0.2", "assert", "p(a, b)."])
    #expect(result.status == 74)
    #expect(result.stderr.contains("locked by another writer"))
  }

  @Test func helpAndVersion() {
    #expect(xinzhi(["--version"]).stdout.hasPrefix("xinzhi "))
    let help = xinzhi(["--help"])
    #expect(help.status == 0)
    for command in ["init", "assert", "retract", "stats", "log", "history", "verify", "import", "export"] {
      #expect(help.stdout.contains("  \(command) "), "\(command) missing from --help")
    }
    #expect(xinzhi(["assert", "--help"]).stdout.contains("--source TEXT"))
    #expect(xinzhi(["help", "import"]).stdout.contains("usage: xinzhi import FILE|-"))
  }
}

func lockExclusively(_ fd: Int32) -> Int32 { SystemCall.flock(fd, LOCK_EX | LOCK_NB) }

@Suite struct QueryCommandTests {
  func store() -> (TemporaryDirectory, String) {
    let dir = TemporaryDirectory()
    let g = dir.file("g")
    _ = xinzhi(["init", g])
    _ = xinzhi(["--store", g, "assert", "edge(a, b). edge(b, c). label(a, \"甲, \\\"引号\\\"\"@zh). value(a, 1.5)."])
    return (dir, g)
  }

  @Test func parametersTakeValuesFromTheCommandLine() {
    let (dir, g) = store()
    let script = dir.write("p.dl", "?- edge($from, Y).\n?- value(X, V), V > $least.\n")
    let result = xinzhi(["--store", g, "run", script, "--param", "from=b", "--param", "least=1", "--format", "tsv"])
    #expect(result.status == 0)
    #expect(result.stdout == "Y\nc\n\n-- query 2\nX\tV\na\t1.5\n")
    let missing = xinzhi(["--store", g, "run", script, "--param", "from=b"])
    #expect(missing.status == 65)
    #expect(missing.stderr.contains("parameter `$least` has no value"))
    #expect(xinzhi(["--store", g, "run", script, "--param", "from"]).status == 64)
    #expect(xinzhi(["--store", g, "run", script, "--param", "from=a", "--param", "from=b"]).status == 64)
  }

  @Test func tableOutputIsAlignedAndCountsRows() {
    let (dir, g) = store()
    _ = dir
    let result = xinzhi(["--store", g, "query", "?- label(X, L)."])
    #expect(result.status == 0)
    #expect(result.stdout == "X  L\n-  -----------------\na  \"甲, \\\"引号\\\"\"@zh\n(1 row)\n")
  }

  @Test(arguments: [
    ("csv", "X,L\r\na,\"甲, \"\"引号\"\"\"\r\n"),
    ("tsv", "X\tL\na\t\"甲, \\\"引号\\\"\"@zh\n"),
    ("json", "{\"columns\":[\"X\",\"L\"],\"rows\":[[{\"entity\":\"a\"},{\"string\":\"甲, \\\"引号\\\"\",\"lang\":\"zh\"}]]}\n"),
    ("markdown", "| X | L |\n|---|---|\n| a | \"甲, \\\\\"引号\\\\\"\"@zh |\n"),
  ])
  func formats(format: String, expected: String) {
    let (dir, g) = store()
    _ = dir
    let result = xinzhi(["--store", g, "query", "?- label(X, L).", "--format", format])
    #expect(result.stdout == expected, "\(format):\n\(result.stdout)")
  }

  @Test func scriptsRunRulesAndSeveralQueries() {
    let (dir, g) = store()
    let script = dir.write("s.dl", "path(X, Y) :- edge(X, Y).\npath(X, Y) :- path(X, Z), edge(Z, Y).\n?- path(a, Y).\n?- path(X, c).\n")
    let result = xinzhi(["--store", g, "run", script])
    #expect(result.status == 0)
    #expect(result.stdout.contains("?- path(a, Y).\nY\n-\nb\nc\n(2 rows)\n\n?- path(X, c)."))
  }

  @Test func queryErrorsExitWith65AndPointAtTheText() {
    let (dir, g) = store()
    _ = dir
    let result = xinzhi(["--store", g, "query", "?- edge(X, Y), Z > 1."])
    #expect(result.status == 65)
    #expect(result.stderr.contains("<query>:1:16: error: variable `Z` in `Z > 1` is not bound"))
    let missing = xinzhi(["--store", g, "run", dir.file("nope.dl")])
    #expect(missing.status == 66)
  }

  @Test func explainWhyAndWhyNot() {
    let (dir, g) = store()
    _ = dir
    let rules = "path(X, Y) :- edge(X, Y). path(X, Y) :- path(X, Z), edge(Z, Y). "
    let explain = xinzhi(["--store", g, "explain", rules + "?- path(a, Y).", "--no-times"])
    #expect(explain.stdout.contains("magic sets"))
    let why = xinzhi(["--store", g, "why", rules + "?- path(a, c)."])
    #expect(why.stdout.contains("edge(b, c)   stored: tx 1 (source: xinzhi assert)"))
    let whyNot = xinzhi(["--store", g, "why-not", rules + "?- path(c, a)."])
    #expect(whyNot.stdout.contains("no match for"))
  }

  @Test func limitsComeFromTheCommandLine() {
    let (dir, g) = store()
    _ = dir
    let result = xinzhi(["--store", g, "query", "?- edge(A, _), edge(B, _), edge(C, _).", "--max-facts", "3"])
    #expect(result.status == 65)
    #expect(result.stderr.contains("more than 3 facts"))
    #expect(xinzhi(["--store", g, "query", "?- edge(A, B).", "--timeout", "abc"]).status == 64)
  }

  @Test func parametersWithoutValuesAreReported() {
    let (dir, g) = store()
    _ = dir
    let result = xinzhi(["--store", g, "query", "?- edge($from, Y)."])
    #expect(result.status == 65)
    #expect(result.stderr.contains("parameter `$from` has no value"))
  }
}
