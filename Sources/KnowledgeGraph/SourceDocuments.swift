// The texts behind the citations: a directory of `NNN_*.txt` files (never shipped with the
// project; the user points Xinzhi at their copy), their line counts for `xinzhi check`, and the
// cited lines themselves for `xinzhi source` and `why --passages`. And the documents as the
// store knows them: the entity whose `text_file` is a document's file, with its title.

/// A directory of source documents, `NNN_*.txt`, each known by its three-digit prefix.
public struct SourceDocuments: Sendable {
  /// The directory.
  public var directory: String
  /// File names by document prefix (`"000"` → `"000_b40d7815991080f6.txt"`).
  public private(set) var files: [String: String] = [:]
  /// Line counts by document prefix.
  public private(set) var lineCounts: [String: Int] = [:]
  private var texts: [String: [Substring]] = [:]

  /// Reads the documents of a directory; nil when it holds none (or cannot be read).
  public init?(directory: String) {
    guard let names = TextFile.names(inDirectory: directory) else { return nil }
    self.directory = directory
    for name in names.sorted() {
      let prefix = String(name.prefix(3))
      guard name.hasSuffix(".txt"), prefix.count == 3, prefix.allSatisfy({ $0.isASCII && $0.isNumber }), files[prefix] == nil,
        let text = try? TextFile.read(directory + "/" + name)
      else { continue }
      var lines = TextFile.lines(text)
      if text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
      files[prefix] = name
      lineCounts[prefix] = lines.count
      texts[prefix] = lines
    }
    if files.isEmpty { return nil }
  }

  /// The cited lines, numbered from 1, or why they cannot be given.
  public func lines(of citation: GraphSchema.Citation) -> Result<[(number: Int, text: String)], DiagnosticError> {
    guard let lines = texts[citation.document] else {
      return .failure(DiagnosticError(
        .noInput, code: "source-missing", "document \(citation.document) is not in `\(directory)`",
        help: "the directory holds \(files.keys.sorted().joined(separator: ", ")); point --sources (or XINZHI_SOURCES) at the directory with NNN_*.txt files"))
    }
    guard citation.lines.upperBound <= lines.count else {
      return .failure(DiagnosticError(
        .data, code: "source-range", "document \(citation.document) has \(lines.count) lines; lines \(citation.lines.lowerBound)–\(citation.lines.upperBound) do not exist"))
    }
    return .success(citation.lines.map { ($0, String(lines[$0 - 1])) })
  }

  /// Where the source documents are: `--sources` (given by the caller), else
  /// `$XINZHI_SOURCES` (or the older `$XINZHI_SEEDS`), else `../shared/seeds` beside the folder
  /// that holds the store (this project's layout).
  public static func directory(option: String?, environment: [String: String], store: String) -> String {
    if let option { return option }
    for name in ["XINZHI_SOURCES", "XINZHI_SEEDS"] {
      if let value = environment[name], !value.isEmpty { return value }
    }
    var parent = store
    while parent.count > 1, parent.hasSuffix("/") { parent.removeLast() }
    if let slash = parent.lastIndex(of: "/") { parent = String(parent[..<slash]) } else { parent = "." }
    return (parent.isEmpty ? "/" : parent) + "/../shared/seeds"
  }

  /// How to tell Xinzhi where the documents are, for messages.
  public static let howToProvide =
    "the papers' texts are not part of Xinzhi; point --sources DIR (or XINZHI_SOURCES=DIR) at a directory holding them as NNN_*.txt (in this project's workspace: ../shared/seeds)"
}

/// A source document as the store describes it.
public struct DocumentEntity: Sendable, Hashable {
  /// The citation prefix (`"000"`).
  public var key: String
  /// The document's entity.
  public var id: String
  /// Its title, in the language asked for when it has one, else in any; nil when the graph
  /// records no title.
  public var title: String?
  /// Whether the graph states that the source does not give a title.
  public var titleUnstated: Bool
}

extension GraphStore {
  /// The predicate naming a document's text file, and the one recording details a source does
  /// not state.
  public static let textFilePredicate = "text_file", unstatedPredicate = "unstated", titlePredicate = "title"

  /// The documents the store knows by their text files, by citation prefix.
  public func documents(language: String = "zh") -> [String: DocumentEntity] {
    var result: [String: DocumentEntity] = [:]
    for t in triples(predicate: GraphStore.textFilePredicate) {
      guard case .string(let file, _) = t.object else { continue }
      let key = String(file.prefix(3))
      guard key.count == 3, key.allSatisfy({ $0.isASCII && $0.isNumber }), result[key] == nil else { continue }
      var titles: [(text: String, language: String?)] = []
      for title in triples(subject: t.subject, predicate: GraphStore.titlePredicate) {
        if case .string(let text, let tag) = title.object { titles.append((text, tag)) }
      }
      let title = titles.first { $0.language == language }?.text ?? titles.first?.text
      let unstated = contains(Triple(t.subject, GraphStore.unstatedPredicate, .entity(GraphStore.titlePredicate)))
      result[key] = DocumentEntity(key: key, id: t.subject, title: title, titleUnstated: unstated)
    }
    return result
  }

  /// A citation followed by the title of its document, when the store knows it:
  /// `000:L164-L166 《Financial system serving …》`.
  public func describe(citation text: String, documents: [String: DocumentEntity]) -> String {
    guard let citation = GraphSchema.Citation(text), let document = documents[citation.document] else { return text }
    if let title = document.title { return "\(text) 《\(title)》" }
    return document.titleUnstated ? "\(text) (\(document.id), whose text states no title)" : "\(text) (\(document.id))"
  }
}
