// Issue 14, the analyst's workbench, through the `xinzhi` command: `find` on the shipped graph
// ranks what a Chinese- or English-speaking analyst types; `show` gives one profile whatever
// name is used; `why --passages` and `source` print exactly the cited lines of the documents
// (synthetic documents here, so the test does not depend on the papers being present), and
// say how to provide them when they are absent; `check` refuses citations of documents the
// graph does not describe.

import KnowledgeGraph
import Platform
import TestSupport
import Testing

@Suite struct WorkbenchTests {
  /// The id in the first row of `find`'s table.
  private func first(_ store: String, _ text: String) -> String? {
    let result = xinzhi(["--store", store, "find", text, "--limit", "5"])
    let lines = result.stdout.split(separator: "\n")
    guard result.status == 0, lines.count >= 3 else { return nil }
    return lines[2].split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
  }

  @Test func findRanksWhatAnalystsTypeOnTheShippedGraph() throws {
    let dir = TemporaryDirectory("xinzhi-find")
    let store = try ShippedGraphTests.shippedCopy(dir).directory
    #expect(first(store, "科技创新再贷款") == "sci_tech_innovation_relending")
    for name in ["央行", "PBOC", "people's bank", "人民银行", "中国人民银行", "ＰＢＯＣ", "People’s Bank of China"] {
      #expect(first(store, name) == "peoples_bank_of_china", "\(name)")
    }
    let find = xinzhi(["--store", store, "find", "央行", "--lang", "en"])
    #expect(find.stdout.contains("alias = 央行 @zh") && find.stdout.contains("People's Bank of China"), "\(find.stdout)")
    let nothing = xinzhi(["--store", store, "find", "量子纠缠"])
    #expect(nothing.status == 0 && nothing.stdout.contains("(nothing matches `量子纠缠`)"), "\(nothing.stdout)")
  }

  @Test func showGivesOneProfileWhateverTheName() throws {
    let dir = TemporaryDirectory("xinzhi-show")
    let store = try ShippedGraphTests.shippedCopy(dir).directory
    let byID = xinzhi(["--store", store, "show", "peoples_bank_of_china"])
    #expect(byID.status == 0, "\(byID.stderr)")
    for name in ["中国人民银行", "央行", "PBOC", "people's bank of china"] {
      let other = xinzhi(["--store", store, "show", name])
      #expect(other.status == 0 && other.stdout == byID.stdout, "\(name): \(other.stderr)")
    }
    let profile = byID.stdout
    #expect(profile.hasPrefix("peoples_bank_of_china  ·  中国人民银行  ·  People's Bank of China\n"))
    #expect(profile.contains("别名: 央行 (@zh)"))
    #expect(profile.contains("    sci_tech_innovation_relending  科技创新再贷款    [000:L665-L671; 001:L1050-L1082]"))
    #expect(profile.contains("来源文献\n  000  doc_000"), "the cited documents are listed with their titles")
    #expect(profile.contains("001  doc_001  金融体系赋能新质生产力  （原文未载明标题）"))
    let unknown = xinzhi(["--store", store, "show", "英格兰央行"])
    #expect(unknown.status == 65 && unknown.stderr.contains("no entity is called `英格兰央行`"), "\(unknown.stderr)")
  }

  /// `search(E, Text)` in rules and queries finds what `find` finds.
  @Test func searchIsABuiltinRelation() throws {
    let dir = TemporaryDirectory("xinzhi-search-builtin")
    let store = try ShippedGraphTests.shippedCopy(dir).directory
    let query = xinzhi(["--store", store, "query", "--format", "tsv", #"banks(E) :- search(E, "央行"). ?- banks(E). ?- search(E, "再贷款"), type(E, relending_tool) order by E limit 3."#])
    #expect(query.status == 0, "\(query.stderr)")
    #expect(query.stdout.hasPrefix("E\nmonetary_policy_tools\npeoples_bank_of_china\n"), "\(query.stdout)")
    #expect(query.stdout.contains("E\ncoal_clean_use_relending\nequipment_renewal_relending\n"), "\(query.stdout)")
    let found = Set(xinzhi(["--store", store, "find", "央行", "--limit", "0"]).stdout.split(separator: "\n").dropFirst(2).dropLast().compactMap {
      $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map(String.init)
    })
    #expect(found == ["monetary_policy_tools", "peoples_bank_of_china"])
  }

  /// A store citing a synthetic document, and the directory holding its text.
  private func citingStore(_ dir: TemporaryDirectory, describeDocument: Bool = true) -> (store: String, sources: String) {
    let store = dir.file("g")
    _ = xinzhi(["init", store])
    if describeDocument {
      _ = xinzhi([
        "--store", store, "assert", #"type(doc_007, document). text_file(doc_007, "007_sample.txt"). title(doc_007, "样本文献"@zh). label(doc_007, "样本"@zh)."#,
        "--source", "vocabulary", "--meta", "claim=vocabulary",
      ])
    }
    _ = xinzhi(["--store", store, "assert", "financed(bank_a, railway_b). label(bank_a, \"甲银行\"@zh).", "--source", "007:L2-L3", "--meta", "claim=historical"])
    let sources = dir.file("texts")
    mkdir(sources, 0o755)
    writeFile(sources + "/007_sample.txt", Array("line one\n甲银行为铁路融资。\n融资在 1840 年。\nline four\n".utf8))
    return (store, sources)
  }

  @Test func whyWithPassagesPrintsExactlyTheCitedLines() throws {
    let dir = TemporaryDirectory("xinzhi-passages")
    let (store, sources) = citingStore(dir)
    let why = xinzhi(["--store", store, "why", "financed(bank_a, railway_b)", "--passages", "--sources", sources])
    #expect(why.status == 0, "\(why.stderr)")
    #expect(why.stdout == """
      financed(bank_a, railway_b)   stored: tx 2 (source: 007:L2-L3)
          007:L2-L3 《样本文献》
          2 │ 甲银行为铁路融资。
          3 │ 融资在 1840 年。

      """, "\(why.stdout)")
    // Without --passages: the title only.
    let plain = xinzhi(["--store", store, "why", "financed(bank_a, railway_b)"])
    #expect(plain.stdout == "financed(bank_a, railway_b)   stored: tx 2 (source: 007:L2-L3)\n    007:L2-L3 《样本文献》\n", "\(plain.stdout)")
    // `source` prints ranges, numbered.
    let source = xinzhi(["--store", store, "source", "007:L3-L4", "--sources", sources])
    #expect(source.status == 0 && source.stdout == "007:L3-L4 《样本文献》\n3 │ 融资在 1840 年。\n4 │ line four\n", "\(source.stdout)\(source.stderr)")
    let beyond = xinzhi(["--store", store, "source", "007:L3-L9", "--sources", sources])
    #expect(beyond.status == 65 && beyond.stderr.contains("document 007 has 4 lines"), "\(beyond.stderr)")
    // Without the texts: say how to provide them.
    let missing = xinzhi(["--store", store, "why", "financed(bank_a, railway_b)", "--passages", "--sources", dir.file("nowhere")])
    #expect(missing.status == 66, "\(missing.stderr)")
    #expect(missing.stderr.contains("no source documents (NNN_*.txt)") && missing.stderr.contains("XINZHI_SOURCES"), "\(missing.stderr)")
    let fromEnvironment = xinzhi(["--store", store, "source", "007:L2"], environment: ["XINZHI_SOURCES": sources])
    #expect(fromEnvironment.stdout == "007:L2 《样本文献》\n2 │ 甲银行为铁路融资。\n", "\(fromEnvironment.stdout)\(fromEnvironment.stderr)")
  }

  /// On the shipped graph with the real papers (when they are beside the project, as in this
  /// workspace; the synthetic test above runs everywhere): the lines `why --passages` prints
  /// under a stored fact are exactly the cited lines of the paper's file.
  @Test func passagesOfTheShippedGraphAreTheCitedLinesOfThePapers() throws {
    let seeds = ShippedGraphTests.root + "/../shared/seeds"
    guard let documents = SourceDocuments(directory: seeds) else { return }
    let dir = TemporaryDirectory("xinzhi-real-passages")
    let store = try ShippedGraphTests.shippedCopy(dir).directory
    let why = xinzhi(["--store", store, "why", "provides(peoples_bank_of_china, sci_tech_innovation_relending)", "--passages", "--sources", seeds])
    #expect(why.status == 0, "\(why.stderr)")
    for citation in ["000:L665-L671", "001:L1050-L1082"] {
      let cited = try #require(GraphSchema.Citation(citation))
      guard case .success(let lines) = documents.lines(of: cited) else {
        Issue.record("\(citation) is not in the papers")
        continue
      }
      let file = try #require(documents.files[cited.document])
      let text = TextFile.lines(try TextFile.read(seeds + "/" + file))
      for (number, line) in lines {
        #expect(line == String(text[number - 1]))
        #expect(why.stdout.contains("\(number) │ \(line)\n"), "line \(number) of \(citation) is missing")
      }
    }
  }

  @Test func checkRefusesCitationsOfUndescribedDocuments() throws {
    let dir = TemporaryDirectory("xinzhi-check-documents")
    let (store, sources) = citingStore(dir, describeDocument: false)
    let check = xinzhi(["--store", store, "check", "--seeds", sources])
    #expect(check.status == 65)
    #expect(check.stderr.contains("document 007 is cited, but no entity names its text file"), "\(check.stderr)")
  }
}
