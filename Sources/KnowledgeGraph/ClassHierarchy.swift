// The classes of the graph as the store states them: each entity's direct types, each class's
// superclasses through `subclass_of` (transitively), and an entity's core type (the top of its
// class hierarchy). Read once from the store; pictures, profiles and search results use it.

/// Types and superclasses read from the store.
struct ClassHierarchy {
  /// Direct superclasses of each class.
  private(set) var parents: [String: [String]] = [:]
  /// Superclasses of each class (transitive, including itself).
  private(set) var ancestors: [String: Set<String>] = [:]
  /// Direct types of each entity.
  private(set) var types: [String: [String]] = [:]
  /// The entities of each class, through subclass_of.
  private(set) var instances: [String: Set<String>] = [:]

  /// The core types in the order used when an entity has several (then by name): those
  /// pictures draw with a curated style, in that order.
  static let preferredCores = GraphPicture.coreStyles.map(\.0)

  init(store: GraphStore) {
    for t in store.triples(predicate: GraphSchema.subclassOf) {
      if case .entity(let object) = t.object { parents[t.subject, default: []].append(object) }
    }
    for t in store.triples(predicate: GraphSchema.type) {
      if case .entity(let object) = t.object { types[t.subject, default: []].append(object) }
    }
    for c in Set(parents.keys).union(types.values.joined()) {
      var seen: Set<String> = [c]
      var stack = [c]
      while let next = stack.popLast() {
        for p in parents[next] ?? [] where seen.insert(p).inserted { stack.append(p) }
      }
      ancestors[c] = seen
    }
    for entity in types.keys {
      for c in classes(of: entity) { instances[c, default: []].insert(entity) }
    }
  }

  /// All classes an entity belongs to, through subclass_of.
  func classes(of entity: String) -> Set<String> {
    var result = Set<String>()
    for t in types[entity] ?? [] { result.formUnion(ancestors[t] ?? [t]) }
    return result
  }

  /// The entity's core types: the tops of its class hierarchy below `entity` (classes with no
  /// superclass but `entity`, the widest class), in the preferred order, then by name.
  func coreTypes(of entity: String) -> [String] {
    let widest = GraphSchema.entityClass
    let roots = classes(of: entity).filter { $0 != widest && (parents[$0] ?? []).allSatisfy { $0 == widest } }
    let preferred = ClassHierarchy.preferredCores.filter { roots.contains($0) }
    return preferred + roots.subtracting(preferred).sorted()
  }

  /// The entity's core type: the first of ``coreTypes(of:)``.
  func coreType(of entity: String) -> String? {
    coreTypes(of: entity).first
  }
}
