// `xinzhi check`: the knowledge graph's own rules, checked against the store. The schema is
// data in the graph (each predicate declares its domain and range), so the check reads it from
// the same triples it checks. Every violation points at the log line that asserted the fact.

import GraphModel
import TripleLog

/// What ``GraphStore/check(seeds:)`` found.
public struct GraphCheckReport: Sendable {
  /// Violations, in log order; each names a log line.
  public var problems: [Diagnostic]
  /// Facts checked.
  public var facts = 0
  /// Entities checked (subjects and entity objects).
  public var entities = 0
  /// Predicates in use.
  public var predicates = 0
  /// Distinct citations checked against the source documents (0 when skipped).
  public var citationsChecked = 0
  /// Why the citation check was skipped, if it was.
  public var citationsSkipped: String?

  /// Whether there are no errors.
  public var isClean: Bool { !problems.contains { $0.severity == .error } }
}

/// The vocabulary `xinzhi check` relies on (declared in the graph's `vocabulary` transactions).
public enum GraphSchema {
  /// The class of classes.
  public static let classClass = "class"
  /// The class of predicates.
  public static let predicateClass = "predicate"
  /// The schema's predicates.
  public static let type = "type", subclassOf = "subclass_of", label = "label", domain = "domain", range = "range"
  /// Literal kinds a range may name, besides classes; `entity` is any entity.
  public static let literalKinds: Set<String> = ["entity", "string", "integer", "decimal", "number", "date", "boolean"]
  /// The values of the `claim` metadata.
  public static let claimKinds: Set<String> = ["historical", "current", "recommendation", "vocabulary", "background"]
  /// The source of schema transactions, which cite no document.
  public static let vocabularySource = "vocabulary"
  /// The source of general knowledge no document states (where a city is), kept apart from
  /// what the documents say so that a reader can leave it out.
  public static let backgroundSource = "background"
  /// The widest class: every other class reaches it through `subclass_of`.
  public static let entityClass = "entity"
  /// The class of measure nodes and the predicates that qualify a measure (graph/README.md,
  /// "Modelling rules"): its subject, quantity kind and unit are required; two measures that
  /// agree on subject, kind, time, scope and qualifiers must be marked `conflicts_with`.
  public static let measureClass = "measure"
  /// The predicates every measure must have: its subject, quantity kind and unit.
  public static let measureRequired = ["of", "quantity", "unit"]
  /// The predicates that give a measure's time.
  public static let measureTime = ["year", "date", "start_year", "end_year"]
  /// The predicates that tell two measures of one subject, kind and time apart.
  public static let measureQualifiers = ["scope", "qualifier"]
  /// The predicate marking two measures that cannot both be right.
  public static let conflictsWith = "conflicts_with"

  /// A citation `NNN:La-Lb` (or `NNN:La`): document id and line range.
  public struct Citation: Hashable, Sendable {
    /// The three-digit document id.
    public var document: String
    /// First and last line, 1-based.
    public var lines: ClosedRange<Int>

    /// Parses `000:L146-L152` or `000:L146`; nil when the text is not a citation.
    public init?(_ text: String) {
      let parts = text.split(separator: ":", maxSplits: 1)
      guard parts.count == 2, parts[0].count == 3, parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber) else { return nil }
      let range = parts[1].split(separator: "-", omittingEmptySubsequences: false)
      guard range.count == 1 || range.count == 2 else { return nil }
      var bounds: [Int] = []
      for bound in range {
        guard bound.first == "L", let n = Int(bound.dropFirst()), n >= 1 else { return nil }
        bounds.append(n)
      }
      guard let first = bounds.first, let last = bounds.last, first <= last else { return nil }
      document = String(parts[0])
      lines = first...last
    }
  }
}

extension GraphStore {
  /// Checks the graph against its schema and provenance rules (see graph/README.md):
  /// every predicate in use is declared with one domain and one range; types name declared
  /// classes and subclass_of has no cycle; every entity has a type and a zh and an en label;
  /// every fact's subject and object fit the predicate's domain and range; every fact was
  /// asserted by a transaction citing a document line range (or `vocabulary`) with a claim
  /// kind; and, when the source documents are at hand, every cited range exists.
  ///
  /// - Parameter seeds: The directory holding the source documents (`NNN_*.txt`); nil or a
  ///   missing directory skips the line-range check (the report says so).
  /// - Throws: `DiagnosticError` when the log cannot be read.
  public func check(seeds: String?) throws(DiagnosticError) -> GraphCheckReport {
    var report = GraphCheckReport(problems: [])
    let logBytes = try log.readAll()
    let logLines = TextFile.lines(String(decoding: logBytes, as: UTF8.self))
    func location(_ line: Int?) -> SourceLocation? {
      guard let line else { return nil }
      let text = line - 1 < logLines.count ? String(logLines[line - 1]) : nil
      return SourceLocation(file: logPath, line: line, column: 1, lineText: text, length: text?.count ?? 1)
    }
    func problem(_ code: String, _ message: String, line: Int?, help: String? = nil) {
      report.problems.append(Diagnostic(.error, .data, code: code, message, at: location(line), help: help))
    }

    // Where each held fact was (last) asserted, and each entity first appears; citations by line;
    // the source and claim kind of every transaction.
    var factLine: [Triple: Int] = [:]
    var entityLine: [String: Int] = [:]
    var predicateLine: [String: Int] = [:]
    var citations: [(GraphSchema.Citation, Int)] = []
    try forEachTransaction(inLog: logBytes) { transaction, line in
      let source = transaction.info.source ?? ""
      let asserts = transaction.operations.contains { $0.action == .assert }
      if let citation = GraphSchema.Citation(source) {
        citations.append((citation, line))
      } else if asserts && source != GraphSchema.vocabularySource && source != GraphSchema.backgroundSource {
        problem(
          "provenance", "transaction \(transaction.number) cites `\(source)`, not a document line range", line: line,
          help: "a source is `NNN:La-Lb` (document id, first and last line, La ≤ Lb), `vocabulary` for schema blocks, or `background` for general knowledge no document states")
      }
      if asserts {
        let claim = transaction.info.metadata("claim")
        if claim.map({ !GraphSchema.claimKinds.contains($0) }) ?? true {
          problem(
            "claim", claim.map { "transaction \(transaction.number) has claim `\($0)`, which is not a claim kind" } ?? "transaction \(transaction.number) does not say what kind of claim its facts are", line: line,
            help: "give it a claim: \(GraphSchema.claimKinds.sorted().joined(separator: ", ")) (`%% claim: ...` in a script, `--meta claim=...` on the command line)")
        }
      }
      let first = line + 1 + transaction.info.metadata.count
      for (i, operation) in transaction.operations.enumerated() where operation.action == .assert {
        let t = operation.triple
        factLine[t] = first + i
        if entityLine[t.subject] == nil { entityLine[t.subject] = first + i }
        if case .entity(let o) = t.object, entityLine[o] == nil { entityLine[o] = first + i }
        if predicateLine[t.predicate] == nil { predicateLine[t.predicate] = first + i }
      }
    }

    // The schema, read from the graph.
    let all = triples()
    report.facts = all.count
    var types: [String: [String]] = [:]
    var parents: [String: [String]] = [:]
    var labels: [String: Set<String>] = [:]
    var domains: [String: [String]] = [:]
    var ranges: [String: [String]] = [:]
    var entities = Set<String>()
    var used = Set<String>()
    for t in all {
      entities.insert(t.subject)
      if case .entity(let o) = t.object { entities.insert(o) }
      used.insert(t.predicate)
      switch (t.predicate, t.object) {
      case (GraphSchema.type, .entity(let c)): types[t.subject, default: []].append(c)
      case (GraphSchema.subclassOf, .entity(let c)): parents[t.subject, default: []].append(c)
      case (GraphSchema.label, .string(_, let language?)): labels[t.subject, default: []].insert(language)
      case (GraphSchema.domain, .entity(let c)): domains[t.subject, default: []].append(c)
      case (GraphSchema.range, .entity(let c)): ranges[t.subject, default: []].append(c)
      default: break
      }
    }
    report.entities = entities.count
    report.predicates = used.count
    let classes = Set(types.filter { $0.value.contains(GraphSchema.classClass) }.keys)

    // Ancestors of each class (itself included), with cycles reported once.
    var ancestors: [String: Set<String>] = [:]
    var reportedCycle = Set<String>()
    func closure(_ c: String) -> Set<String> {
      if let known = ancestors[c] { return known }
      var seen: Set<String> = [c]
      var stack = parents[c] ?? []
      while let next = stack.popLast() {
        if next == c, !reportedCycle.contains(c) {
          reportedCycle.insert(c)
          problem("schema-cycle", "class `\(c)` is its own subclass (a subclass_of cycle)", line: factLine[Triple(c, GraphSchema.subclassOf, .entity(parents[c]?.first ?? c))])
        }
        if seen.insert(next).inserted { stack += parents[next] ?? [] }
      }
      ancestors[c] = seen
      return seen
    }
    func isInstance(_ entity: String, of c: String) -> Bool {
      (types[entity] ?? []).contains { closure($0).contains(c) }
    }

    for (child, list) in parents.sorted(by: { $0.key < $1.key }) {
      for parent in list {
        let line = factLine[Triple(child, GraphSchema.subclassOf, .entity(parent))]
        for c in [child, parent] where !classes.contains(c) {
          problem("schema-class", "`\(c)` is used in subclass_of but is not declared a class", line: line, help: "add `type(\(c), class).` in a vocabulary block")
        }
      }
      _ = closure(child)
    }
    for (entity, list) in types.sorted(by: { $0.key < $1.key }) {
      for c in list where !classes.contains(c) {
        problem("schema-class", "`\(entity)` has type `\(c)`, which is not declared a class", line: factLine[Triple(entity, GraphSchema.type, .entity(c))], help: "declare it with `type(\(c), class).` or use a declared class")
      }
    }
    for p in used.sorted() {
      let line = predicateLine[p]
      guard (types[p] ?? []).contains(GraphSchema.predicateClass) else {
        problem("schema-predicate", "predicate `\(p)` is used but not declared", line: line, help: "declare it in a vocabulary block: `type(\(p), predicate).`, two labels, `domain(\(p), C).` and `range(\(p), R).`")
        continue
      }
      for (name, declared) in [("domain", domains[p] ?? []), ("range", ranges[p] ?? [])] {
        if declared.count != 1 {
          problem("schema-\(name)", "predicate `\(p)` declares \(declared.isEmpty ? "no" : "\(declared.count)") \(name)\(declared.count > 1 ? "s: " + declared.sorted().joined(separator: ", ") : "")", line: factLine[Triple(p, GraphSchema.type, .entity(GraphSchema.predicateClass))], help: "declare exactly one, a class or one of: \(GraphSchema.literalKinds.sorted().joined(separator: ", "))")
        }
        for c in declared where !classes.contains(c) && !GraphSchema.literalKinds.contains(c) {
          problem("schema-\(name)", "the \(name) of `\(p)` is `\(c)`, which is neither a declared class nor a literal kind", line: factLine[Triple(p, name, .entity(c))])
        }
      }
    }

    // Entities: a type and both labels.
    for entity in entities.sorted() {
      let line = entityLine[entity]
      if (types[entity] ?? []).isEmpty {
        problem("entity-type", "`\(entity)` has no type", line: line, help: "add `type(\(entity), C).` with a declared class")
      }
      let languages = labels[entity] ?? []
      let missing = ["zh", "en"].filter { !languages.contains($0) }
      if !missing.isEmpty {
        problem("entity-label", "`\(entity)` has no \(missing.map { "@\($0)" }.joined(separator: " and ")) label", line: line, help: "every entity needs `label(\(entity), \"...\"@zh).` and `label(\(entity), \"...\"@en).`")
      }
    }

    // Facts: domain and range; provenance and claim kind.
    func describeTypes(_ entity: String) -> String {
      let list = (types[entity] ?? []).sorted()
      return list.isEmpty ? "no type" : "type\(list.count == 1 ? "" : "s") " + list.joined(separator: ", ")
    }
    func fits(_ value: Value, _ kind: String) -> Bool {
      switch (kind, value) {
      case ("entity", .entity): return true
      case ("string", .string): return true
      case ("integer", .integer): return true
      case ("decimal", .decimal): return true
      case ("number", .integer), ("number", .decimal): return true
      case ("date", .date): return true
      case ("boolean", .boolean): return true
      case (_, .entity(let e)): return !GraphSchema.literalKinds.contains(kind) && isInstance(e, of: kind)
      default: return false
      }
    }
    // Every class reaches `entity`, the widest class, so `type(X, entity)` holds for every
    // entity; the literal kinds and the meta classes stand apart.
    let apart = GraphSchema.literalKinds.union([GraphSchema.classClass, GraphSchema.predicateClass])
    if classes.contains(GraphSchema.entityClass) {
      for c in classes.sorted() where !apart.contains(c) && !closure(c).contains(GraphSchema.entityClass) {
        problem(
          "class-root", "class `\(c)` does not reach `entity` through subclass_of", line: factLine[Triple(c, GraphSchema.type, .entity(GraphSchema.classClass))],
          help: "give it a parent: `subclass_of(\(c), C).` with C a core class (or `entity` for a core class)")
      }
    }
    // Every predicate has a one-line definition in Chinese and in English.
    var definitions: [String: Set<String>] = [:]
    for t in all where t.predicate == "description" {
      if case .string(_, let language?) = t.object { definitions[t.subject, default: []].insert(language) }
    }
    for p in used.sorted() where (types[p] ?? []).contains(GraphSchema.predicateClass) {
      let missing = ["zh", "en"].filter { !(definitions[p] ?? []).contains($0) }
      if !missing.isEmpty {
        problem(
          "schema-definition", "predicate `\(p)` has no definition in \(missing.map { "@\($0)" }.joined(separator: " and "))", line: factLine[Triple(p, GraphSchema.type, .entity(GraphSchema.predicateClass))],
          help: "add `description(\(p), \"...\"@\(missing[0])).`: one line saying what the predicate means")
      }
    }
    checkMeasures(all, isInstance: isInstance, factLine: factLine, problem: problem)
    for warning in descriptionLinkWarnings(all, types: types, isInstance: isInstance) {
      report.problems.append(Diagnostic(.warning, .data, code: "description-link", warning.message, at: location(factLine[warning.fact]), help: warning.help))
    }

    for t in all {
      let line = factLine[t]
      if let domain = domains[t.predicate], domain.count == 1, domain[0] != "entity", !isInstance(t.subject, of: domain[0]) {
        problem("domain", "`\(t.subject)` is not a `\(domain[0])`, the domain of `\(t.predicate)`", line: line, help: "`\(t.subject)`: \(describeTypes(t.subject)); fix the type, the fact, or the domain")
      }
      if let range = ranges[t.predicate], range.count == 1, !fits(t.object, range[0]) {
        let found: String
        if case .entity(let o) = t.object { found = "`\(o)` (\(describeTypes(o)))" } else { found = "\(t.object.kind.name) `\(t.object)`" }
        problem("range", "the object of `\(t.predicate)` must be \(range[0] == "entity" ? "an entity" : "`\(range[0])`"), found \(found)", line: line)
      }
    }

    // Cited documents: each is a document entity naming its text file, with a title or a
    // statement that the text gives none.
    let described = self.documents()
    var seenDocuments = Set<String>()
    for (citation, line) in citations where seenDocuments.insert(citation.document).inserted {
      guard let document = described[citation.document] else {
        problem(
          "citation-document", "document \(citation.document) is cited, but no entity names its text file", line: line,
          help: "add a document entity with `text_file(doc_\(citation.document), \"\(citation.document)_....txt\").`, its labels and its title (or `unstated(doc_\(citation.document), title).`)")
        continue
      }
      if !isInstance(document.id, of: "document") {
        problem("citation-document", "`\(document.id)`, the entity of document \(citation.document), is not a `document`", line: line)
      }
      if document.title == nil, !document.titleUnstated {
        problem(
          "citation-document", "document \(citation.document) (`\(document.id)`) has no title and no statement that its text gives none", line: line,
          help: "add `title(\(document.id), \"...\"@zh).` or `unstated(\(document.id), title).`")
      }
    }

    // Citations against the documents.
    let documents = seeds.flatMap { SourceDocuments(directory: $0) }
    if let documents {
      var checked = Set<GraphSchema.Citation>()
      for (citation, line) in citations {
        checked.insert(citation)
        guard let count = documents.lineCounts[citation.document] else {
          problem("citation", "document \(citation.document) is not among the source documents in \(documents.directory)", line: line)
          continue
        }
        if citation.lines.upperBound > count {
          problem("citation", "lines \(citation.lines.lowerBound)–\(citation.lines.upperBound) are cited, but document \(citation.document) has \(count) lines", line: line)
        }
      }
      report.citationsChecked = checked.count
    } else {
      report.citationsSkipped = seeds.map { "the source documents were not found in \($0)" } ?? "no directory of source documents was given"
    }
    report.problems = report.problems.enumerated().sorted {
      ($0.element.location?.line ?? 0, $0.offset) < ($1.element.location?.line ?? 0, $1.offset)
    }.map(\.element)
    return report
  }
}

extension GraphStore {
  /// Measures: subject, quantity kind and unit present, one subject each; no two measures that
  /// agree on subject, kind, time, scope and qualifiers unless marked `conflicts_with`.
  func checkMeasures(
    _ all: [Triple], isInstance: (String, String) -> Bool, factLine: [Triple: Int],
    problem: (String, String, Int?, String?) -> Void
  ) {
    var fields: [String: [String: [Value]]] = [:]
    var conflicts = Set<[String]>()
    var typeLine: [String: Int] = [:]
    let wanted = Set(GraphSchema.measureRequired + GraphSchema.measureTime + GraphSchema.measureQualifiers)
    for t in all {
      if wanted.contains(t.predicate) { fields[t.subject, default: [:]][t.predicate, default: []].append(t.object) }
      if t.predicate == GraphSchema.conflictsWith, case .entity(let o) = t.object { conflicts.insert([t.subject, o].sorted()) }
      if t.predicate == GraphSchema.type, case .entity(let c) = t.object, c == GraphSchema.measureClass { typeLine[t.subject] = factLine[t] }
    }
    let measures = Set(fields.keys.filter { isInstance($0, GraphSchema.measureClass) }).union(typeLine.keys.filter { isInstance($0, GraphSchema.measureClass) })
    var byKey: [String: [String]] = [:]
    for m in measures.sorted() {
      let f = fields[m] ?? [:]
      let line = typeLine[m]
      let missing = GraphSchema.measureRequired.filter { (f[$0] ?? []).isEmpty }
      if !missing.isEmpty {
        problem("measure", "measure `\(m)` has no \(missing.map { "`\($0)`" }.joined(separator: ", "))", line, "a measure states what it measures (`of`), its quantity kind (`quantity`) and its `unit`")
      }
      if let subjects = f["of"], subjects.count > 1 {
        problem(
          "measure", "measure `\(m)` measures \(subjects.count) things (\(subjects.map { "`\($0)`" }.sorted().joined(separator: ", ")))", line,
          "a figure for several things together is `of` one node standing for the group (linked to its members with `member_of`), so sums never count it twice")
      }
      func key(_ names: [String]) -> String {
        names.map { name in name + "=" + (f[name] ?? []).map(\.description).sorted().joined(separator: "|") }.joined(separator: ";")
      }
      byKey[key(["of", "quantity"] + GraphSchema.measureTime + GraphSchema.measureQualifiers), default: []].append(m)
    }
    for (_, twins) in byKey.sorted(by: { $0.key < $1.key }) where twins.count > 1 {
      for (i, a) in twins.enumerated() {
        for b in twins[(i + 1)...] where !conflicts.contains([a, b].sorted()) {
          problem(
            "measure-twin", "measures `\(a)` and `\(b)` agree on subject, quantity kind, time, scope and qualifiers: only their labels tell them apart", typeLine[b],
            "give each the quantity kind or `qualifier` that tells them apart (production vs sales), or, if they are two sources' accounts of one figure, link them with `conflicts_with(\(a), \(b)).`")
        }
      }
    }
  }

  /// A description that names another entity (by its label in the same language, at least
  /// three characters of Chinese or two words of English) while no fact links the two: the
  /// claim it makes lives only in prose.
  ///
  /// Only named things are looked for (not `concept`s: a description that says "productive
  /// forces" uses a word, it does not make a claim about an entity).
  func descriptionLinkWarnings(_ all: [Triple], types: [String: [String]], isInstance: (String, String) -> Bool) -> [(fact: Triple, message: String, help: String)] {
    var linked = Set<[String]>()
    var labelsByLanguage: [String: [(text: [UInt8], entity: String)]] = [:]
    var skip = Set<String>()  // classes, predicates and units are vocabulary, not claims
    for (entity, list) in types where list.contains(where: { $0 == GraphSchema.classClass || $0 == GraphSchema.predicateClass || $0 == "unit" || $0 == "quantity_kind" }) {
      skip.insert(entity)
    }
    for t in all {
      if case .entity(let o) = t.object { linked.insert([t.subject, o].sorted()) }
      guard t.predicate == GraphSchema.label, case .string(let text, let language?) = t.object, !skip.contains(t.subject), !isInstance(t.subject, "concept") else { continue }
      let long = language == "zh" ? text.count >= 3 : text.split(separator: " ").count >= 2
      if long { labelsByLanguage[language, default: []].append((Array(text.lowercased().utf8), t.subject)) }
    }
    // Candidates by their first two bytes.
    var index: [String: [UInt16: [(text: [UInt8], entity: String)]]] = [:]
    for (language, labels) in labelsByLanguage {
      for label in labels where label.text.count >= 2 {
        index[language, default: [:]][UInt16(label.text[0]) << 8 | UInt16(label.text[1]), default: []].append(label)
      }
    }
    var warnings: [(fact: Triple, message: String, help: String)] = []
    var seen = Set<[String]>()
    for t in all where t.predicate == "description" && !skip.contains(t.subject) {
      guard case .string(let text, let language?) = t.object, let table = index[language] else { continue }
      let bytes = Array(text.lowercased().utf8)
      guard bytes.count >= 2 else { continue }
      for start in 0..<(bytes.count - 1) {
        // A match starts at a character (and, in English, at a word).
        if bytes[start] & 0xC0 == 0x80 { continue }
        if language != "zh", start > 0, bytes[start - 1] != UInt8(ascii: " "), bytes[start - 1] != UInt8(ascii: "(") { continue }
        guard let candidates = table[UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1])] else { continue }
        for label in candidates where label.entity != t.subject && start + label.text.count <= bytes.count {
          guard bytes[start..<(start + label.text.count)].elementsEqual(label.text) else { continue }
          if language != "zh", start + label.text.count < bytes.count {
            let next = bytes[start + label.text.count]
            if (next >= UInt8(ascii: "a") && next <= UInt8(ascii: "z")) || (next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9")) { continue }
          }
          let pair = [t.subject, label.entity].sorted()
          guard !linked.contains(pair), seen.insert([t.subject, label.entity]).inserted else { continue }
          warnings.append((
            t, "the description of `\(t.subject)` names `\(label.entity)` (\"\(String(decoding: label.text, as: UTF8.self))\"), but no fact links the two",
            "state the claim as a fact with its citation (the description is for people), or reword the description"))
        }
      }
    }
    return warnings
  }
}
