// `xinzhi find TEXT`, `xinzhi show ENTITY` and `xinzhi source CITATION...`, and the REPL's
// `.find`, `.show` and `.source`: finding entities by name, seeing everything about one, and
// reading the passages the facts cite.

import Diagnostics
import KnowledgeGraph

enum EntityCommands {
  static let languageOption = OptionSpec(name: "lang", value: "zh|en", help: "the language of labels and headings (default zh)")
  static let sourcesOption = OptionSpec(
    name: "sources", value: "DIR",
    help: "the source documents NNN_*.txt (default: $XINZHI_SOURCES, else ../shared/seeds beside the store's folder)")

  static func language(_ context: CommandContext) throws(DiagnosticError) -> String {
    let language = context.arguments.value("lang") ?? "zh"
    guard language == "zh" || language == "en" else {
      throw DiagnosticError(.usage, code: "usage", "--lang takes `zh` or `en`, found `\(language)`")
    }
    return language
  }

  /// The source documents for a store: from `option`, the environment or the default place;
  /// an error saying how to provide them when there are none.
  static func documents(option: String?, environment: [String: String], store: GraphStore) throws(DiagnosticError) -> SourceDocuments {
    let directory = SourceDocuments.directory(option: option, environment: environment, store: store.directory)
    guard let documents = SourceDocuments(directory: directory) else {
      throw DiagnosticError(.noInput, code: "sources-missing", "no source documents (NNN_*.txt) in `\(directory)`", help: SourceDocuments.howToProvide)
    }
    return documents
  }

  /// The lines `find` prints.
  static func findLines(_ text: String, store: GraphStore, language: String, limit: Int?, style: Style) -> [String] {
    let matches = store.search(text, limit: limit)
    guard !matches.isEmpty else { return ["(nothing matches `\(TerminalText.visible(text))`)"] }
    return EntityViews.matches(matches, language).render(style: style) + ["(\(matches.count) match\(matches.count == 1 ? "" : "es"))"]
  }

  /// `xinzhi find TEXT`.
  static func find(_ context: CommandContext) throws -> Int32 {
    let store = try context.openStore()
    let language = try language(context)
    var limit: Int? = 20
    if let text = context.arguments.value("limit") {
      guard let n = Int(text), n >= 0 else { throw DiagnosticError(.usage, code: "usage", "--limit takes a number (0: all), found `\(text)`") }
      limit = n == 0 ? nil : n
    }
    let text = context.arguments.positionals.joined(separator: " ")
    for line in findLines(text, store: store, language: language, limit: limit, style: context.style) { context.console.print(line) }
    return 0
  }

  /// `xinzhi show ENTITY`.
  static func show(_ context: CommandContext) throws -> Int32 {
    let store = try context.openStore()
    let language = try language(context)
    let id = try EntityViews.resolve(context.arguments.positionals.joined(separator: " "), store, language)
    for line in EntityViews.profile(store.profile(of: id), store, language) { context.console.print(line) }
    return 0
  }

  /// The lines of `source`: each citation's passage.
  static func sourceLines(_ citations: [String], documents: SourceDocuments, store: GraphStore, language: String) throws(DiagnosticError) -> [String] {
    var lines: [String] = []
    let known = store.documents(language: language)
    for (k, text) in citations.enumerated() {
      guard let citation = GraphSchema.Citation(text) else {
        throw DiagnosticError(.usage, code: "usage", "`\(text)` is not a citation; write NNN:La-Lb, such as 000:L164-L166")
      }
      if k > 0 { lines.append("") }
      switch EntityViews.passage(citation, text: text, documents, store: store, known: known) {
      case .success(let passage): lines += passage
      case .failure(let error): throw error
      }
    }
    return lines
  }

  /// `xinzhi source CITATION...`.
  static func source(_ context: CommandContext) throws -> Int32 {
    let store = try context.openStore()
    let documents = try documents(option: context.arguments.value("sources"), environment: context.environment, store: store)
    for line in try sourceLines(context.arguments.positionals, documents: documents, store: store, language: try language(context)) {
      context.console.print(line)
    }
    return 0
  }

  /// The text of `why` with each stored fact's cited documents named by title, and, when the
  /// documents are given, the cited lines under it.
  static func why(_ session: QuerySession, _ text: String, name: String, documents: SourceDocuments?, language: String) throws(DiagnosticError) -> String {
    let tree = try session.derivation(text, name: name)
    let store = session.store
    let known = store.documents(language: language)
    return tree.render { source in
      guard let citation = GraphSchema.Citation(source) else { return [] }
      var lines = [store.describe(citation: source, documents: known)]
      if let documents, case .success(let passage) = EntityViews.passage(citation, text: source, documents, store: store, known: known) {
        lines = passage
      }
      return lines
    }
  }
}
