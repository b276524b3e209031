// Everything the store says about one entity, gathered for `xinzhi show`: its names, types and
// descriptions, every fact from it and to it with the citations of the transactions that
// asserted it, and the measures (quantities) taken of it.

import GraphModel

/// What the store says about one entity.
public struct EntityProfile: Sendable {
  /// A text with its language tag.
  public struct Text: Sendable, Hashable {
    /// The text.
    public var text: String
    /// Its language tag (`zh`, `en`), nil when it has none.
    public var language: String?
  }

  /// A fact from or to the entity: the predicate, the value at the other end, and the
  /// citations (`000:L164-L166`) of the transactions that asserted it.
  public struct Fact: Sendable, Hashable {
    /// The predicate.
    public var predicate: String
    /// The value at the other end: the object of an outgoing fact, the subject of an incoming one.
    public var value: Value
    /// The `source` of each transaction that asserted the fact.
    public var citations: [String]
  }

  /// A measure of the entity: a quantity entity with `of(measure, entity)` and its details.
  public struct Measure: Sendable, Hashable {
    /// The measure node's id.
    public var id: String
    /// The measure's own facts other than `of`, `type`, labels and descriptions (quantity,
    /// value, unit, year or date, scope...), in predicate order.
    public var details: [Fact]
    /// The citations of its `of` fact.
    public var citations: [String]
  }

  /// The entity's id.
  public var id: String
  /// Its labels, one per language as stored.
  public var labels: [Text] = []
  /// Its other names (`alias` facts).
  public var aliases: [Text] = []
  /// Its descriptions (one per paper that describes it, in the shipped graph).
  public var descriptions: [Text] = []
  /// Its direct types.
  public var types: [String] = []
  /// The tops of its types' class hierarchy (the classes directly under `entity`).
  public var coreTypes: [String] = []
  /// Facts about it (it is the subject), by predicate then value; names and types left out.
  public var outgoing: [Fact] = []
  /// Facts naming it (it is the object), by predicate then subject; measures left out.
  public var incoming: [Fact] = []
  /// The measures of it (`of(measure, entity)`), each with its details.
  public var measures: [Measure] = []
}

extension GraphStore {
  /// Predicates a profile shows in its header rather than among the facts.
  static let profileHeaderPredicates: Set<String> = [GraphSchema.label, "alias", "description", GraphSchema.type]
  /// The predicate tying a measure to what it measures.
  public static let measureOfPredicate = "of"

  /// The citations of a stored fact: the `source` of each transaction that asserted it.
  public func citations(of triple: Triple) -> [String] {
    var result: [String] = []
    for info in provenance(of: triple) {
      for (key, value) in info.metadata where key == "source" && !result.contains(value) { result.append(value) }
    }
    return result
  }

  /// Everything the store says about an entity (see ``EntityProfile``).
  public func profile(of id: String) -> EntityProfile {
    var profile = EntityProfile(id: id)
    let hierarchy = classHierarchy()
    profile.types = (hierarchy.types[id] ?? []).sorted()
    profile.coreTypes = hierarchy.coreTypes(of: id)
    for t in triples(subject: id) {
      switch (t.predicate, t.object) {
      case (GraphSchema.label, .string(let text, let language)): profile.labels.append(.init(text: text, language: language))
      case ("alias", .string(let text, let language)): profile.aliases.append(.init(text: text, language: language))
      case ("description", .string(let text, let language)): profile.descriptions.append(.init(text: text, language: language))
      case (GraphSchema.type, _): break
      default: profile.outgoing.append(.init(predicate: t.predicate, value: t.object, citations: citations(of: t)))
      }
    }
    for t in triples(object: .entity(id)) {
      if t.predicate == GraphStore.measureOfPredicate, hierarchy.classes(of: t.subject).contains("measure") {
        let details = triples(subject: t.subject).filter {
          $0.predicate != GraphStore.measureOfPredicate && !GraphStore.profileHeaderPredicates.contains($0.predicate)
        }.map { EntityProfile.Fact(predicate: $0.predicate, value: $0.object, citations: citations(of: $0)) }
        profile.measures.append(.init(id: t.subject, details: details, citations: citations(of: t)))
      } else {
        profile.incoming.append(.init(predicate: t.predicate, value: .entity(t.subject), citations: citations(of: t)))
      }
    }
    func order(_ a: EntityProfile.Fact, _ b: EntityProfile.Fact) -> Bool {
      a.predicate != b.predicate ? a.predicate < b.predicate : Value.compare(a.value, b.value) < 0
    }
    profile.outgoing.sort(by: order)
    profile.incoming.sort(by: order)
    profile.measures.sort { $0.id < $1.id }
    return profile
  }
}
