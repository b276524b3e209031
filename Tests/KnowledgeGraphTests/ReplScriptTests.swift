// The REPL without a terminal (`xinzhi < script`): entries and meta-commands from a pipe, the
// exact output, exit statuses, files written by .output/.once; and `xinzhi test` on passing and
// failing scripts.

import Platform
import TestSupport
import Testing

/// A store with a few facts and labels, for the scripted sessions.
private func smallStore(_ dir: TemporaryDirectory) -> String {
  let g = dir.file("g")
  _ = xinzhi(["init", g])
  let facts = """
    edge(a, b). edge(b, c). edge(c, d).
    label(a, "甲"@zh). label(a, "alpha"@en). label(b, "乙"@zh). label(b, "beta"@en).
    domain(edge, entity). range(edge, entity).
    """
  _ = xinzhi(["--store", g, "assert", facts, "--source", "000:L1-L2"])
  return g
}

@Suite struct ReplScriptTests {
  @Test func pipedEntriesRunInOneSession() {
    let dir = TemporaryDirectory()
    let g = smallStore(dir)
    let script = """
      % rules typed at the prompt stay for later entries
      path(X, Y) :- edge(X, Y).
      path(X, Z) :- edge(X, Y),
                    path(Y, Z).
      ?- path(a, X).
      .lang en
      ?- edge(X, c).
      .mode csv
      ?- path(X, d), X != c.
      .mode tsv
      ?- edge(a, X).
      .mode json
      ?- edge(X, b).
      .mode table
      .maxrows 1
      ?- edge(X, Y).
      .clear
      .rules
      """
    let result = xinzhi(["--store", g], input: script + "\n")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr == "")
    let expected = """
      X
      -----
      b  乙
      c
      d
      (3 rows)
      X
      -------
      b  beta
      (1 row)
      X\r
      a\r
      b\r
      X
      b
      {"columns":["X"],"rows":[[{"entity":"a"}]]}
      X         Y
      --------  -------
      a  alpha  b  beta
      (3 rows; showing the first 1: use .maxrows N or another format to see more)
      forgot 2 rules and facts of this session
      no rules are in force

      """
    #expect(result.stdout == expected)
  }

  /// Each entry is checked against the rules in force, not together with them: a rule's
  /// warning is shown once, when it is entered, not again before every later entry; facts
  /// entered one per line all stay in force; a later rule of another arity for a name is an
  /// error naming where the first was defined.
  @Test func eachEntryIsCheckedOnceAgainstTheRulesInForce() {
    let dir = TemporaryDirectory()
    let g = smallStore(dir)
    var script = ".mode tsv\nq(X) :- edge(X, Y).\n?- q(a).\n?- q(b).\n"
    for i in 0..<300 { script += "n(v\(i), \(i)).\n" }
    script += "s(count(V)) :- n(_, V).\n?- s(N).\n?- n(v299, N).\nq(X, Y) :- edge(X, Y).\n"
    let result = xinzhi(["--store", g], input: script)
    #expect(result.status == 65, "\(result.stderr)")
    #expect(result.stderr.components(separatedBy: "variable `Y` appears only once").count == 2, "\(result.stderr)")
    #expect(result.stdout == "true\ntrue\nN\n300\nN\n299\n", "\(result.stdout)")
    #expect(result.stderr.contains("`q` is defined with 1 argument at <stdin>:2:1 and with 2 here"), "\(result.stderr)")
  }

  /// Tables are fitted to a terminal only: piped, the README's first query keeps every cell
  /// (77 cells wide, nothing cut), whatever COLUMNS says.
  @Test func pipedTablesAreNotFitted() throws {
    let dir = TemporaryDirectory()
    let store = try ShippedGraphTests.shippedCopy(dir).directory
    let result = xinzhi(
      ["--store", store], environment: ["COLUMNS": "40"], input: "?- (financed(X, R) ; supports(X, R)), type(R, industrial_revolution).\n")
    #expect(result.status == 0)
    #expect(result.stdout.contains("uk_national_power  英国综合国力  first_industrial_revolution   第一次工业革命\n"), "\(result.stdout)")
    #expect(!result.stdout.contains("…"))
  }

  /// `.mode box` frames a table, `.mode line` prints one field per line; several queries in
  /// one TSV run are separated by a blank line and `-- query N`.
  @Test func boxLineAndSeveralResults() {
    let dir = TemporaryDirectory()
    let g = smallStore(dir)
    let result = xinzhi(["--store", g], input: ".mode box\n?- edge(X, b).\n.mode line\n?- edge(a, Y), edge(Y, Z).\n.mode tsv\n?- edge(a, X). ?- edge(X, d).\n")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == """
      ┌───────┐
      │ X     │
      ├───────┤
      │ a  甲 │
      └───────┘
      (1 row)
      Y = b  乙
      Z = c

      (1 row)
      X
      b

      -- query 2
      X
      c

      """, "\(result.stdout)")
  }

  @Test func aFailedEntryIsReportedWithItsLineAndSetsTheExitStatus() {
    let dir = TemporaryDirectory()
    let g = smallStore(dir)
    let result = xinzhi(["--store", g], input: "?- edge(a, X).\n\n?- edgy(X, Y).\n.mode xml\n?- edge(b, X).\n")
    #expect(result.status == 65)
    // The entries after the failure still ran.
    #expect(result.stdout.contains("c\n(1 row)"))
    #expect(result.stderr.contains("<stdin>:3:4: error: unknown predicate `edgy`"))
    #expect(result.stderr.contains(" 3 | ?- edgy(X, Y).\n   |    ^~~~"))
    #expect(result.stderr.contains("<stdin>:4:7: error: `.mode` takes table, box, line, csv, tsv, json, markdown, found `xml`"))
    // The first failure decides the status: a usage error first gives 64.
    #expect(xinzhi(["--store", g], input: ".bogus\n?- edgy(X, Y).\n").status == 64)
    // `xinzhi repl` takes the evaluation limits.
    let limited = xinzhi(["--store", g, "repl", "--max-facts", "100"], input: "n(0). n(Y) :- n(X), Y = X + 1.\n?- n(X), X < 0.\n?- edge(a, X).\n")
    #expect(limited.status == 65)
    #expect(limited.stderr.contains("stopped after deriving more than 100 facts; `n` was growing"))
    #expect(limited.stdout.contains("b  乙\n(1 row)"))
    // An entry cut off by the end of the input is reported, not dropped.
    let cut = xinzhi(["--store", g], input: "?- edge(a,\n")
    #expect(cut.status == 65)
    #expect(cut.stderr.contains("<stdin>:1:"))
  }

  @Test func writesAreTransactionsAndAsOfReadsThePast() {
    let dir = TemporaryDirectory()
    let g = dir.file("g")
    _ = xinzhi(["init", g])
    let script = """
      .assert edge(a, b). edge(b, c) --source "000:L5-L6" --note "typed in the REPL"
      ?- edge(X, Y).
      .retract edge(a, b).
      ?- edge(X, Y).
      .asof 1
      ?- edge(X, Y).
      .assert edge(x, y).
      .asof latest
      ?- edge(X, Y).
      """
    let result = xinzhi(["--store", g], input: script + "\n")
    #expect(result.status == 64, "writing while as of a past transaction fails")
    #expect(result.stdout.contains("transaction 1: 2 facts asserted"))
    #expect(result.stdout.contains("transaction 2: 1 fact retracted"))
    #expect(result.stdout.contains("reading the store as of transaction 1 (read-only)"))
    #expect(result.stdout.contains("X  Y\n-  -\na  b\nb  c\n(2 rows)\ntransaction 2: 1 fact retracted\nX  Y\n-  -\nb  c\n(1 row)\nreading"))
    #expect(result.stderr.contains("cannot be written"))
    let log = xinzhi(["--store", g, "log"]).stdout
    #expect(log.contains("source: 000:L5-L6"))
    #expect(log.contains("note: typed in the REPL"))
    #expect(!log.contains("edge(x, y)"))
  }

  @Test func outputAndOnceWriteResultsToFiles() {
    let dir = TemporaryDirectory()
    let g = smallStore(dir)
    let script = """
      .once \(dir.file("once.txt"))
      .lang zh
      ?- edge(a, X).
      ?- edge(b, X).
      .mode csv
      .output \(dir.file("all.csv"))
      ?- edge(X, c).
      ?- edge(X, d).
      .output
      ?- edge(X, b).
      .output /nonexistent/dir/file.txt
      """
    let result = xinzhi(["--store", g], input: script + "\n")
    #expect(result.status == 73)
    #expect(readFile(dir.file("once.txt")) == Array("X\n-----\nb  乙\n(1 row)\n".utf8))
    #expect(readFile(dir.file("all.csv")) == Array("X\r\nb\r\nX\r\nc\r\n".utf8))
    #expect(result.stdout == "X\n-\nc\n(1 row)\nX\r\na\r\n")
    #expect(result.stderr.contains("cannot write `/nonexistent/dir/file.txt`"))
  }

  @Test func explainWhyWhyNotSchemaAndHelp() {
    let dir = TemporaryDirectory()
    let g = smallStore(dir)
    let script = """
      reach(X, Y) :- edge(X, Y).
      reach(X, Z) :- edge(X, Y), reach(Y, Z).
      .why reach(a, c)
      .whynot reach(c, a)
      .explain ?- reach(a, X).
      .schema
      .help
      .help .asof
      """
    let result = xinzhi(["--store", g], input: script + "\n")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("edge(a, b)"))
    #expect(result.stdout.contains("000:L1-L2"))
    #expect(result.stdout.contains("`edge(c, Y)` has 1 match, but `reach(Y, a)` matches none of them"))
    #expect(result.stdout.contains("iteration"))
    #expect(result.stdout.contains("edge             3  entity  entity\n"))
    #expect(result.stdout.contains("reach                 2      2  this session"))
    #expect(result.stdout.contains(".whynot FACT"))
    #expect(result.stdout.contains(".asof [N|latest]\n  read the store as it was"))
  }
}

@Suite struct TestCommandTests {
  /// Found by the output-escaping tests: Swift reads `\r\n` as one Character, so files with
  /// Windows line ends were read as one long line.
  @Test func scriptsWithWindowsLineEndsWork() throws {
    let dir = TemporaryDirectory()
    let g = smallStore(dir)
    writeFile(dir.file("crlf.dl"), Array("?- edge(a, X).\r\n%= X\r\n%= b\r\n".utf8))
    let test = xinzhi(["--store", g, "test", dir.file("crlf.dl")])
    #expect(test.status == 0, "\(test.stdout)")
    writeFile(dir.file("tx.dl"), Array("%% source: 000:L1-L2\r\n%% claim: current\r\nedge(x, y).\r\n".utf8))
    let imported = xinzhi(["--store", g, "import", dir.file("tx.dl")])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(xinzhi(["--store", g, "log", "--since", "2"]).stdout.contains("  source: 000:L1-L2\n  claim: current\n  + edge(x, y)"))
  }

  @Test func passingAndFailingScripts() throws {
    let dir = TemporaryDirectory()
    let g = smallStore(dir)
    _ = mkdir(dir.file("q"), 0o755)
    writeFile(dir.file("q/pass.dl"), Array("?- edge(a, X).\n%= X\n%= b\n".utf8))
    writeFile(dir.file("q/fail.dl"), Array("?- edge(b, X).\n%= X\n%= b\n".utf8))
    writeFile(dir.file("q/none.dl"), Array("?- edge(b, X).\n".utf8))
    let passing = xinzhi(["--store", g, "test", dir.file("q/pass.dl")])
    #expect(passing.status == 0)
    #expect(passing.stdout.contains("1 script: 1 passed, 0 failed"))
    let all = xinzhi(["--store", g, "test", dir.file("q")])
    #expect(all.status == 1)
    #expect(all.stdout.contains("FAIL  \(dir.file("q/fail.dl"))\n  \(dir.file("q/fail.dl")):1: ?- edge(b, X).\n      X\n    - b\n    + c\n"))
    #expect(all.stdout.contains("FAIL  \(dir.file("q/none.dl")): no query states its expected results"))
    #expect(all.stdout.contains("3 scripts: 1 passed, 2 failed"))
    #expect(xinzhi(["--store", g, "test", dir.file("missing")]).status == 66)
    // --update writes the actual answers; the script passes afterwards.
    #expect(xinzhi(["--store", g, "test", "--update", dir.file("q/fail.dl")]).status == 0)
    #expect(readFile(dir.file("q/fail.dl")) == Array("?- edge(b, X).\n%= X\n%= c\n".utf8))
    #expect(xinzhi(["--store", g, "test", dir.file("q/fail.dl")]).status == 0)
  }
}

@Suite struct ReplLanguageEntryTests {
  /// Labels are shown once: beside an entity unless another column already holds that label;
  /// `.decl` typed at the prompt is a clause, not a meta-command; body aggregates answer.
  @Test func labelsOnceDeclarationsAndBodyAggregates() {
    let dir = TemporaryDirectory()
    let g = smallStore(dir)
    let script = """
      ?- edge(X, _), label(X, L), lang(L, "zh").
      ?- edge(X, Y), Y = b.
      .decl reviewed(item: entity) "已审阅"@zh.
      ?- reviewed(X).
      ?- edge(X, _), N = count { Y : edge(Y, X) }.
      """
    let result = xinzhi(["--store", g], input: script + "\n")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr == "")
    let expected = """
      X  L
      -  -------
      a  "甲"@zh
      b  "乙"@zh
      (2 rows)
      X      Y
      -----  -----
      a  甲  b  乙
      (1 row)
      X
      -
      (0 rows)
      X      N
      -----  -
      a  甲  0
      b  乙  1
      c      1
      (3 rows)

      """
    #expect(result.stdout == expected)
  }
}

extension ReplLanguageEntryTests {
  /// `.width` caps the columns of tables (cut with `…` at display width), in pipes too, until
  /// `.width` alone resets it; `.pager` from a pipe changes nothing on the way out.
  @Test func widthCapsColumns() {
    let dir = TemporaryDirectory()
    let g = smallStore(dir)
    let script = """
      .pager sed 's/^/P|/'
      .width 4 3
      ?- edge(X, Y), X = a.
      .width
      ?- edge(X, Y), X = a.
      """
    let result = xinzhi(["--store", g], input: script + "\n")
    #expect(result.status == 0, "\(result.stderr)")
    let expected = """
      pager: sed 's/^/P|/'
      X     Y
      ----  ---
      a  …  b …
      (1 row)
      X      Y
      -----  -----
      a  甲  b  乙
      (1 row)

      """
    #expect(result.stdout == expected)
  }
}
