// What the shell shows and completes: entity names, predicate names and labels, read from the
// index. Labels are `label(entity, "text"@lang)` facts.

import GraphIndex
import GraphModel
import QueryLanguage

extension GraphStore {
  /// The predicate that gives entities their human-readable names.
  public static let labelPredicate = "label"

  /// An entity's label in a language, or nil; with several, the first in value order.
  public func label(of entity: String, language: String) -> String? {
    for triple in triples(subject: entity, predicate: GraphStore.labelPredicate) {
      if case .string(let text, language?) = triple.object { return text }
    }
    return nil
  }

  /// Every label in the store: entity, text and language tag, in index order.
  public func labels() -> [(entity: String, text: String, language: String?)] {
    triples(predicate: GraphStore.labelPredicate).compactMap { triple in
      guard case .string(let text, let language) = triple.object else { return nil }
      return (triple.subject, text, language)
    }
  }

  /// Every entity the store mentions (as subject, predicate or object), sorted by id.
  public func entityNames() -> [String] {
    let dictionary = graph.dictionary
    var names: [String] = []
    for id in 0..<dictionary.count {
      if case .entity(let name) = dictionary.value(of: TermID(id)) { names.append(name) }
    }
    return names.sorted()
  }
}

extension QuerySession {
  /// Whether typed text needs another line before it can run (its last token is not the
  /// clause-ending `.`); see `Parser.needsMoreInput(_:)`.
  public static func needsMoreInput(_ text: String) -> Bool {
    Parser.needsMoreInput(text)
  }
}
