// What Tab completes in the REPL: meta-command names after a leading `.`, file paths after
// `.load`, `.output`, `.once` and `.dot`, and elsewhere predicate names, entity ids, and labels (a label
// prefix, in any language, completes to the entity's id).

import Diagnostics
import KnowledgeGraph

/// Names to complete, read once from a store state and the rules in force.
struct CompletionSource {
  /// Predicates: stored ones and those defined by rules, sorted.
  let predicates: [String]
  /// Every entity id, sorted.
  let entities: [String]
  /// Labels folded to lower case, sorted, with their text and entity.
  let labels: [(folded: String, text: String, entity: String)]
  /// A label per entity in the chosen language, shown beside ids in listings.
  let shownLabels: [String: String]

  /// Reads the names; `shownLabels` are the labels the REPL shows (in the `.lang` language).
  init(store: GraphStore, rules: [SourcedRule], shownLabels: [String: String]) {
    var predicateNames = Set(store.statistics().predicates.map(\.name))
    for sourced in rules { predicateNames.insert(sourced.rule.head.predicate) }
    predicates = predicateNames.sorted()
    entities = store.entityNames()
    labels = store.labels().map { ($0.text.lowercased(), $0.text, $0.entity) }.sorted { ($0.folded, $0.entity) < ($1.folded, $1.entity) }
    self.shownLabels = shownLabels
  }

  /// The completions of the word before the cursor, or nil when there is nothing to complete.
  func complete(_ characters: [Character], _ cursor: Int) -> Completion? {
    var lineStart = cursor
    while lineStart > 0, characters[lineStart - 1] != "\n" { lineStart -= 1 }
    let line = String(characters[lineStart..<cursor])
    let leading = line.prefix(while: { $0 == " " || $0 == "\t" })
    let command = line.dropFirst(leading.count)
    if command.first == "." {
      let name = command.prefix(while: { !$0.isWhitespace })
      if name.count == command.count {
        let start = lineStart + leading.count
        let names = MetaCommands.all.map { "." + $0.name }.filter { $0.hasPrefix(name) }
        return Completion(start: start, candidates: names.map { .init(text: $0, display: $0) })
      }
      switch MetaCommands.spec(forLine: String(name))?.argument {
      case .path?: return completePath(characters, cursor)
      case .text?: break
      case .none?, nil: return nil
      }
    }
    var start = cursor
    while start > lineStart, isNameCharacter(characters[start - 1]) { start -= 1 }
    let word = String(characters[start..<cursor])
    guard !word.isEmpty, let first = word.first, !(first.isASCII && (first.isUppercase || first.isNumber)) else { return nil }
    var seen = Set<String>()
    var candidates: [Completion.Candidate] = []
    func add(_ id: String, _ display: String) {
      guard seen.insert(id).inserted else { return }
      candidates.append(.init(text: LiteralSyntax.formatEntity(id), display: display))
    }
    for name in prefixed(predicates, word) { add(name, name) }
    for id in prefixed(entities, word) { add(id, shownLabels[id].map { id + "  " + $0 } ?? id) }
    let folded = word.lowercased()
    var i = lowerBound(labels.count) { labels[$0].folded < folded }
    while i < labels.count, labels[i].folded.hasPrefix(folded) {
      add(labels[i].entity, labels[i].entity + "  " + labels[i].text)
      i += 1
    }
    return candidates.isEmpty ? nil : Completion(start: start, candidates: candidates)
  }

  private func isNameCharacter(_ c: Character) -> Bool {
    c.isLetter || c.isNumber || c == "_" || (!c.isASCII && !c.isWhitespace && !c.isPunctuation)
  }

  private func prefixed(_ sorted: [String], _ prefix: String) -> ArraySlice<String> {
    let start = lowerBound(sorted.count) { sorted[$0] < prefix }
    var end = start
    while end < sorted.count, sorted[end].hasPrefix(prefix) { end += 1 }
    return sorted[start..<end]
  }

  private func lowerBound(_ count: Int, _ isBefore: (Int) -> Bool) -> Int {
    var low = 0
    var high = count
    while low < high {
      let mid = (low + high) / 2
      if isBefore(mid) { low = mid + 1 } else { high = mid }
    }
    return low
  }

  /// File names completing the path before the cursor; directories end with `/`.
  private func completePath(_ characters: [Character], _ cursor: Int) -> Completion? {
    var start = cursor
    while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
    let word = String(characters[start..<cursor])
    let slash = word.lastIndex(of: "/")
    let directory = slash.map { String(word[...$0]) } ?? ""
    let prefix = slash.map { String(word[word.index(after: $0)...]) } ?? word
    guard let names = TextFile.names(inDirectory: directory.isEmpty ? "." : directory) else { return nil }
    var candidates: [Completion.Candidate] = []
    for name in names.sorted() where name.hasPrefix(prefix) && (prefix.hasPrefix(".") || !name.hasPrefix(".")) {
      let isDirectory = TextFile.isDirectory(directory + name) == true
      let text = directory + name + (isDirectory ? "/" : "")
      candidates.append(.init(text: text, display: name + (isDirectory ? "/" : "")))
    }
    return candidates.isEmpty ? nil : Completion(start: start, candidates: candidates)
  }
}
