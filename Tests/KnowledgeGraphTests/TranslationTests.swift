// Issue 18: programs translated for DuckDB give exactly Xinzhi's answers. The random programs of
// the oracle generator (every corner of the language they reach) and every saved query of the
// shipped graph are translated, run on DuckDB (PyPI `duckdb`, installed by .ci/run), and each
// answer, row by row and in order, compared with Xinzhi's. Skipped without a Python that imports
// duckdb, unless XINZHI_REQUIRE_DUCKDB is set.

import Foundation
import GraphModel
import KnowledgeGraph
import Platform
import QueryEngine
import QueryLanguage
import QueryTranslation
import TestSupport
import Testing

/// A translated program waiting for its run, with the answers Xinzhi gave.
struct TranslationCase {
  var name: String
  var program: String
  var data: String
  var out: String
  /// Per query: the rows as keys in Xinzhi's order, or nil when Xinzhi stopped with an error.
  var expected: [[[String]]?]
}

enum TranslationRun {
  static let harness = ShippedGraphTests.root + "/Tests/KnowledgeGraphTests/Translation/run_programs.py"

  /// Writes the two CSV files of the export layout for a list of triples.
  static func writeData(_ triples: [Triple], to directory: String) {
    mkdir(directory, 0o755)
    var ids: [String: Int] = [:]
    func id(_ key: String) -> Int {
      if let i = ids[key] { return i }
      ids[key] = ids.count
      return ids.count - 1
    }
    var rows = "s,p,o\n"
    for t in triples {
      rows += "\(id(ValueKey.key(.entity(t.subject)))),\(id(ValueKey.key(.entity(t.predicate)))),\(id(ValueKey.key(t.object)))\n"
    }
    var terms = "id,key\n"
    for (key, i) in ids.sorted(by: { $0.value < $1.value }) {
      terms += "\(i),\"\(key.replacingOccurrences(of: "\"", with: "\"\""))\"\n"
    }
    writeFile(directory + "/terms.csv", Array(terms.utf8))
    writeFile(directory + "/triples.csv", Array(rows.utf8))
    // One transaction asserted them all, as IndexedSource says.
    writeFile(directory + "/assertions.csv", Array(("s,p,o,tx\n" + rows.split(separator: "\n").dropFirst().map { "\($0),1\n" }.joined()).utf8))
    writeFile(directory + "/transactions.csv", Array("tx,position,key,value\n1,0,\"esource\",\"s|test\"\n".utf8))
  }

  /// Writes a store's export, through the library's own `exportCSV`.
  static func writeData(_ store: GraphStore, to directory: String) {
    mkdir(directory, 0o755)
    var files: [CSVExportFile: String] = [:]
    store.exportCSV { file, piece in
      files[file, default: ""] += piece
      return true
    }
    for (file, text) in files { writeFile(directory + "/" + file.rawValue, Array(text.utf8)) }
  }

  /// Runs the cases in one Python process; returns a description of every difference.
  static func run(
    _ cases: [TranslationCase], python: String, in dir: TemporaryDirectory, environment: [String: String] = [:], timeout: Double = 1800
  ) -> [String] {
    let list = dir.file("programs.tsv")
    writeFile(list, Array(cases.map { "\($0.program)\t\($0.data)\t\($0.out)\n" }.joined().utf8))
    let result = TestSupport.run(python, [harness, list], environment: environment, timeout: timeout)
    guard result.status == 0 else { return ["the harness failed (\(result.status)): \(result.stderr.suffix(3000))"] }
    var differences: [String] = []
    for c in cases {
      // Answers come query by query; the first query that stops with an error stops the
      // program, as it stops `xinzhi run`.
      let error = readText(c.out + "/error.txt")
      for (k, expected) in c.expected.enumerated() {
        let file = c.out + "/answer_\(k + 1).csv"
        guard let expected else {
          if error.isEmpty { differences.append("\(c.name) query \(k + 1): Xinzhi stopped with an error, the translation did not") }
          break
        }
        guard SystemFile.kind(of: file) == .regular else {
          differences.append("\(c.name) query \(k + 1): no answer; the translation failed: \(error)")
          break
        }
        let got = Array(csvRows(readText(file)).dropFirst())
        if got != expected {
          differences.append("\(c.name) query \(k + 1):\n  expected \(expected.prefix(12))\n  got      \(got.prefix(12))")
        }
      }
    }
    return differences
  }
}

@Suite struct TranslationTests {
  static var python: String? { PythonTools.python(importing: ["duckdb"], root: ShippedGraphTests.root) }

  static func requirePython() -> String? {
    guard let python else {
      #expect(ProcessInfo.processInfo.environment["XINZHI_REQUIRE_DUCKDB"] == nil, "DuckDB is required (XINZHI_REQUIRE_DUCKDB) but no Python imports duckdb; set XINZHI_PYTHON")
      return nil
    }
    return python
  }

  /// Xinzhi's answers to a random program and its translation, as a case to run.
  static func translationCase(_ program: RandomProgram, target: TranslationTarget, in dir: TemporaryDirectory) throws -> TranslationCase {
    try translationCase(
      name: "seed \(program.seed)", triples: program.triples, standing: program.standing, text: program.text,
      declaring: RandomProgram.storedPredicates, target: target, in: dir)
  }

  /// Xinzhi's answers to a text over triples and its translation, as a case to run.
  static func translationCase(
    name: String, triples: [Triple], standing: String = "", text: String, declaring stored: [String] = [], target: TranslationTarget,
    in dir: TemporaryDirectory
  ) throws -> TranslationCase {
    let interpreter = Interpreter(source: IndexedSource(triples).graph, limits: EvaluationLimits(timeout: 60, maxDerivedFacts: 10_000_000))
    interpreter.declare(storedPredicates: stored)
    let (standing, _) = Parser.parse(SourceText(name: "standing.dl", text: standing))
    try interpreter.add(standing.sourcedRules)
    let (parsed, errors) = Parser.parse(SourceText(name: "random.dl", text: text))
    if let error = errors.first { throw DiagnosticError(error) }
    let (checked, diagnostics) = interpreter.check(parsed.sourcedRules, parsed.sourcedQueries)
    if let error = diagnostics.first(where: { $0.severity == .error }) { throw DiagnosticError(error) }
    try interpreter.add(parsed.sourcedRules)
    var expected: [[[String]]?] = []
    for query in checked.queries {
      let rows = try? interpreter.answer(query, predicates: checked.predicates).rows
      expected.append(rows.map { $0.map { row in row.isEmpty ? ["btrue"] : row.map(ValueKey.key) } })
    }
    let (lowered, results) = interpreter.translationProgram(checked.queries, predicates: checked.predicates)
    let queries = zip(checked.queries, results).map { TranslationQuery(result: $1, columns: $0.columns, query: $0) }
    let translated = try ProgramTranslator(target: target).translate(lowered, queries: queries, dictionary: interpreter.dictionary)
    let base = dir.file(name.replacingOccurrences(of: " ", with: "-"))
    mkdir(base, 0o755)
    writeFile(base + "/program.py", Array(translated.text.utf8))
    TranslationRun.writeData(triples, to: base + "/data")
    return TranslationCase(name: name, program: base + "/program.py", data: base + "/data", out: base + "/out", expected: expected)
  }

  /// 400 random programs of the full fragment: every one translates, and DuckDB gives every
  /// query's rows in Xinzhi's order.
  @Test func randomProgramsGiveXinzhisAnswersOnDuckDB() throws {
    guard let python = TranslationTests.requirePython() else { return }
    let dir = TemporaryDirectory()
    var cases: [TranslationCase] = []
    for seed in UInt64(1)...400 {
      let program = RandomProgram(seed: seed, fragment: .full)
      do {
        cases.append(try TranslationTests.translationCase(program, target: .duckDB, in: dir))
      } catch {
        Issue.record("seed \(seed) did not translate: \(error)\n\(program.fullText)")
      }
    }
    let differences = TranslationRun.run(cases, python: python, in: dir)
    #expect(differences.count == 0, "\(differences.count) programs differ:\n\(differences.prefix(5).joined(separator: "\n"))")
    let queries = cases.map(\.expected.count).reduce(0, +)
    print("translation differential: \(cases.count) programs, \(queries) queries on DuckDB, \(differences.count) differences")
  }

  /// Every saved query script of the shipped graph, translated whole (its rules and queries
  /// with the standing rules) and run on DuckDB over the store's CSV export: each answer equals
  /// Xinzhi's, row by row in Xinzhi's order.
  @Test func savedQueriesGiveXinzhisAnswersOnDuckDB() throws {
    guard let python = TranslationTests.requirePython() else { return }
    let dir = TemporaryDirectory()
    let store = try ShippedGraphTests.shippedCopy(dir)
    TranslationRun.writeData(store, to: dir.file("data"))
    let scripts = try FileManager.default.contentsOfDirectory(atPath: ShippedGraphTests.root + "/queries").filter { $0.hasSuffix(".dl") }.sorted()
    #expect(scripts.count >= 50)
    var cases: [TranslationCase] = []
    for (k, script) in scripts.enumerated() {
      let path = ShippedGraphTests.root + "/queries/" + script
      let text = try #require(readText(path).isEmpty ? nil : readText(path))
      var expected: [[[String]]?] = []
      for outcome in try QuerySession(store: store).run(text, name: path) {
        guard case .answer(let result) = outcome else { continue }
        expected.append(result.rows.map { row in row.isEmpty ? ["btrue"] : row.map(ValueKey.key) })
      }
      let translated: TranslatedProgram
      do {
        translated = try QuerySession(store: store).translate(text, name: path, to: .duckDB)
      } catch {
        Issue.record("\(script) did not translate: \(error)")
        continue
      }
      let base = dir.file("q\(k)")
      mkdir(base, 0o755)
      writeFile(base + "/program.py", Array(translated.text.utf8))
      cases.append(TranslationCase(name: script, program: base + "/program.py", data: dir.file("data"), out: base + "/out", expected: expected))
    }
    let differences = TranslationRun.run(cases, python: python, in: dir)
    #expect(differences.count == 0, "\(differences.count) differences:\n\(differences.prefix(5).joined(separator: "\n"))")
    print("translation of saved queries: \(cases.count) of \(scripts.count) scripts, \(cases.map(\.expected.count).reduce(0, +)) queries on DuckDB, \(differences.count) differences")
  }

  /// Apache Spark (PyPI `pyspark`, a Java runtime), local mode: 30 random programs, the
  /// transitive closure of a 200-node chain and a same-generation forest, translated for Spark,
  /// give Xinzhi's rows in Xinzhi's order. Skipped without a Python that imports pyspark or
  /// without `java`, unless XINZHI_REQUIRE_SPARK is set. The 2,000-node chain runs in
  /// Documentation/spark/run (minutes on Spark; Documentation/Performance.md).
  @Test func programsGiveXinzhisAnswersOnSpark() throws {
    let hasJava = TestSupport.run("/bin/sh", ["-c", "command -v java"]).status == 0
    guard let python = PythonTools.python(importing: ["pyspark"], root: ShippedGraphTests.root), hasJava else {
      #expect(ProcessInfo.processInfo.environment["XINZHI_REQUIRE_SPARK"] == nil, "Spark is required (XINZHI_REQUIRE_SPARK) but no Python imports pyspark or java is missing")
      return
    }
    let dir = TemporaryDirectory()
    var cases: [TranslationCase] = []
    for seed in UInt64(1)...30 {
      cases.append(try TranslationTests.translationCase(RandomProgram(seed: seed, fragment: .full), target: .spark, in: dir))
    }
    for (name, triples, text) in [
      ("chain 200", TranslationBenchData.chain(200), TranslationBenchData.closure),
      ("same generation", TranslationBenchData.sameGeneration(trees: 4, branching: 2, depth: 6, seed: 20261124), TranslationBenchData.sameGenerationProgram),
    ] {
      cases.append(try TranslationTests.translationCase(name: name, triples: triples, text: text, target: .spark, in: dir))
    }
    let environment = ["XINZHI_SPARK_KEEP": "1", "XINZHI_SPARK_PARTITIONS": "2"]
    let differences = TranslationRun.run(cases, python: python, in: dir, environment: environment, timeout: 3000)
    #expect(differences.count == 0, "\(differences.count) differences:\n\(differences.prefix(5).joined(separator: "\n"))")
    print("translation on Spark: \(cases.count) programs, \(cases.map(\.expected.count).reduce(0, +)) queries, \(differences.count) differences")
  }
}

/// The bench's shapes (../shared/bench): a chain for transitive closure, a forest for
/// same-generation, with the same programs.
enum TranslationBenchData {
  static let closure = "path(X, Y) :- edge(X, Y).\npath(X, Y) :- path(X, Z), edge(Z, Y).\n?- N = count { X, Y : path(X, Y) }.\n?- path(n0, Y), not path(Y, _).\n"
  static let sameGenerationProgram = "sg(X, Y) :- flat(X, Y).\nsg(X, Y) :- up(X, A), sg(A, B), down(B, Y).\n?- N = count { X, Y : sg(X, Y) }.\n?- sg(t1, Y).\n"

  /// edge(n0, n1) ... edge(n<k-1>, n<k>): k edges.
  static func chain(_ k: Int) -> [Triple] {
    (0..<k).map { Triple("n\($0)", "edge", .entity("n\($0 + 1)")) }
  }

  /// `trees` complete trees of fan-out `branching` and `depth` levels below the root, up and
  /// down edges between parent and child, and at each level as many random distinct flat pairs
  /// as the level has nodes (as the bench's generator makes them, with our own random numbers).
  static func sameGeneration(trees: Int, branching: Int, depth: Int, seed: UInt64) -> [Triple] {
    var random = SeededRandom(seed: seed)
    var triples: [Triple] = []
    var levels = [[Int]](repeating: [], count: depth + 1)
    var next = 0
    for _ in 0..<trees {
      let root = next
      next += 1
      levels[0].append(root)
      var frontier = [root]
      for level in 1...depth {
        var children: [Int] = []
        for parent in frontier {
          for _ in 0..<branching {
            triples.append(Triple("t\(next)", "up", .entity("t\(parent)")))
            triples.append(Triple("t\(parent)", "down", .entity("t\(next)")))
            children.append(next)
            next += 1
          }
        }
        levels[level] += children
        frontier = children
      }
    }
    for nodes in levels {
      var seen = Set<[Int]>()
      while seen.count < nodes.count, nodes.count > 1 {
        let x = nodes[random.below(nodes.count)]
        let y = nodes[random.below(nodes.count)]
        if x != y { seen.insert([x, y]) }
      }
      for pair in seen.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
        triples.append(Triple("t\(pair[0])", "flat", .entity("t\(pair[1])")))
      }
    }
    return triples
  }
}

/// The commands users run: `xinzhi export --format csv` and `xinzhi translate`, their errors.
@Suite struct TranslateCommandTests {
  @Test func exportAndTranslateThroughTheCommand() throws {
    let dir = TemporaryDirectory()
    let store = dir.file("g")
    _ = xinzhi(["init", store])
    _ = xinzhi(["--store", store, "assert", "edge(a, b). edge(b, c). name(a, \"甲, \\\"一\\\"\"@zh)."])
    let missing = xinzhi(["--store", store, "export", "--format", "csv"])
    #expect(missing.status == 64)
    #expect(missing.stderr.contains("--format csv writes two files") || missing.stderr.contains("add --output DIR"), "\(missing.stderr)")
    let exported = xinzhi(["--store", store, "export", "--format", "csv", "--output", dir.file("data")])
    #expect(exported.status == 0, "\(exported.stderr)")
    for file in CSVExportFile.allCases {
      #expect(SystemFile.kind(of: dir.file("data/" + file.rawValue)) == .regular, "\(file.rawValue)")
    }
    let terms = csvRows(readText(dir.file("data/terms.csv")))
    #expect(terms.first == ["id", "key"])
    #expect(terms.contains { $0.count == 2 && $0[1] == "szh|甲, \"一\"" }, "\(terms)")

    // Plain SQL for a program without loops, run by DuckDB where the data is.
    let program = "two(X, Z) :- edge(X, Y), edge(Y, Z).\n?- two(X, Z).\n"
    let sql = xinzhi(["--store", store, "translate", "--to", "sql", program])
    #expect(sql.status == 0, "\(sql.stderr)")
    if let python = TranslationTests.python {
      writeFile(dir.file("program.sql"), Array(sql.stdout.utf8))
      rename(dir.file("data"), dir.file("xinzhi-data"))
      let run = TestSupport.run(
        python, ["-c", "import duckdb, sys; print(duckdb.connect().execute(open(sys.argv[1]).read()).fetchall())", dir.file("program.sql")],
        directory: dir.path)
      #expect(run.stdout == "[('a', 'c')]\n", "\(run.stdout)\(run.stderr)")
    }
  }

  @Test func usageErrorsAndRefusalsSayWhatAndWhere() {
    let dir = TemporaryDirectory()
    let store = dir.file("g")
    _ = xinzhi(["init", store])
    _ = xinzhi(["--store", store, "assert", "edge(a, b)."])
    let noTarget = xinzhi(["--store", store, "translate", "?- edge(X, Y)."])
    #expect(noTarget.status == 64)
    #expect(noTarget.stderr.contains("add --to duckdb, --to spark or --to sql"), "\(noTarget.stderr)")
    let wrongTarget = xinzhi(["--store", store, "translate", "--to", "duckbd", "?- edge(X, Y)."])
    #expect(wrongTarget.status == 64)
    #expect(wrongTarget.stderr.contains("unknown target `duckbd`") && wrongTarget.stderr.contains("duckdb"), "\(wrongTarget.stderr)")
    let noQuery = xinzhi(["--store", store, "translate", "--to", "duckdb", "p(X) :- edge(X, _)."])
    #expect(noQuery.status == 64)
    #expect(noQuery.stderr.contains("nothing to translate"), "\(noQuery.stderr)")
    // Refused at the literal, with the place and what to do.
    let search = xinzhi(["--store", store, "translate", "--to", "spark", "?- edge(X, Y), search(X, \"bank\")."])
    #expect(search.status == 65)
    #expect(search.stderr.contains("<arguments>:1:16: error: cannot translate: `search`"), "\(search.stderr)")
    #expect(search.stderr.contains("^~~~"), "\(search.stderr)")
    let classes = xinzhi(["--store", store, "translate", "--to", "duckdb", "?- edge(X, Y), matches(X, \"\\\\d+\")."])
    #expect(classes.status == 65)
    #expect(classes.stderr.contains("uses \\d, \\w or \\s"), "\(classes.stderr)")
    // A loop is not plain SQL: the message names the recursion and the targets that run it.
    let mutual = "p(X, Y) :- edge(X, Y).\np(X, Y) :- q(X, Z), edge(Z, Y).\nq(X, Y) :- p(Y, X).\n?- p(X, Y).\n"
    let loop = xinzhi(["--store", store, "translate", "--to", "sql", mutual])
    #expect(loop.status == 65)
    #expect(loop.stderr.contains("needs a loop") && loop.stderr.contains("--to duckdb"), "\(loop.stderr)")
    // explain --to prints the plan: tables in order, how each recursion runs, where answers go.
    let plan = xinzhi(["--store", store, "explain", "--to", "duckdb", "reach(X, Y) :- edge(X, Y).\nreach(X, Z) :- reach(X, Y), edge(Y, Z).\n" + mutual + "?- reach(a, Y).\n"])
    #expect(plan.status == 0, "\(plan.stderr)")
    #expect(plan.stdout.contains("the facts of `reach`, a linear recursion DuckDB evaluates itself (WITH RECURSIVE … UNION)"), "\(plan.stdout)")
    #expect(plan.stdout.contains("repeat until p") && plan.stdout.contains("the recursion of `p`, `q`, semi-naively"), "\(plan.stdout)")
    #expect(plan.stdout.contains("→ answer_1.csv: ?- p(X, Y)."), "\(plan.stdout)")
    // A file is read as a file; `compile` is the same command.
    writeFile(dir.file("q.dl"), Array("?- edge(X, Y).\n".utf8))
    let file = xinzhi(["--store", store, "compile", "--to", "duckdb", dir.file("q.dl")])
    #expect(file.status == 0, "\(file.stderr)")
    #expect(file.stdout.contains("import duckdb"))
  }
}
