// The commands that create, write and inspect a store: init, assert, retract, stats, log,
// history, verify, import and export.

import Diagnostics
import KnowledgeGraph
import Platform

enum StoreCommands {
  static func initialize(_ context: CommandContext) throws -> Int32 {
    let directory = context.arguments.positionals[0]
    _ = try GraphStore.create(at: directory, options: try context.storeOptions())
    context.console.print("Created an empty store in \(TerminalText.visible(directory)).")
    return 0
  }

  static func write(_ context: CommandContext, retracting: Bool) throws -> Int32 {
    let argument = context.arguments.positionals[0]
    let (text, name) = argument == "-" ? (try context.readStandardInput(), "<stdin>") : (argument, "<arguments>")
    let triples = try FactText.triples(from: text, name: name)
    let store = try context.openStore(writable: true)
    let reported = store.warnings.count
    let verb = retracting ? "retract" : "assert"
    let metadata = try context.transactionMetadata(defaultSource: "xinzhi \(verb)")
    let number = retracting
      ? try store.transact(retracting: triples, metadata: metadata)
      : try store.transact(asserting: triples, metadata: metadata)
    context.report(Array(store.warnings.dropFirst(reported)))
    context.console.print(String(number))
    if context.console.errIsTerminal {
      let noun = triples.count == 1 ? "fact" : "facts"
      context.console.printError("\(triples.count) \(noun) \(retracting ? "retracted" : "asserted") in transaction \(number)")
    }
    return 0
  }

  static func stats(_ context: CommandContext) throws -> Int32 {
    let store = try context.openStore()
    printStatistics(store, context)
    return 0
  }

  static func printStatistics(_ store: GraphStore, _ context: CommandContext) {
    let stats = store.statistics()
    let style = context.style
    var summary = TextTable(headers: ["store", stats.directory + (stats.asOf.map { " (as of transaction \($0))" } ?? "")])
    summary.add(["triples", Format.count(stats.triples)])
    summary.add(["entities", Format.count(stats.entities)])
    summary.add(["predicates", Format.count(stats.predicates.count)])
    summary.add(["transactions", Format.count(stats.transactions)])
    summary.add(["log size", Format.bytes(stats.logBytes)])
    summary.add(["memory", Format.bytes(stats.memoryBytes)])
    summary.add(["open time", Format.duration(stats.openSeconds) + (stats.openedFromCheckpoint ? " (from checkpoint)" : "")])
    for line in summary.render(rule: false, style: style) { context.console.print(line) }
    guard !stats.predicates.isEmpty else { return }
    context.console.print()
    var table = TextTable(headers: ["predicate", "triples"], alignments: [.left, .right])
    for (name, count) in stats.predicates { table.add([name, Format.count(count)]) }
    for line in table.render(style: style) { context.console.print(line) }
  }

  static func log(_ context: CommandContext) throws -> Int32 {
    let store = try context.openStore()
    var since: TxNumber = 1
    if let text = context.arguments.value("since") {
      guard let n = TxNumber(text) else {
        throw DiagnosticError(.usage, code: "usage", "--since takes a transaction number, found `\(text)`")
      }
      since = n
    }
    let style = context.style
    for transaction in try store.transactions(since: since) {
      context.console.print(style.bold("tx \(transaction.number)") + "  " + transaction.info.timestamp)
      for (key, value) in transaction.info.metadata {
        context.console.print("  \(key): \(TerminalText.visible(value))")
      }
      for operation in transaction.operations {
        let sign = operation.action == .assert ? style.green("+") : style.red("-")
        context.console.print("  \(sign) \(TerminalText.visible(operation.triple.description))")
      }
    }
    return 0
  }

  static func history(_ context: CommandContext) throws -> Int32 {
    let store = try context.openStore()
    let entity = context.arguments.positionals[0]
    let entries = try store.history(of: entity)
    if entries.isEmpty {
      context.console.printError("xinzhi: no transaction mentions `\(entity)`")
      return 0
    }
    let style = context.style
    for entry in entries {
      let sign = entry.asserted ? style.green("+") : style.red("-")
      var line = "tx \(entry.transaction.number)  \(entry.transaction.timestamp)  \(sign) \(TerminalText.visible(entry.triple.description))"
      if let source = entry.transaction.source { line += "  " + style.dim("source: " + TerminalText.visible(source)) }
      context.console.print(line)
    }
    return 0
  }

  static func verify(_ context: CommandContext) throws -> Int32 {
    // verify reports the log's problems itself, so opening stays quiet.
    let store = try context.openStore(quiet: true)
    let report = store.verify()
    let summary = "\(Format.count(report.transactions)) transactions, \(Format.count(report.records)) records, \(Format.count(report.triples)) triples"
    context.report(report.problems)
    if report.isClean {
      context.console.print("ok: \(summary); every checksum matches and the index is consistent" + (report.checkedCheckpoint ? ", and so is the checkpoint" : ""))
      return 0
    }
    let errors = report.problems.filter { $0.severity == .error }.count
    context.console.printError("xinzhi: verify found \(errors) error\(errors == 1 ? "" : "s") (\(summary))")
    return 65
  }

  static func check(_ context: CommandContext) throws -> Int32 {
    let store = try context.openStore()
    let seeds = SourceDocuments.directory(
      option: context.arguments.value("sources") ?? context.arguments.value("seeds"), environment: context.environment, store: store.directory)
    let report = try store.check(seeds: seeds)
    context.report(report.problems)
    let citations = report.citationsSkipped.map { "citations not checked: \($0) (use --sources DIR)" }
      ?? "\(Format.count(report.citationsChecked)) cited line ranges checked"
    let warnings = report.problems.filter { $0.severity == .warning }.count
    let errors = report.problems.count - warnings
    let warned = warnings == 0 ? "" : "; \(Format.count(warnings)) warning\(warnings == 1 ? "" : "s")"
    let summary = "\(Format.count(report.facts)) facts, \(Format.count(report.entities)) entities, \(Format.count(report.predicates)) predicates; \(citations)\(warned)"
    if report.isClean {
      context.console.print("ok: \(summary)")
      return 0
    }
    context.console.printError("xinzhi: check found \(Format.count(errors)) problem\(errors == 1 ? "" : "s") (\(summary))")
    return 65
  }

  static func importFile(_ context: CommandContext) throws -> Int32 {
    let path = context.arguments.positionals[0]
    let format: ImportFormat
    let formatName = context.arguments.value("format") ?? (path.lowercased().hasSuffix(".dl") ? "dl" : nil)
    if formatName == "dl" {
      return try importScript(context, path: path)
    }
    let lower = path.lowercased()
    let rdfName = formatName ?? (lower.hasSuffix(".nq") || lower.hasSuffix(".nquads") ? "nq" : lower.hasSuffix(".ttl") || lower.hasSuffix(".turtle") ? "ttl" : lower.hasSuffix(".trig") ? "trig" : nil)
    // N-Triples takes the streamed path, unless a base IRI is given (only the RDF path maps one).
    let given = context.arguments.value("base") != nil
    if let rdfName, rdfName != "nt" || given, let syntax = RDFSyntax(rawValue: rdfName) {
      return try importRDF(context, path: path, syntax: syntax)
    }
    if given, formatName != "nt", ImportFormat.guess(fromPath: path) != .ntriples {
      throw DiagnosticError(.usage, code: "usage", "--base is for RDF (nt, nq, ttl, trig); this import is not RDF")
    }
    if given {
      return try importRDF(context, path: path, syntax: .ntriples)
    }
    if let name = formatName {
      guard let f = ImportFormat(rawValue: name) else {
        throw DiagnosticError(.usage, code: "usage", "unknown import format `\(name)`; use tsv, nt, nq, ttl, trig or dl")
      }
      format = f
    } else {
      guard let f = ImportFormat.guess(fromPath: path) else {
        throw DiagnosticError(.usage, code: "usage", "cannot tell the format of \(quoted(path)) from its name", help: "add --format tsv, nt, nq, ttl, trig or dl")
      }
      format = f
    }
    let store = try context.openStore(writable: true)
    let reported = store.warnings.count
    let metadata = try context.transactionMetadata(defaultSource: "import \(path)")
    let showProgress = context.console.errIsTerminal
    let shown = TerminalText.visible(path)
    var lastShown = -1
    let report = try store.importTriples(from: path, format: format, metadata: metadata) { done, total in
      guard showProgress else { return }
      let percent = total > 0 ? done * 100 / total : -1
      guard percent != lastShown else { return }
      lastShown = percent
      let text = total > 0 ? "importing \(shown): \(percent)% (\(Format.bytes(done)) of \(Format.bytes(total)))" : "importing \(shown): \(Format.bytes(done))"
      context.console.err.write("\r\u{1B}[2K" + text)
      context.console.err.flush()
    }
    if showProgress {
      context.console.err.write("\r\u{1B}[2K")
      context.console.err.flush()
    }
    context.report(Array(store.warnings.dropFirst(reported)))
    var line = "imported \(Format.count(report.triples)) triples from \(Format.count(report.lines)) lines in transaction \(report.transaction) (\(Format.duration(report.seconds)))"
    if report.duplicates > 0 { line += "; \(Format.count(report.duplicates)) duplicate lines skipped" }
    if report.alreadyPresent > 0 { line += "; \(Format.count(report.alreadyPresent)) were already in the store" }
    if report.droppedDatatypes > 0 { line += "; \(Format.count(report.droppedDatatypes)) literals kept as plain strings (unknown datatype)" }
    context.console.print(line)
    return 0
  }

  /// `import FILE.dl`: a transaction script, one transaction per block (its `%%` metadata).
  static func importScript(_ context: CommandContext, path: String) throws -> Int32 {
    for option in ["source", "note"] where context.arguments.value(option) != nil {
      throw DiagnosticError(.usage, code: "usage", "--\(option) does not apply to a transaction script: each block carries its own metadata in `%%` lines")
    }
    let store = try context.openStore(writable: true)
    let reported = store.warnings.count
    let report = try store.importScript(from: path)
    context.report(Array(store.warnings.dropFirst(reported)))
    let count = report.transactions.count
    let numbers = count == 1 ? "transaction \(report.transactions.lowerBound)" : "transactions \(report.transactions.lowerBound)–\(report.transactions.upperBound)"
    context.console.print("imported \(Format.count(report.triples)) facts from \(Format.count(count)) block\(count == 1 ? "" : "s") of \(TerminalText.visible(path)) as \(numbers) (\(Format.duration(report.seconds)))")
    return 0
  }

  /// `import` of Turtle, TriG or N-Quads: one transaction per named graph, with the provenance
  /// the document describes (GraphStore.importRDF).
  static func importRDF(_ context: CommandContext, path: String, syntax: RDFSyntax) throws -> Int32 {
    let base = context.arguments.value("base") ?? RDFMapping.defaultBase
    guard RDFMapping.isAbsoluteIRI(base) else {
      throw DiagnosticError(.usage, code: "usage", "--base takes an absolute IRI such as https://example.org/graph/, found `\(TerminalText.visible(base))`")
    }
    // Only what the user gave: the document's own descriptions carry each graph's source.
    let given = context.arguments.value("source") != nil || context.arguments.value("note") != nil || !(context.arguments.values["meta"] ?? []).isEmpty
    let metadata = given ? try context.transactionMetadata(defaultSource: "import \(path)") : []
    let defaultSource = "import \(path)"
    let store = try context.openStore(writable: true)
    let reported = store.warnings.count
    let started = MonotonicClock.seconds()
    let report = try store.importRDF(from: path, syntax: syntax, base: base, metadata: metadata, defaultSource: defaultSource)
    context.report(Array(store.warnings.dropFirst(reported)))
    guard let numbers = report.transactions else {
      context.console.print("\(TerminalText.visible(path)) holds no statements; nothing was written")
      return 0
    }
    let which = numbers.count == 1 ? "transaction \(numbers.lowerBound)" : "transactions \(numbers.lowerBound)–\(numbers.upperBound)"
    context.console.print("imported \(Format.count(report.facts)) facts from \(Format.count(report.statements)) statements of \(TerminalText.visible(path)) as \(which) (\(Format.duration(MonotonicClock.seconds() - started)))")
    return 0
  }

  static func export(_ context: CommandContext) throws -> Int32 {
    let formatName = context.arguments.value("format") ?? "tsv"
    let store = try context.openStore()
    var text: String?
    let rdf = RDFSyntax(rawValue: formatName)
    let base = context.arguments.value("base") ?? RDFMapping.defaultBase
    if context.arguments.value("base") != nil {
      guard rdf != nil else {
        throw DiagnosticError(.usage, code: "usage", "--base is for RDF formats; add --format nt, nq, ttl or trig")
      }
      guard RDFMapping.isAbsoluteIRI(base) else {
        throw DiagnosticError(.usage, code: "usage", "--base takes an absolute IRI such as https://example.org/graph/, found `\(TerminalText.visible(base))`")
      }
    }
    if formatName == "csv" {
      return try exportCSV(context, store: store)
    }
    if formatName == "dot" {
      text = try store.dot(try picture(context, store: store))
    } else if TripleWriterFormat(rawValue: formatName) == nil && rdf == nil {
      throw DiagnosticError(.usage, code: "usage", "unknown export format `\(formatName)`; use tsv, nt, nq, ttl, trig, csv or dot")
    } else {
      for option in pictureOptionNames where context.arguments.value(option) != nil {
        throw DiagnosticError(.usage, code: "usage", "--\(option) is for pictures; add --format dot")
      }
    }
    try writeOutput(context, store: store) { sink in
      if let text {
        sink.write(text)
        return
      }
      if let rdf {
        store.exportRDF(rdf, base: base) { piece in
          sink.write(piece)
          return sink.failure == nil
        }
        return
      }
      let format = TripleWriterFormat(rawValue: formatName) ?? .tsv
      // Stops at the first failed write (a full disk); the failure is reported when the output closes.
      for triple in store.triples() where sink.failure == nil {
        sink.write(store.exportLine(triple, format: format))
        sink.write("\n")
      }
    }
    return 0
  }

  /// `export --format csv --output DIR`: the two files of the translation's data layout, each
  /// replaced only when complete.
  static func exportCSV(_ context: CommandContext, store: GraphStore) throws -> Int32 {
    guard let directory = context.arguments.value("output") else {
      throw DiagnosticError(.usage, code: "usage", "--format csv writes two files; say where", help: "add --output DIR (a directory, made when missing)")
    }
    for option in pictureOptionNames + ["base"] where context.arguments.value(option) != nil {
      throw DiagnosticError(.usage, code: "usage", "--\(option) is not for --format csv")
    }
    if SystemFile.kind(of: directory) == nil, mkdir(directory, 0o755) != 0 {
      throw DiagnosticError(.cannotCreate, code: "output", "cannot make the directory \(quoted(directory)): \(SystemError.text(errno))")
    }
    guard SystemFile.kind(of: directory) == .directory else {
      throw DiagnosticError(.cannotCreate, code: "output", "cannot write CSV into \(quoted(directory)): it is not a directory", help: "--output names a directory for --format csv")
    }
    let base = directory.hasSuffix("/") ? directory : directory + "/"
    var files: [CSVExportFile: OutputFile] = [:]
    for file in CSVExportFile.allCases {
      files[file] = try OutputFile(base + file.rawValue, mode: .replace, store: store)
    }
    store.exportCSV { file, piece in
      guard let output = files[file] else { return false }
      output.write(piece)
      return output.failure == nil
    }
    for file in CSVExportFile.allCases {
      try files[file]?.finish()
    }
    return 0
  }

  /// Writes to `--output FILE` (replaced only when complete, never one of the store's own
  /// files) or to standard output.
  static func writeOutput(_ context: CommandContext, store: GraphStore, _ body: (TextSink) throws -> Void) throws {
    guard let path = context.arguments.value("output") else {
      try body(context.console.out)
      return
    }
    let file = try OutputFile(path, mode: .replace, store: store)
    try body(file)
    try file.finish()
  }

  static let pictureOptionNames = ["title", "types", "predicates", "around", "depth", "query", "query-edges", "cluster", "lang", "literals", "max-nodes"]

  static let pictureOptions: [OptionSpec] = [
    OptionSpec(name: "title", value: "TEXT", help: "dot: the picture's title (default: the query or the neighbourhood)"),
    OptionSpec(name: "types", value: "CLASS,...", help: "dot: only entities of these classes (subclasses included)"),
    OptionSpec(name: "predicates", value: "P,...", help: "dot: only facts of these predicates (default: all but type, subclass_of, label, description, domain, range, mentioned_in)"),
    OptionSpec(name: "around", value: "ENTITY", help: "dot: the neighbourhood of ENTITY"),
    OptionSpec(name: "depth", value: "N", help: "dot: how many steps --around reaches (default 1)"),
    OptionSpec(name: "query", value: "TEXT", help: "dot: the entities of a query's answers"),
    OptionSpec(name: "query-edges", value: "answer|row|matched", help: "dot: with --query, the stored facts among all the answers' entities (answer, default), only between entities of the same answer (row), or those the query's atoms matched"),
    OptionSpec(name: "cluster", value: "type|revolution|column|none", help: "dot: group nodes by core type (default), by industrial revolution, by the query's answer columns, or not"),
    OptionSpec(name: "lang", value: "zh|en", help: "dot: the language of labels (default zh)"),
    OptionSpec(name: "literals", value: "details|nodes|none", help: "dot: literal values as rows in the node (default), as nodes, or hidden"),
    OptionSpec(name: "max-nodes", value: "N", help: "dot: refuse pictures with more entities (default 300; 0: no limit)"),
  ]

  /// The picture settings from `export --format dot` options.
  static func picture(_ context: CommandContext, store: GraphStore) throws -> GraphPicture {
    var picture = GraphPicture()
    func list(_ name: String) -> [String] {
      (context.arguments.value(name) ?? "").split(separator: ",").map { String($0).trimmingBlanks() }.filter { !$0.isEmpty }
    }
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
      guard let text = context.arguments.value(name) else { return nil }
      guard let value = T(rawValue: text) else {
        throw DiagnosticError(.usage, code: "usage", "--\(name) takes \(T.allCases.map(\.rawValue).joined(separator: ", ")), found `\(text)`")
      }
      return value
    }
    func count(_ name: String) throws -> Int? {
      guard let text = context.arguments.value(name) else { return nil }
      guard let n = Int(text), n >= 0 else {
        throw DiagnosticError(.usage, code: "usage", "--\(name) takes a number, found `\(text)`")
      }
      return n
    }
    picture.title = context.arguments.value("title")
    picture.types = list("types")
    picture.predicates = list("predicates")
    picture.around = context.arguments.value("around")
    picture.depth = try count("depth") ?? 1
    if let lang = context.arguments.value("lang") {
      guard lang == "zh" || lang == "en" else { throw DiagnosticError(.usage, code: "usage", "--lang takes zh or en, found `\(lang)`") }
      picture.language = lang
    }
    picture.clustering = try choice("cluster", GraphPicture.Clustering.self) ?? .type
    picture.literals = try choice("literals", GraphPicture.Literals.self) ?? .details
    picture.queryEdges = try choice("query-edges", GraphPicture.QueryEdges.self) ?? .answer
    picture.maxNodes = try count("max-nodes") ?? picture.maxNodes
    if let text = context.arguments.value("query") {
      if picture.around != nil { throw DiagnosticError(.usage, code: "usage", "use --around or --query, not both") }
      let session = try QuerySession(store: store, limits: try QueryCommands.limits(context))
      picture.answers = try session.run(text, name: "<query>").compactMap { outcome in
        if case .answer(let result) = outcome { return result }
        return nil
      }
      if picture.answers?.isEmpty ?? true {
        throw DiagnosticError(.usage, code: "usage", "--query needs a query (`?- ...`) to draw")
      }
    } else if context.arguments.value("query-edges") != nil {
      throw DiagnosticError(.usage, code: "usage", "--query-edges goes with --query")
    }
    return picture
  }
}
