// RDF with provenance, through the `xinzhi` command: export then import gives the same facts
// and the same provenance (commit time and metadata of every transaction that asserts each
// fact), literals of every kind survive, what Xinzhi cannot store is reported with its place,
// and real RDF tools (Oxigraph, rdflib) read the shipped graph's export and answer five saved
// questions, in SPARQL, as Xinzhi does.

import Foundation
import KnowledgeGraph
import Platform
import TestSupport
import Testing

/// Every stored fact with the sorted (commit time, metadata) of the transactions asserting it.
private func provenanceMap(_ directory: String) throws -> [String: [String]] {
  let store = try GraphStore.open(at: directory)
  var map: [String: [String]] = [:]
  for triple in store.triples() {
    map["\(triple)"] = store.provenance(of: triple).map { info in
      info.timestamp + " " + info.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: "|")
    }.sorted()
  }
  return map
}

private func facts(_ directory: String) throws -> Set<String> {
  Set(try GraphStore.open(at: directory).triples().map { "\($0)" })
}

/// A store with a literal of every kind, nasty strings, odd identifiers, a fact two
/// transactions assert, a retracted fact and a transaction left with no facts.
private func nastyStore(_ dir: TemporaryDirectory) -> String {
  let store = dir.file("nasty")
  #expect(xinzhi(["init", store]).status == 0)
  let script = #"""
    %% source: 000:L1-L2
    %% claim: historical
    %% note: a "quoted" note; with \ and 中文
    %% transaction: a key that is also a word of the mapping
    s(a, "plain"). s(a, "中文"@zh). s(a, "British"@en-gb). s(a, ""). s(a, "line\nbreak\ttab \"quote\" \\ back").
    s(a, "\u0001control\u007F"). s(a, "emoji 😀 and 𝄞"). s(a, 0). s(a, -9223372036854775807). s(a, 9223372036854775807).
    s(a, 3.14159). s(a, -0.5). s(a, 12345678901234567.8). s(a, true). s(a, false). s(a, @1694). s(a, @2023-10). s(a, @2024-01-31).
    s('odd id with spaces', 'quote\'s'). s('http://example.org/x#y', 'urn:isbn:123'). s('中文实体', b). s('_:blank1', b).
    s('_:genid0', b). s('_:-x', b). s('http://dbpedia.org/resource/A_%28b%29', b). s('urn:xinzhi:', b).
    s('http://www.w3.org/1999/02/22-rdf-syntax-ns#type2', b).
    shared(a, b).
    %% source: 001:L5-L9
    %% claim: current
    %% custom_key: custom value
    shared(a, b). s(b, "second").
    %% source: 002:L1-L1
    gone(a, b).
    %% source: 003:L1-L1
    s(c, "kept").
    """#
  writeFile(dir.file("nasty.dl"), Array(script.utf8))
  let imported = xinzhi(["--store", store, "import", dir.file("nasty.dl")], environment: ["SOURCE_DATE_EPOCH": "1795478400"])
  #expect(imported.status == 0, "\(imported.stderr)")
  let retracted = xinzhi(["--store", store, "retract", "gone(a, b)."])
  #expect(retracted.status == 0, "\(retracted.stderr)")
  return store
}

@Suite struct RDFTests {
  @Test(arguments: ["trig", "nq"])
  func exportThenImportKeepsFactsAndProvenance(format: String) throws {
    let dir = TemporaryDirectory()
    let store = nastyStore(dir)
    let file = dir.file("out.\(format)")
    let exported = xinzhi(["--store", store, "export", "--format", format, "-o", file])
    #expect(exported.status == 0, "\(exported.stderr)")
    let copy = dir.file("copy")
    #expect(xinzhi(["init", copy]).status == 0)
    let imported = xinzhi(["--store", copy, "import", file])
    #expect(imported.status == 0, "\(imported.stderr)")
    let original = try provenanceMap(store)
    #expect(original.count == 30, "\(original.keys.sorted())")
    #expect(original["shared(a, b)"]?.count == 2)
    #expect(original["gone(a, b)"] == nil)
    #expect(try provenanceMap(copy) == original)
    // And the copy exports the same bytes (the transaction left empty by the retraction is
    // skipped, so the numbers of later transactions shift; the export of the copy is the same
    // once it is exported again).
    let again = xinzhi(["--store", copy, "export", "--format", format])
    let third = dir.file("third")
    #expect(xinzhi(["init", third]).status == 0)
    writeFile(dir.file("again.\(format)"), Array(again.stdout.utf8))
    #expect(xinzhi(["--store", third, "import", dir.file("again.\(format)")]).status == 0)
    #expect(xinzhi(["--store", third, "export", "--format", format]).stdout == again.stdout)
  }

  @Test(arguments: ["ttl", "nt"])
  func factsOnlyFormatsKeepEveryValue(format: String) throws {
    let dir = TemporaryDirectory()
    let store = nastyStore(dir)
    let file = dir.file("out.\(format)")
    #expect(xinzhi(["--store", store, "export", "--format", format, "-o", file]).status == 0)
    let copy = dir.file("copy")
    #expect(xinzhi(["init", copy]).status == 0)
    let imported = xinzhi(["--store", copy, "import", file])
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(try facts(copy) == facts(store))
  }

  @Test(arguments: ["trig", "nq"])
  func theShippedGraphRoundTripsByteForByte(format: String) throws {
    let dir = TemporaryDirectory()
    let shipped = try ShippedGraphTests.shippedCopy(dir).directory
    let first = xinzhi(["--store", shipped, "export", "--format", format])
    #expect(first.status == 0, "\(first.stderr)")
    writeFile(dir.file("graph.\(format)"), Array(first.stdout.utf8))
    let copy = dir.file("copy")
    #expect(xinzhi(["init", copy]).status == 0)
    let imported = xinzhi(["--store", copy, "import", dir.file("graph.\(format)")])
    #expect(imported.status == 0, "\(imported.stderr)")
    // Every transaction of the shipped graph still asserts a fact, so each comes back.
    let transactions = try GraphStore.open(at: shipped).lastTransaction
    #expect(imported.stdout.contains("as transactions 1–\(transactions)"), "\(imported.stdout)")
    let second = xinzhi(["--store", copy, "export", "--format", format])
    #expect(second.stdout == first.stdout, "the copy exports other bytes")
    #expect(try provenanceMap(copy) == provenanceMap(shipped))
  }

  @Test func whatCannotBeStoredIsReportedWithItsPlaceAndNothingIsWritten() throws {
    let dir = TemporaryDirectory()
    let store = dir.file("s")
    #expect(xinzhi(["init", store]).status == 0)
    let document = """
      @prefix ex: <http://example.org/> .
      @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
      ex:a ex:p 1.5e3 .
      ex:a ex:q "2024-01-01T10:00:00Z"^^xsd:dateTime ;
           ex:r "twelve"^^xsd:integer ;
           ex:s "fine" .
      """
    writeFile(dir.file("bad.ttl"), Array(document.utf8))
    let result = xinzhi(["--store", store, "import", dir.file("bad.ttl")])
    #expect(result.status == 65)
    #expect(result.stderr.contains("3 statements of"), "\(result.stderr)")
    #expect(result.stderr.contains("bad.ttl:3:1: a literal of datatype <http://www.w3.org/2001/XMLSchema#double>"), "\(result.stderr)")
    #expect(result.stderr.contains("bad.ttl:4:1: a literal of datatype <http://www.w3.org/2001/XMLSchema#dateTime>"), "\(result.stderr)")
    #expect(result.stderr.contains("`twelve` is not a valid <http://www.w3.org/2001/XMLSchema#integer>"), "\(result.stderr)")
    #expect(try GraphStore.open(at: store).tripleCount == 0)
    // A syntax error names its place too.
    writeFile(dir.file("broken.ttl"), Array("@prefix ex: <http://example.org/> .\nex:a ex:p ex:b ,, .\n".utf8))
    let broken = xinzhi(["--store", store, "import", dir.file("broken.ttl")])
    #expect(broken.status == 65)
    #expect(broken.stderr.contains("broken.ttl:2:"), "\(broken.stderr)")
  }

  /// A named pipe (process substitution, `mkfifo`) has no size; it is read to its end.
  @Test func rdfFromANamedPipeIsReadToItsEnd() throws {
    let dir = TemporaryDirectory()
    let store = dir.file("s")
    #expect(xinzhi(["init", store]).status == 0)
    writeFile(dir.file("doc.ttl"), Array("@prefix ex: <http://example.org/> .\nex:a ex:p ex:b , ex:c .\n".utf8))
    let fifo = dir.file("pipe.ttl")
    #expect(mkfifo(fifo, 0o600) == 0)
    let writer = try #require(ChildProcess("/bin/sh", ["-c", "cat \"$0\" > \"$1\"", dir.file("doc.ttl"), fifo]))
    let result = xinzhi(["--store", store, "import", fifo], timeout: 60)
    writer.wait()
    #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
    #expect(result.stdout.contains("imported 2 facts"), "\(result.stdout)")
  }

  @Test func rdfWrittenByOthersMapsAsDocumented() throws {
    let dir = TemporaryDirectory()
    let store = dir.file("s")
    #expect(xinzhi(["init", store]).status == 0)
    let document = """
      @prefix ex: <https://example.org/kg/> .
      @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
      ex:bank a ex:central_bank ; rdfs:label "央行"@zh, "Central bank"@EN ;
          ex:founded 1694 ; ex:owner [ ex:name "the crown" ] .
      ex:g1 { ex:bank ex:issues ex:note . }
      <http://other.org/thing> ex:rel ex:bank .
      """
    writeFile(dir.file("other.trig"), Array(document.utf8))
    let result = xinzhi(["--store", store, "import", "--base", "https://example.org/kg/", dir.file("other.trig")])
    #expect(result.status == 0, "\(result.stderr)")
    let opened = try GraphStore.open(at: store)
    let all = Set(opened.triples().map { "\($0)" })
    #expect(all.contains("type(bank, central_bank)"), "\(all.sorted())")
    #expect(all.contains("label(bank, \"央行\"@zh)"))
    #expect(all.contains("label(bank, \"Central bank\"@en)"))
    #expect(all.contains("founded(bank, 1694)"))
    // A blank node is named within its import (`_:t1.` for the import that wrote transaction 1).
    #expect(all.contains("owner(bank, '_:t1.genid0')"), "\(all.sorted())")
    #expect(all.contains("name('_:t1.genid0', \"the crown\")"))
    #expect(all.contains("rel('http://other.org/thing', bank)"))
    // The named graph without a description is a transaction of its own, named in `graph`.
    let issues = try #require(opened.triples(predicate: "issues").first)
    #expect(opened.provenance(of: issues).first?.metadata("graph") == "https://example.org/kg/g1")
    #expect(opened.provenance(of: issues).first?.source == "import \(dir.file("other.trig"))")
    // The same document imported again: its blank node is another entity, not merged.
    #expect(xinzhi(["--store", store, "import", "--base", "https://example.org/kg/", dir.file("other.trig")]).status == 0)
    let owners = try GraphStore.open(at: store).triples(subject: "bank", predicate: "owner").map(\.object)
    #expect(owners.count == 2, "\(owners)")
  }

  /// Oxigraph and rdflib, from PyPI (installed by .ci/run), through XINZHI_PYTHON (a Python that
  /// imports both); with XINZHI_REQUIRE_RDF_TOOLS set, their absence fails instead of skipping.
  static var python: String? { PythonTools.python(importing: ["rdflib", "pyoxigraph"], root: ShippedGraphTests.root) }

  @Test(arguments: ["oxigraph", "rdflib"])
  func rdfToolsAnswerSavedQuestionsFromTheExportAsXinzhiDoes(engine: String) throws {
    guard let python = RDFTests.python else {
      #expect(ProcessInfo.processInfo.environment["XINZHI_REQUIRE_RDF_TOOLS"] == nil, "rdflib and pyoxigraph are required (XINZHI_REQUIRE_RDF_TOOLS) but no Python imports them; set XINZHI_PYTHON")
      return
    }
    let dir = TemporaryDirectory()
    let shipped = try ShippedGraphTests.shippedCopy(dir).directory
    let file = dir.file("graph.trig")
    #expect(xinzhi(["--store", shipped, "export", "--format", "trig", "-o", file]).status == 0)
    let script = ShippedGraphTests.root + "/Tests/KnowledgeGraphTests/RDF/saved_questions.py"
    let result = run(python, [script, file, engine], timeout: 600)
    #expect(result.status == 0, "\(result.stderr)")
    var sections = result.stdout.components(separatedBy: "## ").dropFirst()
    // Oxigraph answers the five questions; rdflib (whose SPARQL engine takes minutes over these
    // joins) reads the whole export, counts its statements and answers the provenance query.
    #expect(sections.count == (engine == "oxigraph" ? 8 : 2), "\(result.stdout.prefix(500))")
    let statements = sections.removeFirst().trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
    #expect(statements.first == "statements", "\(statements)")
    let trigLines = try String(contentsOfFile: file, encoding: .utf8)
    #expect(xinzhi(["--store", shipped, "export", "--format", "nq"]).stdout.split(separator: "\n").count == Int(statements.last ?? "") ?? -1, "\(engine) read \(statements.last ?? "?") statements; the N-Quads export has a line for each (TriG: \(trigLines.count) characters)")
    let provenance = sections.removeLast()
    for section in sections {
      var lines = section.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      while lines.last == "" { lines.removeLast() }
      let header = lines.removeFirst().split(separator: " ")
      let scriptName = String(header[0])
      let index = try #require(Int(header[1]))
      let expected = try expectedRows(ShippedGraphTests.root + "/queries/" + scriptName, query: index)
      #expect(!expected.isEmpty, "\(scriptName): no expected rows to compare")
      #expect(Set(lines) == Set(expected), "\(engine) answers \(scriptName) query \(index + 1) otherwise:\nmissing: \(Set(expected).subtracting(lines).sorted())\nextra: \(Set(lines).subtracting(expected).sorted())")
    }
    // The provenance of one fact, by SPARQL, is what Xinzhi says.
    let store = try GraphStore.open(at: shipped)
    let fact = Triple("uk_banking_system", "financed", .entity("first_industrial_revolution"))
    let mine = store.provenance(of: fact).map { "\"\($0.source ?? "")\"\t\"\($0.metadata("claim") ?? "")\"\t\"\($0.timestamp)\"" }.sorted()
    let theirs = provenance.split(separator: "\n").dropFirst().map(String.init).sorted()
    #expect(!mine.isEmpty)
    #expect(theirs == mine, "\(engine): \(theirs) vs \(mine)")
  }

  /// The expected answer rows (without the header) of query `k` (0-based) of a saved script.
  func expectedRows(_ path: String, query k: Int) throws -> [String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var blocks: [[String]] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("?-") { blocks.append([]) }
      else if line.hasPrefix("%= "), !blocks.isEmpty { blocks[blocks.count - 1].append(String(line.dropFirst(3))) }
    }
    guard k < blocks.count, !blocks[k].isEmpty else { return [] }
    return Array(blocks[k].dropFirst())
  }
}
