// What Tab completes in the REPL: meta-command names after a leading `.`, their fixed arguments
// (`.mode box`), file paths after `.load`, `.output`, `.once` and `.dot`, and elsewhere
// predicate and builtin names, entity ids, labels and aliases (a label or alias prefix, in any
// language and any case, completes to the entity's id; a name typed in full picks its entity).
// In an argument of a stored predicate whose domain or range is a class (`type(X, ` expects a
// class), only instances of that class are offered.

import Diagnostics
import KnowledgeGraph

/// Names to complete, read once from a store state and the rules in force.
struct CompletionSource {
  /// Predicates: stored ones and those defined by rules, sorted.
  let predicates: [String]
  /// Every entity id, sorted.
  let entities: [String]
  /// Labels and aliases folded to lower case, sorted, with their text and entity.
  let labels: [(folded: String, text: String, entity: String, isAlias: Bool)]
  /// A label per entity in the chosen language, shown beside ids in listings.
  let shownLabels: [String: String]
  /// For stored predicates whose domain or range is a class: the instances allowed in the
  /// subject (0) and object (1) positions.
  let expected: [String: [Int: Set<String>]]

  /// Reads the names; `shownLabels` are the labels the REPL shows (in the `.lang` language).
  init(store: GraphStore, rules: [SourcedRule], shownLabels: [String: String]) {
    var predicateNames = Set(store.statistics().predicates.map(\.name))
    for sourced in rules { predicateNames.insert(sourced.rule.head.predicate) }
    for builtin in Builtins.all { predicateNames.insert(builtin.name) }
    predicates = predicateNames.sorted()
    entities = store.entityNames()
    let aliases = store.triples(predicate: "alias").compactMap { t -> (String, String, String, Bool)? in
      guard case .string(let text, _) = t.object else { return nil }
      return (text.lowercased(), text, t.subject, true)
    }
    labels = (store.labels().map { ($0.text.lowercased(), $0.text, $0.entity, false) } + aliases)
      .sorted { ($0.folded, $0.entity) < ($1.folded, $1.entity) }
    self.shownLabels = shownLabels
    var expected: [String: [Int: Set<String>]] = [:]
    for (position, key) in [(0, "domain"), (1, "range")] {
      for t in store.triples(predicate: key) {
        guard case .entity(let c) = t.object, c != "entity", !GraphSchema.literalKinds.contains(c) else { continue }
        expected[t.subject, default: [:]][position] = store.instances(of: c)
      }
    }
    self.expected = expected
  }

  /// Fixed arguments of meta-commands.
  static let metaArguments: [String: [String]] = [
    "mode": OutputFormat.allCases.map(\.rawValue), "lang": ["zh", "en", "off"], "labels": ["on", "off"],
    "headers": ["on", "off"], "timer": ["on", "off"], "asof": ["latest"],
  ]

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
      if let choices = CompletionSource.metaArguments[String(name.dropFirst())] {
        let argument = command.dropFirst(name.count).drop(while: { $0 == " " })
        guard !argument.contains(" ") else { return nil }
        let start = cursor - argument.count
        let matching = choices.filter { $0.hasPrefix(argument) }
        return matching.isEmpty ? nil : Completion(start: start, candidates: matching.map { .init(text: $0, display: $0) })
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
    guard !word.isEmpty, let first = word.first, !(first.isASCII && first.isNumber) else { return nil }
    // A capitalised word is a variable being typed, unless it is long enough to be the start
    // of a label ("Bank o" → bank_of_england); then only labels and aliases are offered.
    let capitalised = first.isASCII && first.isUppercase
    if capitalised, word.count < 3 { return nil }
    // The argument being typed: the predicate whose `(` is open before the word, and which.
    let allowed = context(characters, lineStart, start).flatMap { expected[$0.predicate]?[$0.argument] }
    var seen = Set<String>()
    var candidates: [Completion.Candidate] = []
    func add(_ id: String, _ display: String) {
      guard allowed.map({ $0.contains(id) }) ?? true, seen.insert(id).inserted else { return }
      candidates.append(.init(text: LiteralSyntax.formatEntity(id), display: display))
    }
    let folded = word.lowercased()
    // A label or alias typed in full picks its entity, even when longer names start with it (a
    // label before an alias: 科技创新再贷款 is one tool's label and another's alias).
    let exact = labels.filter { label in label.folded == folded && (allowed?.contains(label.entity) ?? true) }
    let byLabel = Set(exact.filter { !$0.isAlias }.map(\.entity))
    let byAlias = Set(exact.filter(\.isAlias).map(\.entity))
    if let id = byLabel.count == 1 ? byLabel.first : byLabel.isEmpty && byAlias.count == 1 ? byAlias.first : nil,
      !entities.contains(word), !predicates.contains(word)
    {
      return Completion(start: start, candidates: [.init(text: LiteralSyntax.formatEntity(id), display: id + "  " + word)])
    }
    if !capitalised {
      if allowed == nil { for name in prefixed(predicates, word) where seen.insert(name).inserted { candidates.append(.init(text: name, display: name)) } }
      for id in prefixed(entities, word) { add(id, shownLabels[id].map { id + "  " + $0 } ?? id) }
    }
    var i = lowerBound(labels.count) { labels[$0].folded < folded }
    while i < labels.count, labels[i].folded.hasPrefix(folded) {
      add(labels[i].entity, labels[i].entity + "  " + labels[i].text)
      i += 1
    }
    return candidates.isEmpty ? nil : Completion(start: start, candidates: candidates)
  }

  /// The predicate and argument position the cursor is in (`type(X, ` → `type`, 1), when the
  /// innermost open parenthesis before the word follows a name.
  private func context(_ characters: [Character], _ lineStart: Int, _ wordStart: Int) -> (predicate: String, argument: Int)? {
    var depth = 0
    var commas = 0
    var i = wordStart - 1
    var inString = false
    while i >= lineStart {
      let c = characters[i]
      if c == "\"" { inString.toggle() }
      if !inString {
        if c == ")" { depth += 1 }
        if c == "(" {
          if depth == 0 {
            var end = i
            while end > lineStart, characters[end - 1] == " " { end -= 1 }
            var nameStart = end
            while nameStart > lineStart, isNameCharacter(characters[nameStart - 1]) { nameStart -= 1 }
            guard nameStart < end else { return nil }
            return (String(characters[nameStart..<end]), commas)
          }
          depth -= 1
        }
        if c == ",", depth == 0 { commas += 1 }
      }
      i -= 1
    }
    return nil
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
