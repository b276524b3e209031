// The search index (issue 14): normalising, CJK substrings through bigrams, Latin words by
// prefix, the ranking tiers, and a differential check of the postings against a linear scan
// that applies the matching rule to every text.

import GraphModel
import GraphSearch
import Testing
import TestSupport

@Suite struct SearchIndexTests {
  @Test func normalisingFoldsWidthCaseAndSeparators() {
    #expect(SearchTokenizer.normalise("People’s  Bank of China") == "peoples bank of china")
    #expect(SearchTokenizer.normalise("ＰＢＯＣ　总行") == "pboc 总行")
    #expect(SearchTokenizer.normalise("bank_of_england") == "bank of england")
    #expect(SearchTokenizer.normalise("  科技创新再贷款，") == "科技创新再贷款")
    #expect(SearchTokenizer.normalise("2023年中央经济工作会议") == "2023年中央经济工作会议")
    #expect(SearchTokenizer.normalise("—") == "")
  }

  @Test func tokensAreWordsAndCharacterBigrams() {
    let tokens = SearchTokenizer.tokens(ofNormalised: "pboc 央行a")
    #expect(tokens == [.word("pboc"), .characters("央"), .characters("行"), .characters("央行"), .word("a")])
    #expect(SearchTokenizer.words(ofNormalised: "2023年会议 x") == ["2023", "x"])
  }

  private func index(_ texts: [(Int, SearchField, String)]) -> SearchIndex {
    SearchIndex(texts.map { SearchDocument(entity: TermID($0.0), field: $0.1, text: $0.2) })
  }

  @Test func rankingPutsExactNamesFirstThenPrefixesSubstringsDescriptions() {
    let idx = index([
      (1, .label, "中国人民银行"), (1, .alias, "央行"), (1, .label, "People's Bank of China"),
      (2, .label, "中国人民银行法"), (3, .label, "中国人民银行广东省分行"), (4, .alias, "央行货币政策工具"),
      (5, .description, "由中国人民银行设立的再贷款"), (6, .label, "人民银行"), (7, .id, "peoples_bank_of_china_branch"),
    ])
    #expect(idx.search("人民银行").map(\.entity) == [6, 1, 2, 3, 5])
    #expect(idx.search("人民银行").first?.match == .exact)
    #expect(idx.search("央行").map(\.entity) == [1, 4])
    #expect(idx.search("央行").first?.field == .alias && idx.search("央行").first?.match == .exact)
    #expect(idx.search("people's bank").map(\.entity) == [1, 7])
    #expect(idx.search("PEOPLE").map(\.entity) == [1, 7])
    #expect(idx.search("bank peop").map(\.entity) == [1, 7], "words in any order, each a word prefix")
    #expect(idx.search("ank").isEmpty, "Latin matches start words")
    #expect(idx.search("银行 china").map(\.entity).isEmpty, "one text must hold every piece")
    #expect(idx.search("中国人民银行", limit: 2).map(\.entity) == [1, 2])
    #expect(idx.search("").isEmpty && idx.search("，").isEmpty)
  }

  /// The postings never lose a match: for random texts over a small alphabet (CJK characters
  /// and short words) and random queries, the index returns exactly the entities a scan of
  /// every text with the matching rule returns.
  @Test func postingsAgreeWithALinearScan() {
    var random = SeededRandom(seed: 14)
    let cjk = Array("金融科技再贷款银行央中国")
    let words = ["bank", "banking", "ba", "fin", "finance", "tech", "x", "2024", "b2"]
    func text() -> String {
      var parts: [String] = []
      for _ in 0..<(1 + random.below(4)) {
        if random.below(2) == 0 {
          parts.append(String((0..<(1 + random.below(4))).map { _ in cjk[random.below(cjk.count)] }))
        } else {
          parts.append(words[random.below(words.count)])
        }
      }
      return parts.joined(separator: random.below(3) == 0 ? "" : " ")
    }
    var documents: [SearchDocument] = []
    for entity in 0..<60 {
      for _ in 0..<(1 + random.below(3)) {
        documents.append(SearchDocument(entity: TermID(entity), field: SearchField.allCases[random.below(4)], text: text()))
      }
    }
    let idx = SearchIndex(documents)
    for _ in 0..<400 {
      let query = random.below(2) == 0 ? text() : String(text().prefix(1 + random.below(3)))
      let expected = Set(documents.filter { Self.matches($0.text, query) }.map(\.entity))
      let got = idx.search(query)
      #expect(Set(got.map(\.entity)) == expected, "\(query)")
      #expect(got.count == Set(got.map(\.entity)).count, "one hit per entity")
    }
  }

  /// Identifiers are scanned, not indexed, when the index reads a source: the scan (byte by
  /// byte for ASCII identifiers) finds exactly the identifiers the matching rule finds, and
  /// ranks an identifier's match like any other name.
  @Test func identifierScanAgreesWithTheMatchingRule() {
    var random = SeededRandom(seed: 15)
    let parts = ["bank", "of", "england", "pboc", "law", "e42", "e4242", "X9", "央行", "人民", "Bank's", "ＦＵＬＬ"]
    var triples: [Triple] = []
    var names: [String] = []
    for k in 0..<300 {
      let name = (0..<(1 + random.below(3))).map { _ in parts[random.below(parts.count)] }.joined(separator: random.below(2) == 0 ? "_" : "") + "\(k % 7)"
      names.append(name)
      triples.append(Triple(name, "p", .integer(Int64(k))))
    }
    let source = ArrayTripleSource(triples)
    let idx = SearchIndex(source: source, fields: [])
    for _ in 0..<300 {
      let query = random.below(3) == 0 ? names[random.below(names.count)] : parts[random.below(parts.count)] + (random.below(2) == 0 ? "" : " " + parts[random.below(parts.count)].prefix(2))
      let expected = Set(names.filter { Self.matches($0, query) })
      let got = idx.search(query)
      #expect(Set(got.map { source.dictionary.entityName(of: $0.entity) ?? "?" }) == expected, "\(query)")
      #expect(got.allSatisfy { $0.field == .id })
      if let exact = names.first(where: { SearchTokenizer.normalise($0) == SearchTokenizer.normalise(query) }) {
        #expect(got.first.map { source.dictionary.entityName(of: $0.entity) == exact || $0.match == .exact } == true, "\(query)")
      }
    }
  }

  /// The matching rule, applied directly.
  static func matches(_ text: String, _ query: String) -> Bool {
    let t = SearchTokenizer.normalise(text)
    let q = SearchTokenizer.normalise(query)
    guard !q.isEmpty else { return false }
    var runs: [String] = []
    var current = ""
    for scalar in q.unicodeScalars {
      if SearchTokenizer.isCJK(scalar) {
        current.unicodeScalars.append(scalar)
      } else if !current.isEmpty {
        runs.append(current)
        current = ""
      }
    }
    if !current.isEmpty { runs.append(current) }
    let textWords = SearchTokenizer.words(ofNormalised: t)
    return runs.allSatisfy { run in t.contains(run) }
      && SearchTokenizer.words(ofNormalised: q).allSatisfy { w in textWords.contains { $0.hasPrefix(w) } }
  }
}
