// The entry point behind `xinzhi`: parses argv, runs one command, maps errors to sysexits exit
// statuses and renders diagnostics. main.swift only calls `Shell.run`.

import Diagnostics
import KnowledgeGraph
import Platform

/// The `xinzhi` command line.
public enum Shell {
  /// The version printed by `--version`.
  public static let version = "0.2.0"

  /// Runs `xinzhi` with arguments (without the program name) and returns the exit status.
  public static func run(arguments: [String], environment: [String: String], console: Console) -> Int32 {
    let context = CommandContext(environment: environment, console: console)
    var status = context.run(arguments)
    // Output that did not arrive is an error (a full disk, a closed standard output), not success.
    if let failure = console.outputFailure() {
      context.report(failure)
      if status == 0 { status = failure.category.exitStatus }
    }
    console.flush()
    return status
  }
}

/// Everything a command needs: environment, console, and the parsed arguments.
final class CommandContext {
  let environment: [String: String]
  let console: Console
  var arguments = ParsedArguments()

  init(environment: [String: String], console: Console) {
    self.environment = environment
    self.console = console
  }

  var style: Style { Style(enabled: console.colorOut) }

  func run(_ argv: [String]) -> Int32 {
    let parser = ArgumentParser(commands: CommandTable.commands, globalOptions: CommandTable.globalOptions)
    do {
      arguments = try parser.parse(argv)
      if arguments.flag("no-color") {
        console.colorOut = false
        console.colorErr = false
      }
      if arguments.flag("version") {
        console.print("xinzhi \(Shell.version)")
        return 0
      }
      if arguments.flag("help") {
        console.print(CommandTable.help(for: arguments.command))
        return 0
      }
      guard let name = arguments.command else {
        return try CommandTable.runDefault(self)
      }
      guard let command = CommandTable.implementations[name] else {
        throw DiagnosticError(.internalError, code: "no-implementation", "internal error: command `\(name)` has no implementation")
      }
      return try command(self)
    } catch let error as DiagnosticError {
      report(error)
      return error.category.exitStatus
    } catch {
      console.printError("xinzhi: internal error: \(error)")
      return 70
    }
  }

  /// Prints diagnostics to standard error in the rich form.
  func report(_ error: DiagnosticError) {
    report(error.diagnostics)
  }

  func report(_ diagnostics: [Diagnostic]) {
    let renderer = DiagnosticRenderer(style: .rich, color: console.colorErr)
    for diagnostic in diagnostics {
      let text = renderer.render(diagnostic)
      console.printError(diagnostic.location == nil ? "xinzhi: " + text : text)
    }
  }

  // MARK: - Stores

  /// The store directory: `--store`, else `$XINZHI_STORE`, else `./graph` when it exists.
  func storeDirectory() throws(DiagnosticError) -> String {
    if let store = arguments.value("store") { return store }
    if let store = environment["XINZHI_STORE"], !store.isEmpty { return store }
    if access("graph/xinzhi.log", F_OK) == 0 { return "graph" }
    throw DiagnosticError(
      .noInput, code: "no-store", "no store chosen, and there is no ./graph store here",
      help: "choose one with --store DIR or XINZHI_STORE=DIR, or create one with `xinzhi init DIR`")
  }

  func storeOptions() throws(DiagnosticError) -> GraphStore.Options {
    var options = GraphStore.Options()
    if let text = arguments.value("lock-timeout") {
      guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
        throw DiagnosticError(.usage, code: "usage", "--lock-timeout takes a number of seconds, found `\(text)`")
      }
      options.lockTimeout = seconds
    }
    // Hidden, for tests: how many bytes of replayed log make opening write a checkpoint
    // (0: every open writes one). Documented in LogFormat.md, not in --help.
    if let text = environment["XINZHI_CHECKPOINT_THRESHOLD"], !text.isEmpty {
      guard let bytes = Int(text), bytes >= 0 else {
        throw DiagnosticError(.usage, code: "usage", "XINZHI_CHECKPOINT_THRESHOLD takes a number of bytes, found `\(text)`")
      }
      options.checkpointThreshold = bytes
    }
    return options
  }

  func asOf() throws(DiagnosticError) -> TxNumber? {
    guard let text = arguments.value("as-of") else { return nil }
    if text == "latest" { return nil }
    guard let n = TxNumber(text) else {
      throw DiagnosticError(.usage, code: "usage", "--as-of takes a transaction number, found `\(text)`")
    }
    return n
  }

  /// Opens the chosen store, reporting its warnings.
  func openStore(writable: Bool = false, quiet: Bool = false) throws(DiagnosticError) -> GraphStore {
    let directory = try storeDirectory()
    let asOf = writable ? nil : try asOf()
    if writable, arguments.value("as-of") != nil {
      throw DiagnosticError(.usage, code: "usage", "--as-of opens a past state read-only; it cannot be used with `\(arguments.command ?? "")`")
    }
    let store = try GraphStore.open(at: directory, asOf: asOf, options: try storeOptions())
    if !quiet { report(store.warnings) }
    return store
  }

  /// Reads all of standard input as UTF-8 text.
  func readStandardInput() throws(DiagnosticError) -> String {
    try TextFile.read(fd: STDIN_FILENO, name: "standard input")
  }

  /// Metadata from `--source`, `--note` and `--meta KEY=VALUE`.
  func transactionMetadata(defaultSource: String) throws(DiagnosticError) -> [(key: String, value: String)] {
    var metadata: [(key: String, value: String)] = [("source", arguments.value("source") ?? defaultSource)]
    if let note = arguments.value("note") { metadata.append(("note", note)) }
    for pair in arguments.values["meta"] ?? [] {
      guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
        throw DiagnosticError(.usage, code: "usage", "--meta takes KEY=VALUE, found `\(pair)`")
      }
      let key = String(pair[..<equals])
      if key == "source" || key == "note" {
        throw DiagnosticError(.usage, code: "usage", "use --\(key) for `\(key)`")
      }
      metadata.append((key, String(pair[pair.index(after: equals)...])))
    }
    return metadata
  }
}
