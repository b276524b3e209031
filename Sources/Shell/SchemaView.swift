// What `.schema` and `xinzhi schema` list, and what `.help NAME` says of a predicate or builtin:
// the stored predicates with their counts, declared domain and range and label; the predicates
// rules define; and the builtin relations, tests and functions with a line each.

import Diagnostics
import KnowledgeGraph

enum SchemaView {
  /// The tables, for names starting with `prefix`.
  static func lines(
    store: GraphStore, rules: [SourcedRule], declarations: [SourcedDeclaration] = [], standingRuleCount: Int, language: String, style: Style, prefix: String
  ) -> [String] {
    var out: [String] = []
    var table = TextTable(headers: ["predicate", "triples", "domain", "range", "label"], alignments: [.left, .right, .left, .left, .left])
    func declared(_ predicate: String, _ key: String) -> String {
      store.triples(subject: predicate, predicate: key).map { LiteralSyntax.format($0.object) }.joined(separator: ", ")
    }
    let stored = store.statistics().predicates.filter { $0.name.hasPrefix(prefix) }
    for (name, count) in stored {
      table.add([name, Format.count(count), declared(name, "domain"), declared(name, "range"), store.label(of: name, language: language) ?? ""])
    }
    if !stored.isEmpty { out += table.render(style: style) }
    // Predicates defined by rules: standing and session.
    var defined: [String: (arity: Int, rules: Int, session: Bool)] = [:]
    for (k, sourced) in rules.enumerated() where sourced.rule.head.predicate.hasPrefix(prefix) && sourced.isAsWritten {
      let head = sourced.rule.head
      let entry = defined[head.predicate] ?? (head.arguments.count, 0, false)
      defined[head.predicate] = (entry.arity, entry.rules + 1, entry.session || k >= standingRuleCount)
    }
    if !defined.isEmpty {
      if !out.isEmpty { out.append("") }
      var table = TextTable(headers: ["defined by rules", "arity", "rules", "from"], alignments: [.left, .right, .right, .left])
      for name in defined.keys.sorted() {
        guard let entry = defined[name] else { continue }
        table.add([name, String(entry.arity), String(entry.rules), entry.session ? "this session" : "standing rules"])
      }
      out += table.render(style: style)
    }
    let shown = declarations.filter { $0.declaration.predicate.hasPrefix(prefix) }
    if !shown.isEmpty {
      if !out.isEmpty { out.append("") }
      var table = TextTable(headers: ["declared", "arguments", "label", "where"])
      for sourced in shown {
        let d = sourced.declaration
        let arguments = d.arguments.map { ($0.name.map { "\($0): " } ?? "") + $0.kind.rawValue }.joined(separator: ", ")
        let labels = d.labels.compactMap { value -> (String, String?)? in
          if case .string(let text, let tag) = value { return (text, tag) }
          return nil
        }
        let label = labels.first(where: { $0.1 == language })?.0 ?? labels.first?.0 ?? ""
        table.add([d.predicate, arguments, label, sourced.location.description])
      }
      out += table.render(style: style)
    }
    let builtins = Builtins.all.filter { $0.name.hasPrefix(prefix) }
    if !builtins.isEmpty {
      if !out.isEmpty { out.append("") }
      var table = TextTable(headers: ["builtin", "kind", "what it gives"])
      for b in builtins { table.add(["\(b.name)(\(b.signature))", kindName(b.kind), b.summary]) }
      out += table.render(style: style)
    }
    if out.isEmpty {
      out.append(prefix.isEmpty ? "the store holds no predicates and no rules are in force" : "no predicate or builtin starts with `\(prefix)`")
    }
    return out
  }

  static func kindName(_ kind: BuiltinKind) -> String {
    switch kind {
    case .relation: "relation"
    case .test: "test"
    case .function: "function"
    }
  }

  /// What `.help NAME` says of a builtin or a predicate; nil when NAME is neither.
  static func explain(_ name: String, store: GraphStore, rules: [SourcedRule], language: String) -> [String]? {
    if let b = Builtins.named(name) {
      var lines = ["\(b.name)(\(b.signature))  — builtin \(kindName(b.kind))", "  \(b.summary)"]
      switch b.kind {
      case .function: lines.append("  use it in an expression, `X = \(b.name)(...)`, or as an atom whose last argument is the result")
      case .test: lines.append("  every argument must be bound by an earlier literal")
      case .relation: lines.append("  like a stored predicate: it binds its free arguments")
      }
      return lines
    }
    let count = store.statistics().predicates.first { $0.name == name }?.count
    let defining = rules.filter { $0.rule.head.predicate == name }
    guard count != nil || !defining.isEmpty else { return nil }
    var lines: [String] = []
    let labels = [language, language == "zh" ? "en" : "zh"].compactMap { store.label(of: name, language: $0) }
    lines.append(name + (labels.isEmpty ? "" : "  " + labels.joined(separator: " · ")))
    if let count {
      let domain = store.triples(subject: name, predicate: "domain").map { LiteralSyntax.format($0.object) }.joined(separator: ", ")
      let range = store.triples(subject: name, predicate: "range").map { LiteralSyntax.format($0.object) }.joined(separator: ", ")
      lines.append("  stored: \(Format.count(count)) triples" + (domain.isEmpty ? "" : "; \(name)(\(domain), \(range))"))
    }
    for d in store.triples(subject: name, predicate: "description") {
      if case .string(let text, _) = d.object { lines.append("  " + text) }
    }
    for sourced in defining { lines.append("  " + sourced.source.slice(sourced.rule.span) + "    [\(sourced.location)]") }
    return lines
  }
}
