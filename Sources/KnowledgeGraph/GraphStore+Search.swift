// Finding entities by name and naming them back: `search` over ids, labels, aliases and
// descriptions (GraphSearch's index, built on first use and rebuilt after the store changes),
// and `resolve`, which turns what a user typed (an id, a label, an alias) into one entity or
// the candidates it could mean.

import GraphModel
import GraphSearch

@_exported import enum GraphSearch.SearchField
@_exported import enum GraphSearch.SearchMatch

/// An entity found by ``GraphStore/search(_:limit:)``.
public struct EntityMatch: Sendable, Hashable {
  /// The entity's id.
  public var id: String
  /// Its first label in Chinese, when it has one.
  public var zh: String?
  /// Its first label in English, when it has one.
  public var en: String?
  /// Its core type (the top of its class hierarchy), when it has a type.
  public var coreType: String?
  /// Where the query matched: the id, a label, an alias or a description.
  public var field: SearchField
  /// How it matched (exactly, as a prefix, anywhere).
  public var match: SearchMatch
  /// The text it matched.
  public var text: String
  /// That text's language tag, when it has one.
  public var language: String?
}

/// What a typed name stands for.
public enum NameResolution: Sendable {
  /// One entity: the name is its id, or the exact label or alias of it alone.
  case entity(String)
  /// Several entities have this exact label or alias.
  case ambiguous([EntityMatch])
  /// No entity is called so; the closest matches, best first (perhaps none).
  case unknown([EntityMatch])
}

extension GraphStore {
  /// The predicates whose string objects are searched, and as what.
  public static let searchFields: [(predicate: String, field: SearchField)] = [
    (GraphSchema.label, .label), ("alias", .alias), ("description", .description),
  ]

  /// The store's classes as they are now (read on first use, again after changes): searches,
  /// profiles, pictures and completion all ask for them.
  func classHierarchy() -> ClassHierarchy {
    if let (hierarchy, transaction) = cachedClassHierarchy, transaction == graph.lastTransaction { return hierarchy }
    let hierarchy = ClassHierarchy(store: self)
    cachedClassHierarchy = (hierarchy, graph.lastTransaction)
    return hierarchy
  }

  /// The search index of the store as it is now (built on first use, rebuilt after changes).
  func searchIndex() -> SearchIndex {
    if let (index, transaction) = cachedSearchIndex, transaction == graph.lastTransaction { return index }
    let dictionary = graph.dictionary
    let fields = GraphStore.searchFields.compactMap { entry in
      dictionary.id(of: .entity(entry.predicate)).map { (predicate: $0, field: entry.field) }
    }
    let index = SearchIndex(source: graph, fields: fields)
    cachedSearchIndex = (index, graph.lastTransaction)
    return index
  }

  /// Entities whose id, labels, aliases or descriptions match `text`, best first (exact label
  /// or id, exact alias, label prefix, alias prefix, id prefix, any other match, description;
  /// see `SearchHit.rank`).
  ///
  /// Chinese, Japanese and Korean text matches as a substring; other text case-insensitively,
  /// each word of the query as the start of a word of the text.
  public func search(_ text: String, limit: Int? = 20) -> [EntityMatch] {
    let hits = searchIndex().search(text, limit: limit)
    guard !hits.isEmpty else { return [] }
    let hierarchy = classHierarchy()
    let dictionary = graph.dictionary
    return hits.map { hit in
      let id = dictionary.value(of: hit.entity).entityID ?? dictionary.value(of: hit.entity).description
      return EntityMatch(
        id: id, zh: label(of: id, language: "zh"), en: label(of: id, language: "en"), coreType: hierarchy.coreType(of: id),
        field: hit.field, match: hit.match, text: hit.text, language: hit.language)
    }
  }

  /// Whether the store names an entity with this id (as a subject, predicate or object).
  public func knowsEntity(_ id: String) -> Bool {
    guard let term = graph.dictionary.id(of: .entity(id)) else { return false }
    return graph.count(TriplePattern(s: term)) > 0 || graph.count(TriplePattern(p: term)) > 0 || graph.count(TriplePattern(o: term)) > 0
  }

  /// What a name typed by a user stands for: an entity id; else the one entity whose label is
  /// exactly the name; else the one whose alias is (compared as search normalises text: case,
  /// width and spacing do not matter); else the candidates.
  public func resolve(name: String) -> NameResolution {
    let trimmed = name.trimmingCharacters(in: " \t\n")
    if knowsEntity(trimmed) { return .entity(trimmed) }
    let matches = search(trimmed, limit: 50)
    // An exact label (or id) names its entity before an exact alias does: 科技创新再贷款 is the
    // label of one tool and an alias of another.
    let labels = matches.filter { $0.match == .exact && ($0.field == .label || $0.field == .id) }
    if labels.count == 1 { return .entity(labels[0].id) }
    if labels.count > 1 { return .ambiguous(labels) }
    let aliases = matches.filter { $0.match == .exact && $0.field == .alias }
    if aliases.count == 1 { return .entity(aliases[0].id) }
    if aliases.count > 1 { return .ambiguous(aliases) }
    return .unknown(Array(matches.prefix(8)))
  }
}

/// The store's search as the engine sees it (`search(E, Text)`); it holds the store weakly,
/// since the store's graph holds it.
final class StoreTextSearch: TextSearch {
  weak var store: GraphStore?

  init(store: GraphStore) { self.store = store }

  func entities(matching text: String) -> [TermID] {
    guard let store else { return [] }
    return store.searchIndex().search(text).map(\.entity)
  }
}

extension GraphStore {
  /// The entities of a class, through `subclass_of` (a class is an instance of `class`: the
  /// classes are the instances of `class` and everything with a superclass).
  public func instances(of className: String) -> Set<String> {
    let hierarchy = classHierarchy()
    var result = hierarchy.instances[className] ?? []
    if className == GraphSchema.classClass { result.formUnion(hierarchy.parents.keys) }
    return result
  }

  /// The entity a name stands for, when it stands for exactly one (see ``resolve(name:)``).
  public func resolveID(_ name: String) -> String? {
    if case .entity(let id) = resolve(name: name) { return id }
    return nil
  }
}

extension String {
  /// The string without leading and trailing characters from `set`.
  func trimmingCharacters(in set: String) -> String {
    let characters = Set(set)
    var start = startIndex
    var end = endIndex
    while start < end, characters.contains(self[start]) { start = index(after: start) }
    while end > start, characters.contains(self[index(before: end)]) { end = index(before: end) }
    return String(self[start..<end])
  }
}
