// What `find`, `show` and `source` print, in both the command line and the REPL: a ranked
// table of matches, an entity's profile, and cited passages with their line numbers. Labels and
// headings follow the language chosen (`--lang`, `.lang`).

import Diagnostics
import KnowledgeGraph

enum EntityViews {
  /// Headings in each language.
  static func word(_ key: String, _ language: String) -> String {
    let zh: [String: String] = [
      "types": "类型", "core": "核心类型", "aliases": "别名", "description": "描述", "outgoing": "关于它的事实",
      "incoming": "指向它的事实", "measures": "度量", "id": "标识", "zh": "中文", "en": "英文", "matched": "匹配",
      "line": "行", "sources": "来源文献", "title-unstated": "（原文未载明标题）", "no-title": "（图谱中没有标题）",
      "no-document": "（图谱中没有这份文献）",
    ]
    let en: [String: String] = [
      "types": "types", "core": "core type", "aliases": "aliases", "description": "description", "outgoing": "facts about it",
      "incoming": "facts naming it", "measures": "measures", "id": "id", "zh": "Chinese", "en": "English", "matched": "matched",
      "line": "line", "sources": "documents cited", "title-unstated": "(its text states no title)", "no-title": "(no title in the graph)",
      "no-document": "(no document entity in the graph)",
    ]
    return (language == "zh" ? zh[key] : en[key]) ?? key
  }

  /// An entity as `id 标签` (its label in the language, or the other one).
  static func entity(_ id: String, _ store: GraphStore, _ language: String) -> String {
    let other = language == "zh" ? "en" : "zh"
    guard let label = store.label(of: id, language: language) ?? store.label(of: id, language: other) else { return id }
    return "\(id)  \(label)"
  }

  /// A value as a reader wants it: entities with their label, strings as text with their tag.
  static func value(_ value: Value, _ store: GraphStore, _ language: String) -> String {
    switch value {
    case .entity(let id): return entity(id, store, language)
    case .string(let text, let tag): return tag.map { "\(text) (@\($0))" } ?? text
    default: return value.description
    }
  }

  /// The ranked matches of a search as a table.
  static func matches(_ matches: [EntityMatch], _ language: String) -> TextTable {
    var table = TextTable(headers: ["#", word("id", language), word("zh", language), word("en", language), word("core", language), word("matched", language)])
    table.alignments[0] = .right
    for (k, m) in matches.enumerated() {
      let how: String
      switch m.match {
      case .exact: how = "="
      case .prefix: how = "^"
      case .contains: how = "~"
      }
      table.add([
        "\(k + 1)", m.id, clip(m.zh ?? "", 24), clip(m.en ?? "", 32), m.coreType ?? "",
        "\(m.field.name) \(how) \(clip(m.text, 40))" + (m.language.map { " @\($0)" } ?? ""),
      ])
    }
    return table
  }

  /// Text cut to `cells` display cells, with `…` when cut.
  static func clip(_ text: String, _ cells: Int) -> String { DisplayWidth.clip(text, toWidth: cells) }

  /// The lines of an entity's profile.
  static func profile(_ p: EntityProfile, _ store: GraphStore, _ language: String) -> [String] {
    // Citations are printed as they are; the documents they cite are listed once at the end,
    // with their titles.
    let documents = store.documents(language: language)
    var citedDocuments = Set<String>()
    func cited(_ citations: [String]) -> String {
      for c in citations { if let citation = GraphSchema.Citation(c) { citedDocuments.insert(citation.document) } }
      return citations.joined(separator: "; ")
    }
    func texts(_ list: [EntityProfile.Text]) -> String {
      list.map { $0.text + ($0.language.map { " (@\($0))" } ?? "") }.joined(separator: " · ")
    }
    var lines: [String] = []
    let preferred = p.labels.filter { $0.language == language } + p.labels.filter { $0.language != language }
    lines.append(([p.id] + preferred.map(\.text)).joined(separator: "  ·  "))
    if !p.types.isEmpty {
      lines.append("  \(word("types", language)): \(p.types.joined(separator: ", "))" + (p.coreTypes.isEmpty ? "" : "   (\(word("core", language)): \(p.coreTypes.joined(separator: ", ")))"))
    }
    if !p.aliases.isEmpty { lines.append("  \(word("aliases", language)): \(texts(p.aliases))") }
    for d in p.descriptions { lines.append("  \(word("description", language)): \(d.text)" + (d.language.map { " (@\($0))" } ?? "")) }
    func section(_ title: String, _ facts: [EntityProfile.Fact]) {
      guard !facts.isEmpty else { return }
      lines.append("")
      lines.append("\(title) (\(facts.count))")
      var current: String?
      for fact in facts {
        if fact.predicate != current {
          current = fact.predicate
          let label = store.label(of: fact.predicate, language: language)
          lines.append("  " + fact.predicate + (label.map { "  \($0)" } ?? ""))
        }
        let citation = fact.citations.isEmpty ? "" : "    [\(cited(fact.citations))]"
        lines.append("    " + value(fact.value, store, language) + citation)
      }
    }
    section(word("outgoing", language), p.outgoing)
    section(word("incoming", language), p.incoming)
    if !p.measures.isEmpty {
      lines.append("")
      lines.append("\(word("measures", language)) (\(p.measures.count))")
      for m in p.measures {
        lines.append("  " + entity(m.id, store, language) + (m.citations.isEmpty ? "" : "    [\(cited(m.citations))]"))
        // What a reader looks for first, then the rest by name; where it is mentioned is left to `.show` of the measure.
        let first = ["quantity", "value", "unit", "year", "date", "scope"]
        let ordered = first.flatMap { p in m.details.filter { $0.predicate == p } }
          + m.details.filter { !first.contains($0.predicate) && $0.predicate != "mentioned_in" }.sorted { $0.predicate < $1.predicate }
        let details = ordered.map { fact -> String in
          if case .entity(let id) = fact.value, let label = store.label(of: id, language: language) { return "\(fact.predicate): \(label)" }
          return "\(fact.predicate): \(value(fact.value, store, language))"
        }
        if !details.isEmpty { lines.append("    " + details.joined(separator: " · ")) }
      }
    }
    if !citedDocuments.isEmpty {
      lines.append("")
      lines.append(word("sources", language))
      for key in citedDocuments.sorted() {
        guard let document = documents[key] else {
          lines.append("  \(key)  " + word("no-document", language))
          continue
        }
        let title = document.title.map { "《\($0)》" } ?? word(document.titleUnstated ? "title-unstated" : "no-title", language)
        lines.append("  \(key)  \(entity(document.id, store, language))  \(title)")
      }
    }
    return lines
  }

  /// The cited lines of a citation, numbered, under a heading with the document's title.
  static func passage(
    _ citation: GraphSchema.Citation, text: String, _ documents: SourceDocuments, store: GraphStore, known: [String: DocumentEntity]
  ) -> Result<[String], DiagnosticError> {
    switch documents.lines(of: citation) {
    case .failure(let error):
      return .failure(error)
    case .success(let lines):
      let width = String(citation.lines.upperBound).count
      let heading = store.describe(citation: text, documents: known)
      return .success([heading] + lines.map { line in
        let number = String(line.number)
        return String(repeating: " ", count: width - number.count) + number + " │ " + TerminalText.visible(line.text)
      })
    }
  }

  /// The candidates a name could mean, for messages.
  static func candidates(_ matches: [EntityMatch], _ language: String) -> String {
    matches.prefix(8).map { m in
      let label = (language == "zh" ? m.zh ?? m.en : m.en ?? m.zh).map { " (\($0))" } ?? ""
      return "`\(m.id)`\(label)"
    }.joined(separator: ", ")
  }

  /// The entity a typed name stands for, or an error listing what it could mean.
  static func resolve(_ name: String, _ store: GraphStore, _ language: String) throws(DiagnosticError) -> String {
    switch store.resolve(name: name) {
    case .entity(let id):
      return id
    case .ambiguous(let matches):
      throw DiagnosticError(
        .data, code: "ambiguous-name", "`\(name)` names \(matches.count) entities: \(candidates(matches, language))",
        help: "name one by its id")
    case .unknown(let matches):
      throw DiagnosticError(
        .data, code: "unknown-entity", "no entity is called `\(name)`",
        help: matches.isEmpty ? "`xinzhi find TEXT` searches ids, labels, aliases and descriptions" : "did you mean \(candidates(matches, language))?")
    }
  }
}
