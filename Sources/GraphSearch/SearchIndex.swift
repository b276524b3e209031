// An inverted index over short texts that name entities (ids, labels, aliases, descriptions),
// built in memory from a `TripleSource`, and a ranked search over it.
//
// A query matches a text when every CJK run of the query is a substring of the text and every
// other word of the query is a prefix of a word of the text (both normalised, see
// `SearchTokenizer`). Candidates come from the postings: the intersection, over the query's
// CJK bigrams (or single characters) and over its words, of the texts holding that token (for a
// word: any word it is a prefix of, found by a scan of the vocabulary). Every
// candidate is then checked against the rule above, so the postings only make it fast.
//
// Ranking, best first: the field and how the text matched (`SearchHit.Rank`), then the shorter
// text, then the entity's id. Each entity appears once, with its best match.

import GraphModel

/// Which kind of text a match was found in.
public enum SearchField: Int, Sendable, Comparable, CaseIterable {
  // In the order a tie is broken in (an entity matched equally well by its label and its id
  // shows the label).
  /// A label, in any language.
  case label
  /// Another name, abbreviation or spelling.
  case alias
  /// The entity's identifier (words split at `_`).
  case id
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
  /// Each distinct token's number.
  private var tokenNumbers: [SearchToken: Int32] = [:]
  /// Postings, compressed-sparse-row: the documents holding token t are
  /// `postingDocuments[postingOffsets[t]..<postingOffsets[t + 1]]`, in increasing order.
  private var postingOffsets: [Int32] = []
  private var postingDocuments: [Int32] = []
  /// The distinct words and their token numbers, for prefix lookups.
  private var vocabulary: [(word: String, token: Int32)] = []

  /// Entity identifiers searched by a scan at query time rather than indexed (see
  /// `init(source:fields:)`).
  private var names: TermDictionary?

  /// Indexes documents.
  public init(_ documents: some Sequence<SearchDocument>) {
    // (token, document) pairs in document order, then a counting sort by token: each list
    // comes out in increasing document order without an array per token.
    // Built in locals and stored at the end (no exclusivity checks on the object in the loop).
    var kept: [SearchDocument] = []
    var texts: [String] = []
    var numbers: [SearchToken: Int32] = [:]
    var words: [(word: String, token: Int32)] = []
    var pairs: [(token: Int32, document: Int32)] = []
    let expected = documents.underestimatedCount
    kept.reserveCapacity(expected)
    texts.reserveCapacity(expected)
    numbers.reserveCapacity(expected)
    pairs.reserveCapacity(expected &* 2)
    for document in documents {
      let text = SearchTokenizer.normalise(document.text)
      guard !text.isEmpty else { continue }
      let index = Int32(kept.count)
      kept.append(document)
      texts.append(text)
      for token in SearchTokenizer.tokens(ofNormalised: text) {
        let number: Int32
        if let known = numbers[token] {
          number = known
        } else {
          number = Int32(numbers.count)
          numbers[token] = number
          if case .word(let w) = token { words.append((w, number)) }
        }
        pairs.append((number, index))
      }
    }
    self.documents = kept
    normalised = texts
    tokenNumbers = numbers
    vocabulary = words
    var offsets = [Int32](repeating: 0, count: numbers.count + 1)
    for pair in pairs { offsets[Int(pair.token) + 1] += 1 }
    for t in 0..<numbers.count { offsets[t + 1] += offsets[t] }
    var cursor = offsets
    var documentsByToken = [Int32](repeating: 0, count: pairs.count)
    for pair in pairs {
      documentsByToken[Int(cursor[Int(pair.token)])] = pair.document
      cursor[Int(pair.token)] += 1
    }
    postingOffsets = offsets
    postingDocuments = documentsByToken
  }

  /// The documents holding a token, in increasing order.
  private func postings(_ token: Int32) -> ArraySlice<Int32> {
    postingDocuments[Int(postingOffsets[Int(token)])..<Int(postingOffsets[Int(token) + 1])]
  }

  /// Indexes the texts of a source: every entity's id, and the string objects of the
  /// predicates given (each with its field).
  ///
  /// - Parameter fields: Predicate ids and the field their string objects fill.
  ///
  /// Identifiers are not indexed: each search scans them as bytes (a store of a million triples
  /// has a hundred thousand of them, and a scan costs less than indexing them for one query).
  public convenience init(source: any TripleSource, fields: [(predicate: TermID, field: SearchField)]) {
    var documents: [SearchDocument] = []
    let dictionary = source.dictionary
    for (predicate, field) in fields {
      source.forEach(TriplePattern(s: nil, p: predicate, o: nil)) { triple in
        if case .string(let text, let language) = dictionary.value(of: triple.o) {
          documents.append(SearchDocument(entity: triple.s, field: field, text: text, language: language))
        }
      }
    }
    self.init(documents)
    names = dictionary
  }

  /// The number of texts indexed.
  public var count: Int { documents.count }

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
    func intersect(_ list: some RandomAccessCollection<Int32>) {
      let list = Array(list)
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
        intersect(tokenNumbers[token].map { postings($0) } ?? [])
      case .word(let word):
        intersect(documents(withWordPrefix: word))
      }
      if candidates?.isEmpty == true { break }
    }
    var best: [TermID: (hit: SearchHit, length: Int)] = [:]
    func consider(_ hit: SearchHit, length: Int) {
      if let current = best[hit.entity] {
        if (hit.rank, length, hit.field, hit.text) >= (current.hit.rank, current.length, current.hit.field, current.hit.text) { return }
      }
      best[hit.entity] = (hit, length)
    }
    for candidate in candidates ?? [] {
      let d = Int(candidate)
      let text = normalised[d]
      guard let match = SearchIndex.match(text, q, runs: runs, words: queryWords) else { continue }
      let document = documents[d]
      consider(
        SearchHit(entity: document.entity, field: document.field, match: match, text: document.text, language: document.language),
        length: text.unicodeScalars.count)
    }
    if let names {
      scanNames(names, q, runs: runs, words: queryWords, consider)
    }
    let ordered = best.sorted { a, b in
      (a.value.hit.rank, a.value.length) != (b.value.hit.rank, b.value.length)
        ? (a.value.hit.rank, a.value.length) < (b.value.hit.rank, b.value.length)
        : a.key < b.key
    }.map(\.value.hit)
    return limit.map { Array(ordered.prefix($0)) } ?? ordered
  }

  /// How normalised `text` matches the normalised query `q` (whose CJK runs and words are
  /// given), or nil when it does not.
  static func match(_ text: String, _ q: String, runs: [String], words queryWords: [String]) -> SearchMatch? {
    guard runs.allSatisfy({ contains(text, $0) }) else { return nil }
    if !queryWords.isEmpty {
      let words = SearchTokenizer.words(ofNormalised: text)
      guard queryWords.allSatisfy({ w in words.contains { $0.utf8.starts(with: w.utf8) } }) else { return nil }
    }
    return text.utf8.elementsEqual(q.utf8) ? .exact : text.utf8.starts(with: q.utf8) ? .prefix : .contains
  }

  /// Matches every entity identifier of a dictionary against the query. An ASCII identifier
  /// (nearly all) is normalised byte by byte into a reused buffer and only turned into a string
  /// when it matches; any other goes through `SearchTokenizer.normalise`.
  private func scanNames(
    _ names: TermDictionary, _ q: String, runs: [String], words queryWords: [String], _ consider: (SearchHit, Int) -> Void
  ) {
    let query = Array(q.utf8)
    let wordBytes = queryWords.map { Array($0.utf8) }
    var buffer: [UInt8] = []
    buffer.reserveCapacity(64)
    names.forEachEntityName { id, bytes in
      let match: SearchMatch?
      var normalisedText: String?
      if bytes.allSatisfy({ $0 < 0x80 }) {
        guard runs.isEmpty else { return }  // ASCII holds no CJK run
        buffer.removeAll(keepingCapacity: true)
        var pendingSpace = false
        for b in bytes {
          switch b {
          case 0x41...0x5A, 0x61...0x7A, 0x30...0x39:
            if pendingSpace, !buffer.isEmpty { buffer.append(0x20) }
            pendingSpace = false
            buffer.append(b | (b >= 0x41 && b <= 0x5A ? 0x20 : 0))
          case 0x27: continue
          default: pendingSpace = true
          }
        }
        guard !buffer.isEmpty else { return }
        // Every query word starts a word of the identifier.
        for w in wordBytes {
          var found = false
          var start = 0
          while start < buffer.count {
            var end = start
            while end < buffer.count, buffer[end] != 0x20 { end += 1 }
            if end - start >= w.count, buffer[start..<(start + w.count)].elementsEqual(w) {
              found = true
              break
            }
            start = end + 1
          }
          if !found { return }
        }
        match = buffer.elementsEqual(query) ? .exact : buffer.starts(with: query) ? .prefix : .contains
      } else {
        let text = SearchTokenizer.normalise(String(decoding: bytes, as: UTF8.self))
        normalisedText = text
        match = SearchIndex.match(text, q, runs: runs, words: queryWords)
      }
      guard let match else { return }
      let name = String(decoding: bytes, as: UTF8.self)
      let length = normalisedText?.unicodeScalars.count ?? buffer.count
      consider(SearchHit(entity: id, field: .id, match: match, text: name, language: nil), length)
    }
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

  /// Documents holding a word that starts with `prefix` (as bytes), in increasing order. The
  /// vocabulary is scanned: a byte comparison per distinct word (a few milliseconds for a
  /// million), cheaper than keeping it sorted for one query.
  private func documents(withWordPrefix prefix: String) -> [Int32] {
    let key = Array(prefix.utf8)
    var lists: [ArraySlice<Int32>] = []
    for (word, token) in vocabulary where word.utf8.starts(with: key) {
      lists.append(postings(token))
    }
    if lists.count == 1 { return Array(lists[0]) }
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
