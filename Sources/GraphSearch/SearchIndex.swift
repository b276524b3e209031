// An inverted index over short texts that name entities (ids, labels, aliases, descriptions),
// built in memory from a `TripleSource`, and a ranked search over it.
//
// A query matches a text when every CJK run of the query is a substring of the text and every
// other word of the query is a prefix of a word of the text (both normalised, see
// `SearchTokenizer`). Candidates come from the postings: the intersection, over the query's
// CJK bigrams (or single characters) and over its words, of the texts holding that token (for a
// word: any word it is a prefix of, found by binary search in the sorted vocabulary). Every
// candidate is then checked against the rule above, so the postings only make it fast.
//
// Ranking, best first: the field and how the text matched (`SearchHit.Rank`), then the shorter
// text, then the entity's id. Each entity appears once, with its best match.

import GraphModel

/// Which kind of text a match was found in.
public enum SearchField: Int, Sendable, Comparable, CaseIterable {
  /// The entity's identifier (words split at `_`).
  case id
  /// A label, in any language.
  case label
  /// Another name, abbreviation or spelling.
  case alias
  /// A description.
  case description

  public static func < (a: SearchField, b: SearchField) -> Bool { a.rawValue < b.rawValue }

  /// How the field is named in output.
  public var name: String {
    switch self {
    case .id: "id"
    case .label: "label"
    case .alias: "alias"
    case .description: "description"
    }
  }
}

/// How a text matched a query.
public enum SearchMatch: Int, Sendable, Comparable {
  /// The whole text, normalised, is the query.
  case exact
  /// The text starts with the query.
  case prefix
  /// The query's pieces are inside the text.
  case contains

  public static func < (a: SearchMatch, b: SearchMatch) -> Bool { a.rawValue < b.rawValue }
}

/// One entity found, with its best match.
public struct SearchHit: Sendable, Hashable {
  /// The entity.
  public var entity: TermID
  /// Where it matched.
  public var field: SearchField
  /// How it matched.
  public var match: SearchMatch
  /// The text that matched, as stored.
  public var text: String
  /// The text's language tag, if it has one.
  public var language: String?

  /// The order of hits: exact label or id; exact alias (a name typed in full is the entity
  /// meant, before any longer name that starts with it: `PBOC` is the bank before "PBOC
  /// Guangdong Branch"); label prefix; alias prefix; id prefix (an id is a technical name, a
  /// weaker sign than an alias); any other match in a label, id or alias; a description.
  public var rank: Int {
    switch (field, match) {
    case (.label, .exact), (.id, .exact): 0
    case (.alias, .exact): 1
    case (.label, .prefix): 2
    case (.alias, .prefix): 3
    case (.id, .prefix): 4
    case (.label, .contains), (.id, .contains), (.alias, .contains): 5
    case (.description, _): 6
    }
  }
}

/// A text to index.
public struct SearchDocument: Sendable {
  public var entity: TermID
  public var field: SearchField
  public var text: String
  public var language: String?

  public init(entity: TermID, field: SearchField, text: String, language: String? = nil) {
    self.entity = entity
    self.field = field
    self.text = text
    self.language = language
  }
}

/// The index. Immutable once built; safe to share.
public final class SearchIndex: @unchecked Sendable {
  private var documents: [SearchDocument] = []
  private var normalised: [String] = []
  /// Postings: the documents holding each token, in increasing order.
  private var postings: [SearchToken: [Int32]] = [:]
  /// The distinct words, sorted, for prefix lookups.
  private var vocabulary: [String] = []

  /// Indexes documents.
  public init(_ documents: some Sequence<SearchDocument>) {
    for document in documents { add(document) }
    vocabulary = postings.keys.compactMap { if case .word(let w) = $0 { w } else { nil } }
      .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }

  /// Indexes the texts of a source: every entity's id, and the string objects of the
  /// predicates given (each with its field).
  ///
  /// - Parameter fields: Predicate ids and the field their string objects fill.
  public convenience init(source: any TripleSource, fields: [(predicate: TermID, field: SearchField)]) {
    var documents: [SearchDocument] = []
    let dictionary = source.dictionary
    for id in 0..<dictionary.count {
      if case .entity(let name) = dictionary.value(of: TermID(id)) {
        documents.append(SearchDocument(entity: TermID(id), field: .id, text: name))
      }
    }
    for (predicate, field) in fields {
      source.forEach(TriplePattern(s: nil, p: predicate, o: nil)) { triple in
        if case .string(let text, let language) = dictionary.value(of: triple.o) {
          documents.append(SearchDocument(entity: triple.s, field: field, text: text, language: language))
        }
      }
    }
    self.init(documents)
  }

  /// The number of texts indexed.
  public var count: Int { documents.count }

  private func add(_ document: SearchDocument) {
    let text = SearchTokenizer.normalise(document.text)
    guard !text.isEmpty else { return }
    let index = Int32(documents.count)
    documents.append(document)
    normalised.append(text)
    for token in SearchTokenizer.tokens(ofNormalised: text) {
      postings[token, default: []].append(index)
    }
  }

  /// The best matches for a query, best first, one per entity.
  ///
  /// - Parameters:
  ///   - query: Any text; an empty query (after normalising) finds nothing.
  ///   - limit: At most this many hits (nil: all).
  public func search(_ query: String, limit: Int? = nil) -> [SearchHit] {
    let q = SearchTokenizer.normalise(query)
    guard !q.isEmpty else { return [] }
    let tokens = SearchTokenizer.tokens(ofNormalised: q)
    let queryWords = SearchTokenizer.words(ofNormalised: q).map(String.init)
    let runs = cjkRuns(q)
    // Candidates: the intersection of each token's documents (words by prefix).
    var candidates: [Int32]?
    func intersect(_ list: [Int32]) {
      guard let current = candidates else {
        candidates = list
        return
      }
      var result: [Int32] = []
      var i = 0
      var j = 0
      while i < current.count, j < list.count {
        if current[i] == list[j] {
          result.append(current[i])
          i += 1
          j += 1
        } else if current[i] < list[j] {
          i += 1
        } else {
          j += 1
        }
      }
      candidates = result
    }
    for token in tokens {
      switch token {
      case .characters:
        intersect(postings[token] ?? [])
      case .word(let word):
        intersect(documents(withWordPrefix: word))
      }
      if candidates?.isEmpty == true { return [] }
    }
    var best: [TermID: (hit: SearchHit, length: Int)] = [:]
    for candidate in candidates ?? [] {
      let d = Int(candidate)
      let text = normalised[d]
      guard runs.allSatisfy({ SearchIndex.contains(text, $0) }) else { continue }
      if !queryWords.isEmpty {
        let words = SearchTokenizer.words(ofNormalised: text)
        guard queryWords.allSatisfy({ w in words.contains { $0.utf8.starts(with: w.utf8) } }) else { continue }
      }
      let match: SearchMatch = text.utf8.elementsEqual(q.utf8) ? .exact : text.utf8.starts(with: q.utf8) ? .prefix : .contains
      let document = documents[d]
      let hit = SearchHit(entity: document.entity, field: document.field, match: match, text: document.text, language: document.language)
      let length = text.unicodeScalars.count
      if let current = best[document.entity] {
        if (hit.rank, length, hit.field, hit.text) >= (current.hit.rank, current.length, current.hit.field, current.hit.text) { continue }
      }
      best[document.entity] = (hit, length)
    }
    let ordered = best.sorted { a, b in
      (a.value.hit.rank, a.value.length) != (b.value.hit.rank, b.value.length)
        ? (a.value.hit.rank, a.value.length) < (b.value.hit.rank, b.value.length)
        : a.key < b.key
    }.map(\.value.hit)
    return limit.map { Array(ordered.prefix($0)) } ?? ordered
  }

  /// Whether `needle`'s UTF-8 bytes occur in `haystack`'s (texts are compared as bytes
  /// throughout, so that the postings and the check agree exactly).
  static func contains(_ haystack: String, _ needle: String) -> Bool {
    let h = Array(haystack.utf8)
    let n = Array(needle.utf8)
    guard !n.isEmpty else { return true }
    guard h.count >= n.count else { return false }
    for start in 0...(h.count - n.count) where h[start] == n[0] {
      if h[start..<(start + n.count)].elementsEqual(n) { return true }
    }
    return false
  }

  /// Documents holding a word that starts with `prefix` (as bytes), in increasing order.
  private func documents(withWordPrefix prefix: String) -> [Int32] {
    let key = Array(prefix.utf8)
    var low = 0
    var high = vocabulary.count
    while low < high {
      let mid = (low + high) / 2
      if vocabulary[mid].utf8.lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
    }
    var lists: [[Int32]] = []
    var i = low
    while i < vocabulary.count, vocabulary[i].utf8.starts(with: key) {
      lists.append(postings[.word(vocabulary[i])] ?? [])
      i += 1
    }
    if lists.count == 1 { return lists[0] }
    var merged = Set<Int32>()
    for list in lists { merged.formUnion(list) }
    return merged.sorted()
  }

  /// The maximal CJK runs of normalised text.
  private func cjkRuns(_ text: String) -> [String] {
    var runs: [String] = []
    var current = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if SearchTokenizer.isCJK(scalar) {
        current.append(scalar)
      } else if !current.isEmpty {
        runs.append(String(current))
        current = String.UnicodeScalarView()
      }
    }
    if !current.isEmpty { runs.append(String(current)) }
    return runs
  }
}
