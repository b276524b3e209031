// The shipped knowledge graph (graph/): its log is exactly what its transaction scripts build,
// `check` finds nothing wrong with it, and every saved query in queries/ gives the results it
// states. Also the pieces those rely on: transaction scripts, batches, the check's rules and
// the script test runner.

import KnowledgeGraph
import Platform
import TestSupport
import Testing


/// One predicate declared as `xinzhi check` wants it: labels in both languages, a definition in
/// each, domain and range.
func predicateDeclaration(_ p: String, zh: String? = nil, en: String? = nil, domain: String, range: String) -> String {
  "type(\(p), predicate). label(\(p), \"\(zh ?? p)\"@zh). label(\(p), \"\(en ?? p)\"@en). description(\(p), \"\(p) 的定义\"@zh). "
    + "description(\(p), \"what \(p) means\"@en). domain(\(p), \(domain)). range(\(p), \(range))."
}

/// A small vocabulary that passes every check of `xinzhi check` (schema, definitions, classes
/// under `entity`), for tests that add violations to it.
let checkVocabulary = """
      %% source: vocabulary
      %% claim: vocabulary
      type(class, class). label(class, "类"@zh). label(class, "class"@en).
      type(predicate, class). label(predicate, "谓词"@zh). label(predicate, "predicate"@en).
      type(institution, class). label(institution, "机构"@zh). label(institution, "institution"@en). subclass_of(institution, entity).
      type(bank, class). label(bank, "银行"@zh). label(bank, "bank"@en). subclass_of(bank, institution).
      type(entity, class). label(entity, "实体"@zh). label(entity, "entity"@en).
      type(integer, class). label(integer, "整数"@zh). label(integer, "integer"@en).
      type(string, class). label(string, "字符串"@zh). label(string, "string"@en).
      type(document, class). label(document, "文献"@zh). label(document, "document"@en). subclass_of(document, entity).
      type(doc_000, document). label(doc_000, "文献"@zh). label(doc_000, "paper"@en). text_file(doc_000, "000_x.txt"). title(doc_000, "T"@en).
      """ + "\n" + [
  predicateDeclaration("type", zh: "类型", en: "type", domain: "entity", range: "class"),
  predicateDeclaration("label", zh: "标签", en: "label", domain: "entity", range: "string"),
  predicateDeclaration("description", zh: "描述", en: "description", domain: "entity", range: "string"),
  predicateDeclaration("subclass_of", zh: "子类", en: "subclass of", domain: "class", range: "class"),
  predicateDeclaration("domain", zh: "定义域", en: "domain", domain: "predicate", range: "class"),
  predicateDeclaration("range", zh: "值域", en: "range", domain: "predicate", range: "entity"),
  predicateDeclaration("founded_in", zh: "成立于", en: "founded in", domain: "institution", range: "integer"),
  predicateDeclaration("text_file", zh: "文本文件", en: "text file", domain: "document", range: "string"),
  predicateDeclaration("title", zh: "题名", en: "title", domain: "document", range: "string")
].joined(separator: "\n") + "\n"

@Suite struct ShippedGraphTests {
  static let root: String = {
    var path = #filePath
    for _ in 0..<3 {
      while let last = path.last, last != "/" { path.removeLast() }
      path.removeLast()
    }
    return path
  }()
  static let sources = ["vocabulary.dl", "000.dl", "001.dl", "002.dl", "003.dl", "004.dl", "background.dl"]

  /// A copy of the shipped store in a temporary directory (tests never touch graph/ itself).
  static func shippedCopy(_ temporary: TemporaryDirectory) throws -> GraphStore {
    let directory = temporary.file("graph")
    mkdir(directory, 0o755)
    for name in ["xinzhi.log", "rules.dl"] {
      writeFile(directory + "/" + name, try #require(readFile(root + "/graph/" + name)))
    }
    return try GraphStore.open(at: directory)
  }

  @Test func logIsExactlyWhatTheSourcesBuild() throws {
    let temporary = TemporaryDirectory()
    var options = GraphStore.Options()
    options.clock = { 1_795_478_400 }  // SOURCE_DATE_EPOCH in graph/build
    let store = try GraphStore.create(at: temporary.file("g"), options: options)
    for name in ShippedGraphTests.sources {
      try store.importScript(from: "\(ShippedGraphTests.root)/graph/sources/\(name)")
    }
    let built = readFile(temporary.file("g") + "/xinzhi.log")
    let shipped = readFile(ShippedGraphTests.root + "/graph/xinzhi.log")
    let same = built != nil && built == shipped  // compared as a whole; never print a megabyte of bytes
    #expect(same, "graph/xinzhi.log differs from what graph/sources builds; run graph/build")
  }

  @Test func checkIsClean() throws {
    let temporary = TemporaryDirectory()
    let store = try ShippedGraphTests.shippedCopy(temporary)
    let report = try store.check(seeds: ShippedGraphTests.root + "/../shared/seeds")
    #expect(report.isClean, "\(report.problems.prefix(20).map(\.description).joined(separator: "\n"))")
    #expect(report.entities >= 800)
    #expect(report.facts >= 3_000)
    if report.citationsSkipped == nil { #expect(report.citationsChecked > 400) }
  }

  @Test func everySavedQueryGivesTheResultsItStates() throws {
    let temporary = TemporaryDirectory()
    let store = try ShippedGraphTests.shippedCopy(temporary)
    let directory = ShippedGraphTests.root + "/queries"
    let names = (TextFile.names(inDirectory: directory) ?? []).filter { $0.hasSuffix(".dl") }.sorted()
    #expect(names.count >= 25, "queries/ holds \(names.count) scripts")
    for name in names {
      let path = "queries/" + name
      let text = try #require(readFile(directory + "/" + name).map { String(decoding: $0, as: UTF8.self) })
      #expect(text.hasPrefix("% Q: "), "\(path) does not open with its question")
      #expect(text.contains("\n% 问: "), "\(path) does not state its question in Chinese")
      let outcome = try ScriptTest.run(text, path: path, in: QuerySession(store: store))
      for check in outcome.checks where !check.passed {
        let diff = ScriptTest.diff(check.expected ?? [], check.actual).joined(separator: "\n")
        Issue.record("\(path):\(check.line): \(check.query)\n\(diff)")
      }
    }
  }
}

@Suite struct TransactionScriptTests {
  @Test func blocksBecomeTransactionsWithTheirMetadata() throws {
    let text = """
      % a comment before the first block
      %% source: 000:L1-L2
      %% claim: historical
      edge(a, b). edge(b, c).
      edge(a, b).

      %% source: 000:L3
      %% note: second
      label(a, "甲"@zh).
      """
    let blocks = try TransactionScript.blocks(from: text, name: "s.dl")
    #expect(blocks.count == 2)
    #expect(blocks[0].metadata.map(\.key) == ["source", "claim"])
    #expect(blocks[0].triples.count == 2)
    #expect(blocks[0].line == 2)
    #expect(blocks[1].metadata.map(\.value) == ["000:L3", "second"])
    let temporary = TemporaryDirectory()
    let store = try GraphStore.create(at: temporary.file("g"))
    writeFile(temporary.file("s.dl"), Array(text.utf8))
    let report = try store.importScript(from: temporary.file("s.dl"))
    #expect(report.transactions == 1...2)
    #expect(store.provenance(of: Triple("a", "label", .string("甲", language: "zh"))).map(\.source) == ["000:L3"])
    #expect(store.transactionInfo(1)?.metadata("claim") == "historical")
  }

  @Test func problemsAreListedInFileOrderAndNothingIsWritten() throws {
    let text = "edge(a, b).\n%% source: x\n%% bad line\n%% source: y\n\n%% note: z\nedge(a, B).\n"
    let temporary = TemporaryDirectory()
    let store = try GraphStore.create(at: temporary.file("g"))
    writeFile(temporary.file("bad.dl"), Array(text.utf8))
    do {
      try store.importScript(from: temporary.file("bad.dl"))
      Issue.record("no error")
    } catch {
      let found = error.diagnostics.map { "\($0.location?.line ?? 0) \($0.code)" }
      #expect(found == ["1 script-no-block", "2 script-empty-block", "3 script-directive", "4 script-metadata", "6 script-metadata", "7 fact-variable"])
    }
    #expect(store.lastTransaction == 0)
  }

  @Test func aBatchChecksRetractionsAgainstEarlierDrafts() throws {
    let temporary = TemporaryDirectory()
    let store = try GraphStore.create(at: temporary.file("g"))
    let t = Triple("a", "edge", .entity("b"))
    // Asserted by the first draft, retracted by the second: allowed.
    let numbers = try store.transact([.init(asserting: [t]), .init(retracting: [t])])
    #expect(numbers == 1...2)
    #expect(!store.contains(t))
    // Retracting twice in one batch: the second finds nothing, and nothing is written.
    try store.transact(asserting: [t])
    #expect(throws: DiagnosticError.self) { try store.transact([.init(retracting: [t]), .init(retracting: [t])]) }
    #expect(store.lastTransaction == 3)
    #expect(try GraphStore.open(at: temporary.file("g")).lastTransaction == 3)
  }
}

@Suite struct GraphCheckTests {
  @Test func violationsNameTheirLogLines() throws {
    let temporary = TemporaryDirectory()
    let store = try GraphStore.create(at: temporary.file("g"))
    let vocabulary = checkVocabulary + """

      %% source: 000:L10-L12
      %% claim: historical
      type(boe, bank). label(boe, "英格兰银行"@zh). label(boe, "Bank of England"@en). founded_in(boe, 1694).
      """
    writeFile(temporary.file("v.dl"), Array(vocabulary.utf8))
    try store.importScript(from: temporary.file("v.dl"))
    #expect(try store.check(seeds: nil).isClean)

    try store.transact(
      asserting: [
        Triple("x", "type", .entity("bank")), Triple("x", "label", .string("X", language: "en")),
        Triple("x", "founded_in", .string("1694")), Triple("boe", "headed_by", .entity("x")),
      ],
      metadata: [("source", "note from a meeting"), ("claim", "maybe")])
    let seeds = temporary.file("seeds")
    mkdir(seeds, 0o755)
    writeFile(seeds + "/000_abc.txt", Array(String(repeating: "line\n", count: 11).utf8))
    let report = try store.check(seeds: seeds)
    let codes = report.problems.map(\.code)
    #expect(codes.contains("provenance"))
    #expect(codes.contains("claim"))
    #expect(codes.contains("entity-label"))
    #expect(codes.contains("range"))
    #expect(codes.contains("schema-predicate"))
    #expect(codes.contains("citation"))  // 000:L10-L12 but the document has 11 lines
    #expect(report.problems.allSatisfy { $0.location?.file.hasSuffix("xinzhi.log") == true && ($0.location?.line ?? 0) > 1 })
    let range = try #require(report.problems.first { $0.code == "range" })
    #expect(range.location?.lineText == "+ x founded_in \"1694\"")
  }

  /// The modelling rules of graph/README.md that the check enforces: classes reach `entity`,
  /// predicates are defined in both languages, measures are qualified and told apart (or marked
  /// `conflicts_with`), and a description naming an entity no fact links is a warning.
  @Test func modellingRulesAreChecked() throws {
    let temporary = TemporaryDirectory()
    let store = try GraphStore.create(at: temporary.file("g"))
    func declare(_ p: String, _ d: String, _ r: String) -> String { predicateDeclaration(p, domain: d, range: r) }
    let vocabulary = checkVocabulary + """

      type(measure, class). label(measure, "度量"@zh). label(measure, "measure"@en). subclass_of(measure, entity).
      type(number, class). label(number, "数值"@zh). label(number, "number"@en).
      type(decimal, class). label(decimal, "小数"@zh). label(decimal, "decimal"@en).
      \(declare("of", "measure", "entity")) \(declare("quantity", "measure", "entity")) \(declare("unit", "measure", "entity"))
      \(declare("value", "measure", "number")) \(declare("year", "entity", "integer")) \(declare("qualifier", "measure", "string"))
      \(declare("conflicts_with", "entity", "entity")) \(declare("financed", "institution", "entity"))

      %% source: 000:L1-L2
      %% claim: current
      type(boe, bank). label(boe, "英格兰银行"@zh). label(boe, "Bank of England"@en).
      type(amount, institution). label(amount, "金额"@zh). label(amount, "amount"@en).
      type(gbp, institution). label(gbp, "英镑"@zh). label(gbp, "pound"@en).
      type(m1, measure). label(m1, "甲"@zh). label(m1, "loans A"@en). of(m1, boe). quantity(m1, amount). value(m1, 5). unit(m1, gbp). year(m1, 1700).
      type(m2, measure). label(m2, "乙"@zh). label(m2, "loans B"@en). of(m2, boe). quantity(m2, amount). value(m2, 7). unit(m2, gbp). year(m2, 1700).
      type(m3, measure). label(m3, "丙"@zh). label(m3, "loans C"@en). of(m3, boe). quantity(m3, amount). value(m3, 7). unit(m3, gbp). year(m3, 1700). qualifier(m3, "by private banks").
      type(london_bank, bank). label(london_bank, "伦敦银行"@zh). label(london_bank, "London bank"@en).
      description(london_bank, "A lender that, like the Bank of England, financed the state."@en).
      """
    writeFile(temporary.file("v.dl"), Array(vocabulary.utf8))
    try store.importScript(from: temporary.file("v.dl"))
    var report = try store.check(seeds: nil)
    // m1 and m2 differ only in label (and value); m3 has a qualifier of its own.
    let twins = report.problems.filter { $0.code == "measure-twin" }
    #expect(twins.count == 1 && twins[0].message.contains("`m1`") && twins[0].message.contains("`m2`"), "\(report.problems)")
    let links = report.problems.filter { $0.code == "description-link" }
    #expect(links.count == 1 && links[0].severity == .warning && links[0].message.contains("`boe`"), "\(report.problems)")
    #expect(!report.problems.contains { ["class-root", "schema-definition", "measure"].contains($0.code) }, "\(report.problems)")

    // Marked as two accounts of one figure, and the prose claim made a fact: clean.
    try store.transact(
      asserting: [Triple("m1", "conflicts_with", .entity("m2")), Triple("london_bank", "financed", .entity("boe"))],
      metadata: [("source", "000:L1-L2"), ("claim", "current")])
    report = try store.check(seeds: nil)
    #expect(report.problems.isEmpty, "\(report.problems)")

    // A class outside the tree, a predicate without its Chinese definition, a measure without
    // unit and with two subjects.
    try store.transact(
      asserting: [
        Triple("orphan", "type", .entity("class")), Triple("orphan", "label", .string("孤", language: "zh")), Triple("orphan", "label", .string("orphan", language: "en")),
        Triple("owns", "type", .entity("predicate")), Triple("owns", "label", .string("拥有", language: "zh")), Triple("owns", "label", .string("owns", language: "en")),
        Triple("owns", "description", .string("the subject owns the object", language: "en")), Triple("owns", "domain", .entity("entity")), Triple("owns", "range", .entity("entity")),
        Triple("m4", "type", .entity("measure")), Triple("m4", "label", .string("丁", language: "zh")), Triple("m4", "label", .string("d", language: "en")),
        Triple("m4", "of", .entity("boe")), Triple("m4", "of", .entity("london_bank")), Triple("m4", "quantity", .entity("amount")),
        Triple("boe", "owns", .entity("london_bank")),
      ],
      metadata: [("source", "000:L1-L2"), ("claim", "current")])
    report = try store.check(seeds: nil)
    let codes = report.problems.map(\.code)
    #expect(codes.contains("class-root") && codes.contains("schema-definition"), "\(codes)")
    #expect(report.problems.filter { $0.code == "measure" }.count == 2, "\(report.problems)")
  }
}

@Suite struct ScriptTestTests {
  @Test func expectedLinesAreComparedAndUpdated() throws {
    let temporary = TemporaryDirectory()
    let store = try GraphStore.create(at: temporary.file("g"))
    try store.transact(asserting: [Triple("a", "edge", .entity("b")), Triple("b", "edge", .entity("c"))], metadata: [("source", "t")])
    let script = "% Q: edges\n?- edge(X, Y).\n%= X\tY\n%= a\tb\n?- edge(c, _).\n"
    let outcome = try ScriptTest.run(script, path: "t.dl", in: QuerySession(store: store))
    #expect(outcome.checks.count == 2)
    #expect(outcome.checks[0].expected == ["X\tY", "a\tb"])
    #expect(outcome.checks[0].actual == ["X\tY", "a\tb", "b\tc"])
    #expect(outcome.checks[1].expected == nil)
    #expect(!outcome.passed)
    #expect(ScriptTest.diff(outcome.checks[0].expected ?? [], outcome.checks[0].actual) == ["  X\tY", "  a\tb", "+ b\tc"])
    let updated = ScriptTest.updated(script, outcome)
    #expect(updated == "% Q: edges\n?- edge(X, Y).\n%= X\tY\n%= a\tb\n%= b\tc\n?- edge(c, _).\n%= false\n")
    #expect(try ScriptTest.run(updated, path: "t.dl", in: QuerySession(store: store)).passed)
  }
}

@Suite struct QuerySessionTests {
  func store(_ temporary: TemporaryDirectory) throws -> GraphStore {
    let store = try GraphStore.create(at: temporary.file("g"))
    try store.transact(asserting: [Triple("a", "edge", .entity("b"))], metadata: [("source", "one")])
    try store.transact(asserting: [Triple("b", "edge", .entity("c")), Triple("a", "edge", .entity("b"))], metadata: [("source", "two")])
    try store.transact(asserting: [Triple("c", "edge", .entity("d"))], metadata: [("source", "three")])
    return store
  }

  func rows(_ outcomes: [QuerySession.Outcome]) -> [[[String]]] {
    outcomes.compactMap { outcome in
      if case .answer(let result) = outcome { return result.rows.map { $0.map(\.description) } }
      return nil
    }
  }

  /// A text is one program: a query sees the rules written after it too (this once answered
  /// with unrelated values, because the query was checked and evaluated against different rules).
  @Test func rulesLaterInTheTextAreInForce() throws {
    let temporary = TemporaryDirectory()
    let session = try QuerySession(store: store(temporary))
    let outcomes = try session.run("?- start(X).\nstart(X) :- edge(X, _), not edge(_, X).", name: "t.dl")
    #expect(rows(outcomes) == [[["a"]]])
  }

  /// `tx_of` with the transaction bound reads what that transaction asserted.
  @Test func provenanceByTransaction() throws {
    let temporary = TemporaryDirectory()
    let session = try QuerySession(store: store(temporary))
    let outcomes = try session.run("?- tx_of(S, P, O, 2).\n?- tx_meta(T, source, \"two\"), tx_of(S, edge, O, T).\n?- tx_of(a, edge, b, T).", name: "t.dl")
    #expect(rows(outcomes) == [[["a", "edge", "b"], ["b", "edge", "c"]], [["2", "a", "b"], ["2", "b", "c"]], [["1"], ["2"]]])
  }
}
