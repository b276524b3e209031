// DOT pictures: golden files for a small graph with awkward names and labels (quotes,
// backslashes, newlines, `<`, `>`, `&`, control characters, emoji, a DOT keyword as an id), and
// real Graphviz runs on pictures of the shipped graph: whole, a neighbourhood, a derivation, and
// the answers of every saved query.

import KnowledgeGraph
import Platform
import TestSupport
import Testing

/// Graphviz's `dot`, when installed.
private let dotPath: String? = ["/usr/bin/dot", "/usr/local/bin/dot", "/opt/homebrew/bin/dot"].first { access($0, X_OK) == 0 }

/// CI sets XINZHI_REQUIRE_GRAPHVIZ=1 (after installing it), so a missing `dot` fails there.
private let graphvizRequired = getenv("XINZHI_REQUIRE_GRAPHVIZ") != nil

/// Runs `dot -Tsvg` on a picture; returns the problem, or nil when Graphviz accepted it.
private func renderProblem(_ dot: String, _ what: String) -> String? {
  guard let dotPath else { return "Graphviz is not installed" }
  let result = run(dotPath, ["-Tsvg", "-o", "/dev/null"], input: dot)
  if result.status != 0 || result.stderr.contains("Error") || result.stderr.contains("syntax error") {
    return "dot failed on \(what) (status \(result.status)): \(result.stderr.prefix(2000))"
  }
  return nil
}

@Suite struct PictureGoldenTests {
  static let directory = GoldenTests.directory + "/dot"

  static func store(_ temporary: TemporaryDirectory) throws -> GraphStore {
    let store = try GraphStore.create(at: temporary.file("pictures"))
    let facts = try FactText.triples(from: readText(directory + "/picture.facts"), name: "picture.facts")
    try store.transact(asserting: facts, metadata: [("source", "000:L1-L2")])
    return store
  }

  /// The pictures drawn of the fixture, by golden file name.
  static let cases = [
    "whole", "english-literal-nodes", "around-bank", "types-instrument", "revolutions", "query-answer", "query-matched",
    "query-row-columns", "why", "query-predicate-variable",
  ]

  static func picture(_ name: String, _ store: GraphStore) throws -> String {
    var picture = GraphPicture()
    func answers(_ text: String) throws -> [QueryResult] {
      try QuerySession(store: store).run(text, name: "<query>").compactMap {
        if case .answer(let result) = $0 { return result }
        return nil
      }
    }
    switch name {
    case "whole": break
    case "english-literal-nodes":
      picture.language = "en"
      picture.literals = .nodes
      picture.clustering = .none
    case "around-bank":
      picture.around = "bank_a"
    case "types-instrument":
      picture.types = ["instrument", "central_bank"]
    case "revolutions":
      picture.clustering = .revolution
    case "query-answer":
      picture.answers = try answers("?- financed(X, Y), type(Y, industrial_revolution).")
    case "query-matched":
      picture.answers = try answers("?- financed(X, Y), type(Y, industrial_revolution).")
      picture.queryEdges = .matched
    case "query-row-columns":
      picture.answers = try answers("?- financed(From, To), financed(To, Then).")
      picture.queryEdges = .row
      picture.clustering = .column
      picture.title = "chains \"of\" <two>"
    case "query-predicate-variable":
      // A constant subject and a variable predicate: bank_a is drawn, P labels its edges.
      picture.answers = try answers("?- triple(bank_a, P, O).")
    case "why":
      let session = try QuerySession(store: store)
      return try session.whyPicture(
        "reaches(X, Y) :- financed(X, Y). reaches(X, Z) :- financed(X, Y), reaches(Y, Z). ?- reaches(cb, ir1).", name: "<why>")
    default:
      Issue.record("no picture named \(name)")
    }
    return try store.dot(picture)
  }

  @Test(arguments: cases)
  func pictureMatchesItsGoldenFile(name: String) throws {
    let temporary = TemporaryDirectory()
    let store = try PictureGoldenTests.store(temporary)
    let dot = try PictureGoldenTests.picture(name, store)
    GoldenTests().compare(dot, "\(PictureGoldenTests.directory)/\(name).dot")
    // The same picture twice is the same bytes.
    #expect(try PictureGoldenTests.picture(name, store) == dot)
  }

  @Test(.enabled(if: dotPath != nil || graphvizRequired, "Graphviz (`dot`) is not installed: apt-get install -y graphviz"), arguments: cases)
  func graphvizAcceptsTheGoldenPictures(name: String) throws {
    let temporary = TemporaryDirectory()
    let store = try PictureGoldenTests.store(temporary)
    let problem = renderProblem(try PictureGoldenTests.picture(name, store), name)
    #expect(problem == nil, "\(problem ?? "")")
  }

  @Test func tooLargeAPictureSuggestsFilters() throws {
    let temporary = TemporaryDirectory()
    let store = try PictureGoldenTests.store(temporary)
    var picture = GraphPicture()
    picture.maxNodes = 3
    #expect {
      try store.dot(picture)
    } throws: { error in
      let text = "\(error)"
      return text.contains("would have 7 entities, more than the limit of 3") && text.contains("--around ENTITY --depth 1")
    }
    picture.around = "nobody"
    picture.maxNodes = 0
    #expect(throws: DiagnosticError.self) { try store.dot(picture) }
  }
}

@Suite(.serialized) struct GraphvizTests {
  static let enabled = dotPath != nil || graphvizRequired

  @Test(.enabled(if: enabled, "Graphviz (`dot`) is not installed: apt-get install -y graphviz fonts-noto-cjk"))
  func theWholeShippedGraphANeighbourhoodAndADerivationRender() throws {
    let whole = xinzhi(["--store", "graph", "export", "--format", "dot", "--max-nodes", "0", "--cluster", "none"])
    #expect(whole.status == 0, "\(whole.stderr)")
    #expect(renderProblem(whole.stdout, "the whole graph") == nil)
    let around = xinzhi(["--store", "graph", "export", "--format", "dot", "--around", "bank_of_england", "--depth", "2"])
    #expect(around.status == 0, "\(around.stderr)")
    #expect(renderProblem(around.stdout, "the neighbourhood of bank_of_england") == nil)
    let why = xinzhi(["--store", "graph", "why", "type(bank_of_england, institution)", "--format", "dot"])
    #expect(why.status == 0, "\(why.stderr)")
    #expect(why.stdout.contains("subclass_of"))
    #expect(renderProblem(why.stdout, "a derivation") == nil)
  }

  @Test(.enabled(if: enabled, "Graphviz (`dot`) is not installed: apt-get install -y graphviz fonts-noto-cjk"))
  func theAnswersOfEverySavedQueryRender() throws {
    let store = try GraphStore.open(at: "graph")
    let scripts = (TextFile.names(inDirectory: "queries") ?? []).filter { $0.hasSuffix(".dl") }.sorted()
    #expect(scripts.count >= 30)
    for script in scripts {
      let session = try QuerySession(store: store)
      let answers = try session.run(readText("queries/" + script), name: script).compactMap { outcome -> QueryResult? in
        if case .answer(let result) = outcome { return result }
        return nil
      }
      var picture = GraphPicture()
      picture.answers = answers
      picture.maxNodes = 0
      let problem = renderProblem(try store.dot(picture), script)
      #expect(problem == nil, "\(problem ?? "")")
    }
  }
}

@Suite struct PictureCommandTests {
  /// Issue 15: a measure's value is drawn with its unit, and field names follow `--lang`.
  @Test func measuresShowTheirUnitAndFieldNamesFollowTheLanguage() {
    let temporary = TemporaryDirectory()
    let g = temporary.file("g")
    _ = xinzhi(["init", g])
    _ = xinzhi([
      "--store", g, "assert",
      #"type(m1, measure). value(m1, 4000). unit(m1, cny_100m). of(m1, tool). label(cny_100m, "亿元"@zh). label(cny_100m, "CNY 100 million"@en). label(value, "数值"@zh). label(value, "value"@en)."#,
    ])
    let zh = xinzhi(["--store", g, "export", "--format", "dot", "--around", "m1"])
    #expect(zh.status == 0, "\(zh.stderr)")
    #expect(zh.stdout.contains("数值: 4000 亿元"), "\(zh.stdout)")
    let en = xinzhi(["--store", g, "export", "--format", "dot", "--around", "m1", "--lang", "en"])
    #expect(en.stdout.contains("value: 4000 CNY 100 million"), "\(en.stdout)")
  }

  @Test(arguments: [
    (["export", "--format", "dot", "--cluster", "blobs"], Int32(64), "--cluster takes type, revolution, column, none, found `blobs`"),
    (["export", "--format", "dot", "--types", "instrumentz"], Int32(65), "no class `instrumentz` in the store"),
    (["export", "--format", "dot", "--around", "bank_z"], Int32(65), "no entity `bank_z` in the store"),
    (["export", "--format", "dot", "--query-edges", "row"], Int32(64), "--query-edges goes with --query"),
    (["export", "--format", "dot", "--cluster", "column"], Int32(64), "--cluster column arranges a query's answers"),
    (["export", "--format", "dot", "--query", "edge(a, b)."], Int32(64), "--query needs a query"),
    (["export", "--format", "dot", "--query", "?- nope(X)."], Int32(65), "unknown predicate `nope`"),
    (["export", "--types", "instrument"], Int32(64), "--types is for pictures; add --format dot"),
    (["export", "--format", "dot", "--max-nodes", "2"], Int32(64), "more than the limit of 2"),
    (["why", "financed(bank_a, nobody)", "--format", "dot"], Int32(65), "does not hold"),
    (["why", "financed(bank_a, bond_1)", "--format", "csv"], Int32(64), "prints text or --format dot"),
  ])
  func badPictureRequestsAreRefused(arguments: [String], status: Int32, message: String) throws {
    let temporary = TemporaryDirectory()
    let store = try PictureGoldenTests.store(temporary)
    let result = xinzhi(["--store", store.directory] + arguments)
    #expect(result.status == status, "\(arguments): \(result.stderr)")
    #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  @Test func exportWhyAndTheReplWriteThePicturesTheLibraryBuilds() throws {
    let temporary = TemporaryDirectory()
    let store = try PictureGoldenTests.store(temporary)
    let g = store.directory
    let query = "?- financed(X, Y), type(Y, industrial_revolution)."
    let export = xinzhi(["--store", g, "export", "--format", "dot", "--query", query, "--query-edges", "matched", "-o", temporary.file("q.dot")])
    #expect(export.status == 0, "\(export.stderr)")
    #expect(readText(temporary.file("q.dot")) == readText(PictureGoldenTests.directory + "/query-matched.dot"))
    let around = xinzhi(["--store", g, "export", "--format", "dot", "--around", "bank_a"])
    #expect(around.stdout == readText(PictureGoldenTests.directory + "/around-bank.dot"))
    let why = xinzhi(["--store", g, "why", "reaches(X, Y) :- financed(X, Y). reaches(X, Z) :- financed(X, Y), reaches(Y, Z). ?- reaches(cb, ir1).", "--format", "dot"])
    #expect(why.status == 0)
    #expect(why.stdout.contains("事务 1 · 000:L1-L2"))
    // .dot draws the last query's answers, or the query given, in the .lang language.
    let repl = xinzhi(["--store", g], input: "\(query)\n.lang en\n.dot \(temporary.file("last.dot"))\n.dot \(temporary.file("given.dot")) ?- financed(cb, X), financed(X, Y).\n.dot\n")
    #expect(repl.status == 64)
    #expect(repl.stdout.contains("wrote \(temporary.file("last.dot")): 4 entities"))
    // The query's constant `cb` is drawn too (issue 15): the answers' two entities and cb.
    #expect(repl.stdout.contains("wrote \(temporary.file("given.dot")): 3 entities"))
    #expect(repl.stderr.contains("`.dot` needs a file name"))
    // English labels, falling back to Chinese where an entity has none.
    #expect(readText(temporary.file("last.dot")).contains("<b>Second &lt;b&gt;Revolution&lt;/b&gt;</b>"))
    #expect(readText(temporary.file("last.dot")).contains("<b>债券 ①</b>"))
    #expect(readText(temporary.file("given.dot")).contains("\"bank_a\" -> \"bond_1\" [label=\"financed\"]"))
  }
}
