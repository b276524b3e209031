// Pictures of the graph in Graphviz DOT: which entities and facts to draw (the whole graph,
// chosen types or predicates, a neighbourhood, a query's answers), how each entity looks (its
// core type: the top of its class hierarchy), clusters, a legend; and derivation trees.

import Diagnostics
import GraphExport
import GraphModel
import QueryEngine
import QueryLanguage

/// What `xinzhi export --format dot` draws, and how.
public struct GraphPicture: Sendable {
  /// Which edges a query's picture shows.
  public enum QueryEdges: String, Sendable, CaseIterable {
    /// The stored facts among the entities of the answers.
    case answer
    /// The stored facts between entities of the same answer (row): fewer crossings when the
    /// answers are chains.
    case row
    /// The stored facts that the query's body atoms matched, for each answer.
    case matched
  }

  /// How nodes are grouped.
  public enum Clustering: String, Sendable, CaseIterable {
    /// One box per core type.
    case type
    /// One box per industrial revolution, with the entities nearest to it (within two steps,
    /// and nearer to it than to any other revolution).
    case revolution
    /// For a query's picture: one column per answer variable, in the query's order, each
    /// entity in the first column it appears in.
    case column
    /// No boxes.
    case none
  }

  /// How literal values (numbers, dates, texts) appear.
  public enum Literals: String, Sendable, CaseIterable {
    /// As rows inside the entity's node.
    case details
    /// As small nodes of their own, joined by an edge labelled with the predicate.
    case nodes
    /// Not at all.
    case none
  }

  /// Draw only entities of these classes (or their subclasses); empty: all.
  public var types: [String] = []
  /// Draw only facts of these predicates; empty: all but the vocabulary ones
  /// (``defaultHiddenPredicates``).
  public var predicates: [String] = []
  /// Draw the neighbourhood of this entity.
  public var around: String?
  /// How many steps the neighbourhood reaches.
  public var depth = 1
  /// Draw these answers' entities (see ``queryEdges``).
  public var answers: [QueryResult]?
  /// Which facts a query's picture shows.
  public var queryEdges = QueryEdges.answer
  /// How nodes are grouped.
  public var clustering = Clustering.type
  /// The language of labels (the other language, then the id, when missing).
  public var language = "zh"
  /// How literal values appear.
  public var literals = Literals.details
  /// The most entities drawn; more is an error that suggests filters (0: no limit).
  public var maxNodes = 300
  /// The picture's title (default: the query, the neighbourhood, or `xinzhi`).
  public var title: String?

  /// Predicates not drawn as edges unless asked for: the vocabulary (types and labels are shown
  /// as node shapes and titles) and document mentions, which tie nearly everything to a paper.
  public static let defaultHiddenPredicates: Set<String> = ["type", "subclass_of", "label", "description", "domain", "range", "mentioned_in"]

  /// The core types with a curated look, in the order used when an entity has several.
  static let coreStyles: [(String, DotNodeStyle)] = [
    ("industrial_revolution", DotNodeStyle(shape: "doubleoctagon", fill: "#F4A261", border: "#B5652A")),
    ("instrument", DotNodeStyle(shape: "box", fill: "#A8DADC", border: "#457B9D", extra: "rounded")),
    ("institution", DotNodeStyle(shape: "box", fill: "#FFD166", border: "#B08900")),
    ("industry", DotNodeStyle(shape: "box3d", fill: "#B5E48C", border: "#52796F")),
    ("policy", DotNodeStyle(shape: "note", fill: "#CDB4DB", border: "#6D597A")),
    ("technology", DotNodeStyle(shape: "ellipse", fill: "#90CAF9", border: "#1E6091")),
    ("event", DotNodeStyle(shape: "octagon", fill: "#FFADAD", border: "#A4161A")),
    ("person", DotNodeStyle(shape: "egg", fill: "#FFC8DD", border: "#9D4EDD")),
    ("place", DotNodeStyle(shape: "house", fill: "#E9EDC9", border: "#606C38")),
    ("document", DotNodeStyle(shape: "tab", fill: "#F1F1F1", border: "#6C757D")),
    ("measure", DotNodeStyle(shape: "box", fill: "#FFFFFF", border: "#999999", extra: "dashed")),
    ("concept", DotNodeStyle(shape: "ellipse", fill: "#EDEDE9", border: "#8D99AE")),
  ]
  /// Styles for other core types, by their order among the core types of a picture.
  static let otherStyles: [DotNodeStyle] = [
    DotNodeStyle(shape: "box", fill: "#D8E2DC", border: "#5E6472"),
    DotNodeStyle(shape: "ellipse", fill: "#FFE5D9", border: "#9D8189"),
    DotNodeStyle(shape: "hexagon", fill: "#E2ECE9", border: "#4A6C6F"),
    DotNodeStyle(shape: "parallelogram", fill: "#FDF0D5", border: "#8C6B3F"),
  ]
  static let untypedStyle = DotNodeStyle(shape: "ellipse", fill: "#FFFFFF", border: "#777777", extra: "dashed")
  static let literalStyle = DotNodeStyle(shape: "plaintext", fill: "#FFFFFF", border: "#FFFFFF")

  /// Creates the default picture settings.
  public init() {}
}

extension GraphStore {
  /// The DOT text of a picture of the graph.
  ///
  /// - Throws: `DiagnosticError`: 65 for an unknown entity or class, 64 when the picture
  ///   would have more than `maxNodes` entities (the message suggests filters).
  public func dot(_ picture: GraphPicture) throws(DiagnosticError) -> String {
    try drawing(picture).dot
  }

  /// The DOT text of a picture and the number of entities drawn in it.
  public func drawing(_ picture: GraphPicture) throws(DiagnosticError) -> (dot: String, entities: Int) {
    try PictureBuilder(store: self, picture: picture).build()
  }
}

/// Builds one picture: selection, styles, clusters, legend.
private struct PictureBuilder {
  let store: GraphStore
  let picture: GraphPicture
  let hierarchy: ClassHierarchy
  var ancestors: [String: Set<String>] { hierarchy.ancestors }

  init(store: GraphStore, picture: GraphPicture) {
    self.store = store
    self.picture = picture
    hierarchy = store.classHierarchy()
  }

  /// All classes an entity belongs to, through subclass_of.
  func classes(of entity: String) -> Set<String> { hierarchy.classes(of: entity) }

  /// The entity's core type (see ``ClassHierarchy/coreType(of:)``).
  func coreType(of entity: String) -> String? { hierarchy.coreType(of: entity) }

  func label(_ entity: String) -> String? {
    let other = picture.language == "zh" ? "en" : "zh"
    return store.label(of: entity, language: picture.language) ?? store.label(of: entity, language: other)
  }

  func isHidden(_ predicate: String) -> Bool {
    picture.predicates.isEmpty ? GraphPicture.defaultHiddenPredicates.contains(predicate) : !picture.predicates.contains(predicate)
  }

  func build() throws(DiagnosticError) -> (dot: String, entities: Int) {
    for name in picture.types where ancestors[name] == nil {
      throw unknown("class", name, among: Array(ancestors.keys))
    }
    let wantedTypes = Set(picture.types)
    func typeAllowed(_ entity: String) -> Bool {
      wantedTypes.isEmpty || !classes(of: entity).isDisjoint(with: wantedTypes)
    }
    // Edges: entity-to-entity facts of shown predicates between allowed entities. The whole
    // graph reads every triple; a neighbourhood or a query reads only its entities' facts.
    func shown(_ t: Triple) -> Bool {
      guard case .entity(let object) = t.object else { return false }
      return !isHidden(t.predicate) && typeAllowed(t.subject) && typeAllowed(object)
    }
    /// The shown facts from the given entities to entities among them.
    func edgesAmong(_ nodes: Set<String>) -> [Triple] {
      nodes.flatMap { store.triples(subject: $0).filter { shown($0) && nodes.contains($0.object.entityID ?? "") } }
    }
    var edges: [Triple] = []
    var nodes = Set<String>()
    var title = "xinzhi"
    if let answers = picture.answers {
      (nodes, edges) = queryPicture(answers, edges: edgesAmong)
      title = answers.map { $0.query.source.slice($0.query.query.span) }.joined(separator: " ")
    } else if let center = picture.around {
      guard store.entityNames().contains(center) else {
        throw unknown("entity", center, among: store.entityNames())
      }
      nodes = [center]
      var frontier = [center]
      for _ in 0..<max(0, picture.depth) {
        var next: [String] = []
        for n in frontier {
          for t in store.triples(subject: n) + store.triples(object: .entity(n)) where shown(t) {
            for m in [t.subject, t.object.entityID ?? t.subject] where nodes.insert(m).inserted { next.append(m) }
          }
        }
        frontier = next
      }
      edges = edgesAmong(nodes)
      title = "\(center) (\(picture.depth) step\(picture.depth == 1 ? "" : "s"))"
    } else {
      edges = store.triples().filter(shown)
      for t in edges {
        nodes.insert(t.subject)
        if let object = t.object.entityID { nodes.insert(object) }
      }
      if !wantedTypes.isEmpty {
        for (entity, _) in hierarchy.types where typeAllowed(entity) && !isVocabulary(entity) { nodes.insert(entity) }
      }
    }
    if picture.clustering == .column, picture.answers == nil {
      throw DiagnosticError(.usage, code: "usage", "--cluster column arranges a query's answers; add --query '...'")
    }
    if picture.maxNodes > 0, nodes.count > picture.maxNodes {
      throw DiagnosticError(
        .usage, code: "picture-too-large",
        "the picture would have \(nodes.count) entities, more than the limit of \(picture.maxNodes); it would be unreadable",
        help: "narrow it with --types CLASS,..., --predicates P,..., --around ENTITY --depth 1, or --query '...'; or raise the limit with --max-nodes N (0: none)")
    }
    return (DotWriter.write(document(title: picture.title ?? title, nodes: nodes.sorted(), edges: edges)), nodes.count)
  }

  func isVocabulary(_ entity: String) -> Bool {
    let c = classes(of: entity)
    return c.contains("class") || c.contains("predicate")
  }

  /// The entities and edges of a query's picture.
  func queryPicture(_ answers: [QueryResult], edges among: (Set<String>) -> [Triple]) -> (Set<String>, [Triple]) {
    // What the query is about is drawn too: the entities it names outside the vocabulary
    // (`bank_of_england` in `triple(bank_of_england, P, O)`). A variable in the predicate place of `triple` stands for
    // edges, not nodes: its values label the edges between the other columns' entities.
    var nodes = Set<String>()
    for result in answers {
      var predicateColumns = Set<Int>()
      for literal in result.query.query.body {
        guard case .atom(let atom) = literal else { continue }
        for (position, term) in atom.arguments.enumerated() {
          if atom.predicate == "triple", position == 1 {
            if case .variable(let name, _) = term, let column = result.columns.firstIndex(of: name) { predicateColumns.insert(column) }
            continue
          }
          // Not the classes and names of hidden vocabulary atoms (`type(Y, industrial_revolution)`
          // filters; it is not what the picture is of).
          if !isHidden(atom.predicate), case .constant(.entity(let id), _) = term, store.knowsEntity(id) { nodes.insert(id) }
        }
      }
      for row in result.rows {
        for (column, value) in row.enumerated() where !predicateColumns.contains(column) {
          if let id = value.entityID { nodes.insert(id) }
        }
      }
    }
    switch picture.queryEdges {
    case .answer:
      return (nodes, among(nodes))
    case .row:
      var together = Set<[String]>()
      for result in answers {
        for row in result.rows {
          let ids = row.compactMap(\.entityID)
          for a in ids { for b in ids where a != b { together.insert([a, b]) } }
        }
      }
      return (nodes, among(nodes).filter { together.contains([$0.subject, $0.object.entityID ?? ""]) })
    case .matched:
      var matched = Set<Triple>()
      for result in answers {
        let atoms = result.query.query.body.compactMap { literal -> Atom? in
          if case .atom(let atom) = literal { return atom }
          return nil
        }
        for row in result.rows {
          var bindings: [String: Value] = [:]
          for (name, value) in zip(result.columns, row) { bindings[name] = value }
          for atom in atoms {
            for t in match(atom, bindings) where !(picture.predicates.isEmpty ? false : isHidden(t.predicate)) {
              matched.insert(t)
            }
          }
        }
      }
      var matchedEdges: [Triple] = []
      for t in matched {
        guard let object = t.object.entityID else { continue }
        nodes.insert(t.subject)
        nodes.insert(object)
        matchedEdges.append(t)
      }
      return (nodes, matchedEdges)
    }
  }

  /// The stored triples an atom matches with the answer's bindings (unbound places match anything).
  func match(_ atom: Atom, _ bindings: [String: Value]) -> [Triple] {
    func value(_ term: Term) -> Value? {
      switch term {
      case .constant(let v, _): v
      case .variable(let name, _): bindings[name]
      default: nil
      }
    }
    let values = atom.arguments.map(value)
    if atom.predicate == "triple", values.count == 3 {
      return store.triples(subject: values[0]?.entityID, predicate: values[1]?.entityID, object: values[2])
    }
    guard values.count == 2 else { return [] }
    if let subject = values[0], subject.entityID == nil { return [] }
    return store.triples(subject: values[0]?.entityID, predicate: atom.predicate, object: values[1])
  }

  func document(title: String, nodes: [String], edges: [Triple]) -> DotDocument {
    var document = DotDocument(title: title)
    let zh = picture.language == "zh"
    document.legendTitle = zh ? "图例" : "Legend"
    // Styles: curated for known core types, a palette for the others (in name order).
    let cores = Dictionary(nodes.map { ($0, coreType(of: $0)) }, uniquingKeysWith: { a, _ in a })
    let presentCores = Set(cores.values.compactMap { $0 }).sorted()
    var styles: [String: DotNodeStyle] = Dictionary(GraphPicture.coreStyles, uniquingKeysWith: { a, _ in a })
    var palette = 0
    for core in presentCores where styles[core] == nil {
      styles[core] = GraphPicture.otherStyles[palette % GraphPicture.otherStyles.count]
      palette += 1
    }
    func style(_ entity: String) -> DotNodeStyle {
      cores[entity].flatMap { $0.flatMap { styles[$0] } } ?? GraphPicture.untypedStyle
    }
    // Literal values of each drawn entity.
    var literalFacts: [String: [Triple]] = [:]
    if picture.literals != .none {
      for t in nodes.flatMap({ store.triples(subject: $0) }) where t.object.entityID == nil {
        if t.predicate == "label" || t.predicate == "description" { continue }
        if !picture.predicates.isEmpty, isHidden(t.predicate) { continue }
        literalFacts[t.subject, default: []].append(t)
      }
    }
    for entity in nodes {
      let title = label(entity) ?? entity
      var details: [(key: String, value: String)] = []
      if picture.literals == .details {
        // Field names in the picture's language; a measure's value with its unit.
        let facts = literalFacts[entity] ?? []
        let unit = store.triples(subject: entity, predicate: "unit").first.flatMap { t -> String? in
          guard case .entity(let u) = t.object else { return nil }
          return store.label(of: u, language: picture.language) ?? u
        }
        for t in facts.prefix(8) {
          let key = store.label(of: t.predicate, language: picture.language) ?? t.predicate
          details.append((key, plain(t.object) + (t.predicate == "value" ? unit.map { " " + $0 } ?? "" : "")))
        }
        if facts.count > 8 { details.append(("…", "\(facts.count - 8) more")) }
      }
      var tooltip = entity
      if let core = cores[entity] ?? nil { tooltip += " (\(core))" }
      if let description = store.triples(subject: entity, predicate: "description").first.map({ plain($0.object) }) {
        tooltip += ": " + description
      }
      document.nodes.append(DotNode(id: entity, title: title, subtitle: title == entity ? nil : entity, details: details, style: style(entity), tooltip: tooltip))
    }
    let predicateLabels = Set(edges.map(\.predicate))
    var shownPredicate: [String: String] = [:]
    for p in predicateLabels { shownPredicate[p] = store.label(of: p, language: picture.language) ?? p }
    let clusters = clusters(nodes: nodes, edges: edges, cores: cores)
    // In columns, an edge pointing back to an earlier column is laid out forwards and drawn
    // with its arrow reversed, so it does not loop around the columns in between.
    var column: [String: Int] = [:]
    if picture.clustering == .column {
      for (k, cluster) in clusters.enumerated() { for m in cluster.members { column[m] = k } }
    }
    for t in edges.sorted(by: { ($0.subject, $0.predicate, $0.object.entityID ?? "") < ($1.subject, $1.predicate, $1.object.entityID ?? "") }) {
      guard let object = t.object.entityID else { continue }
      let label = shownPredicate[t.predicate] ?? t.predicate
      if let from = column[t.subject], let to = column[object], from > to {
        document.edges.append(DotEdge(from: object, to: t.subject, label: label, attributes: "dir=back"))
      } else {
        document.edges.append(DotEdge(from: t.subject, to: object, label: label))
      }
    }
    if picture.literals == .nodes {
      var used = Set(nodes)
      for entity in nodes {
        for (k, t) in (literalFacts[entity] ?? []).enumerated() {
          // A value's node id, made unique should an entity have the same name.
          var id = "\(entity) \(t.predicate) #\(k + 1)"
          while !used.insert(id).inserted { id += "'" }
          document.nodes.append(DotNode(id: id, title: plain(t.object), style: GraphPicture.literalStyle))
          document.edges.append(DotEdge(from: entity, to: id, label: shownPredicate[t.predicate] ?? store.label(of: t.predicate, language: picture.language) ?? t.predicate, attributes: "style=dashed"))
        }
      }
    }
    document.clusters = clusters
    for core in presentCores {
      let shown = label(core).map { $0 == core ? core : "\($0) (\(core))" } ?? core
      document.legend.append((styles[core] ?? GraphPicture.untypedStyle, shown))
    }
    if cores.values.contains(where: { $0 == nil }) {
      document.legend.append((GraphPicture.untypedStyle, zh ? "无类型" : "untyped"))
    }
    return document
  }

  func clusters(nodes: [String], edges: [Triple], cores: [String: String?]) -> [DotCluster] {
    switch picture.clustering {
    case .none:
      return []
    case .column:
      guard let answers = picture.answers else { return [] }
      var placed = Set<String>()
      var columns: [(String, [String])] = []
      for result in answers {
        for (k, name) in result.columns.enumerated() {
          var members: [String] = []
          for row in result.rows where k < row.count {
            if let id = row[k].entityID, placed.insert(id).inserted { members.append(id) }
          }
          if let existing = columns.firstIndex(where: { $0.0 == name }) {
            columns[existing].1 += members
          } else if !members.isEmpty {
            columns.append((name, members))
          }
        }
      }
      return columns.map { DotCluster(label: $0.0, members: $0.1.sorted(), sameRank: true) }
    case .type:
      var byCore: [String: [String]] = [:]
      for n in nodes { if let core = cores[n] ?? nil { byCore[core, default: []].append(n) } }
      return byCore.keys.sorted().map { DotCluster(label: label($0) ?? $0, members: byCore[$0] ?? []) }
    case .revolution:
      let revolutions = nodes.filter { classes(of: $0).contains("industrial_revolution") }
      var neighbours: [String: [String]] = [:]
      for t in edges {
        guard let object = t.object.entityID else { continue }
        neighbours[t.subject, default: []].append(object)
        neighbours[object, default: []].append(t.subject)
      }
      // Multi-source breadth-first search, two steps: each entity joins the nearest revolution,
      // unless two are equally near.
      var owner: [String: String?] = [:]
      var distance: [String: Int] = [:]
      for r in revolutions {
        owner[r] = r
        distance[r] = 0
      }
      var frontier = revolutions
      for step in 1...2 {
        var reached: [String: Set<String>] = [:]
        for n in frontier {
          guard let o = owner[n] ?? nil else { continue }
          for m in neighbours[n] ?? [] where distance[m] == nil || distance[m] == step {
            reached[m, default: []].insert(o)
          }
        }
        frontier = []
        for (m, owners) in reached where distance[m] == nil || distance[m] == step {
          distance[m] = step
          owner[m] = owners.count == 1 ? owners.first : .some(nil)
          frontier.append(m)
        }
        frontier.sort()
      }
      return revolutions.map { r in
        DotCluster(label: label(r) ?? r, members: nodes.filter { (owner[$0] ?? nil) == r })
      }
    }
  }

  func plain(_ value: Value) -> String {
    switch value {
    case .string(let s, _): s
    case .entity(let id): id
    case .date(let d): d.isoText
    default: LiteralSyntax.format(value)
    }
  }

  func unknown(_ what: String, _ name: String, among names: [String]) -> DiagnosticError {
    let suggestion = Suggestions.didYouMean(name, in: names)
    return DiagnosticError(.data, code: "unknown-\(what)", "no \(what) `\(name)` in the store", help: suggestion)
  }
}

extension QuerySession {
  /// The derivation of a fact as a DOT picture: facts, the rules that derived them, and the
  /// stored facts at the leaves with their transactions and cited sources.
  public func whyPicture(_ text: String, name: String, language: String = "zh") throws(DiagnosticError) -> String {
    let tree = try derivation(text, name: name)
    guard !tree.nodes.isEmpty else {
      throw DiagnosticError(.data, code: "no-derivation", tree.message ?? "the fact does not hold", help: "only a fact that holds has a derivation to draw")
    }
    let zh = language == "zh"
    var document = DotDocument(title: tree.nodes[0].text)
    document.rankDirection = "TB"
    document.legendTitle = zh ? "图例" : "Legend"
    let derived = DotNodeStyle(shape: "box", fill: "#FFFFFF", border: "#333333", extra: "rounded")
    let stored = DotNodeStyle(shape: "box", fill: "#B5E48C", border: "#52796F")
    let rule = DotNodeStyle(shape: "note", fill: "#FFF3B0", border: "#B08900")
    let condition = DotNodeStyle(shape: "ellipse", fill: "#F1F1F1", border: "#999999", extra: "dashed")
    for (k, node) in tree.nodes.enumerated() {
      let id = "d\(k)"
      switch node.kind {
      case .derivedFact:
        document.nodes.append(DotNode(id: id, title: node.text, subtitle: node.annotation, style: derived))
      case .storedFact:
        let sources = node.provenance.map { (zh ? "事务 " : "tx ") + "\($0.transaction)" + ($0.source.map { " · " + $0 } ?? "") }
        document.nodes.append(DotNode(id: id, title: node.text, subtitle: sources.joined(separator: "\n"), style: stored))
      case .rule:
        document.nodes.append(DotNode(id: id, title: node.text, subtitle: node.annotation, style: rule))
      case .condition:
        document.nodes.append(DotNode(id: id, title: node.text, subtitle: node.annotation, style: condition))
      }
      for child in node.children {
        document.edges.append(DotEdge(from: id, to: "d\(child)"))
      }
    }
    document.legend = [
      (derived, zh ? "推导出的事实" : "derived fact"), (rule, zh ? "规则" : "rule"),
      (stored, zh ? "存储的事实（事务与来源）" : "stored fact (transaction and source)"), (condition, zh ? "成立的条件" : "condition that holds"),
    ]
    return DotWriter.write(document)
  }
}
