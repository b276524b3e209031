// A small hand-written argument parser (the project has no dependencies): commands, options
// with values, flags, positionals, `--` and `-` for standard input, and usage errors that say
// what was wrong and suggest the nearest option or command.

import Diagnostics

/// One option a command accepts.
struct OptionSpec {
  /// The long name without dashes (`store`).
  var name: String
  /// A one-letter short form (`o` for `-o`), if any.
  var short: Character?
  /// The value's placeholder (`DIR`); nil for a flag.
  var value: String?
  /// One line of help.
  var help: String
  /// Whether it may be given more than once.
  var repeatable = false
}

/// A parsed command line.
struct ParsedArguments {
  /// The command name, or nil for the default (the REPL).
  var command: String?
  /// Positional arguments after the command.
  var positionals: [String] = []
  /// Option values by long name, in order given.
  var values: [String: [String]] = [:]
  /// Flags given.
  var flags: Set<String> = []

  /// The last value of an option.
  func value(_ name: String) -> String? { values[name]?.last }
  /// Whether a flag was given.
  func flag(_ name: String) -> Bool { flags.contains(name) }
}

/// Splits argv into a command, options and positionals, checking them against the specs.
struct ArgumentParser {
  let commands: [CommandSpec]
  let globalOptions: [OptionSpec]

  func parse(_ arguments: [String]) throws(DiagnosticError) -> ParsedArguments {
    var result = ParsedArguments()
    var index = 0
    var onlyPositionals = false
    var spec: CommandSpec?
    func options() -> [OptionSpec] { globalOptions + (spec?.options ?? []) }
    func usage(_ message: String, help: String? = nil) -> DiagnosticError {
      DiagnosticError(.usage, code: "usage", message, help: help ?? "see `xinzhi \(spec.map { $0.name + " " } ?? "")--help`")
    }
    while index < arguments.count {
      let argument = arguments[index]
      index += 1
      if onlyPositionals || argument == "-" || !argument.hasPrefix("-") {
        if result.command == nil, spec == nil, !onlyPositionals {
          guard let found = commands.first(where: { $0.name == argument || $0.aliases.contains(argument) }) else {
            throw usage(
              "unknown command `\(argument)`",
              help: Suggestions.didYouMean(argument, in: commands.map(\.name)).map { $0 + " (see `xinzhi --help`)" } ?? "see `xinzhi --help` for the commands")
          }
          spec = found
          result.command = found.name
          continue
        }
        result.positionals.append(argument)
        continue
      }
      if argument == "--" {
        onlyPositionals = true
        continue
      }
      var name: String
      var inlineValue: String?
      var option: OptionSpec?
      if argument.hasPrefix("--") {
        let body = argument.dropFirst(2)
        if let equals = body.firstIndex(of: "=") {
          name = String(body[..<equals])
          inlineValue = String(body[body.index(after: equals)...])
        } else {
          name = String(body)
        }
        option = options().first { $0.name == name }
        if option == nil {
          throw usage(
            "unknown option `--\(name)`\(spec.map { " for `\($0.name)`" } ?? "")",
            help: Suggestions.didYouMean("--" + name, in: options().map { "--" + $0.name }))
        }
      } else {
        let letters = Array(argument.dropFirst())
        guard letters.count == 1, let found = options().first(where: { $0.short == letters[0] }) else {
          if Double(argument) != nil {
            // A negative number is a positional (for example a fact value).
            result.positionals.append(argument)
            continue
          }
          // One-letter options are all one edit apart, so no "did you mean" among them; a longer
          // word written with one dash may be a long option.
          let help: String?
          if letters == ["c"] {
            help = "to run query text, use `xinzhi query 'TEXT'` (or `xinzhi run FILE`); `xinzhi --help` lists the options"
          } else if letters.count == 1 {
            help = "`xinzhi --help` lists the options"
          } else {
            help = Suggestions.didYouMean("--" + String(letters), in: options().map { "--" + $0.name })
          }
          throw usage("unknown option `\(argument)`", help: help)
        }
        option = found
        name = found.name
      }
      guard let option else { continue }
      if let placeholder = option.value {
        let value: String
        if let inlineValue {
          value = inlineValue
        } else {
          guard index < arguments.count else {
            throw usage("option `--\(option.name)` needs a value (\(placeholder))")
          }
          value = arguments[index]
          index += 1
        }
        if !option.repeatable, result.values[option.name] != nil {
          throw usage("option `--\(option.name)` given twice")
        }
        result.values[option.name, default: []].append(value)
      } else {
        if inlineValue != nil { throw usage("option `--\(option.name)` takes no value") }
        result.flags.insert(option.name)
      }
    }
    if let spec, !result.flags.contains("help") {
      if result.positionals.count < spec.positionals.lowerBound {
        throw usage("`\(spec.name)` needs \(spec.positionalNames)", help: "usage: \(spec.usageLine)")
      }
      if result.positionals.count > spec.positionals.upperBound {
        let extra = result.positionals[spec.positionals.upperBound]
        throw usage("unexpected argument `\(extra)` for `\(spec.name)`", help: "usage: \(spec.usageLine)")
      }
    }
    return result
  }
}

/// One subcommand of `xinzhi`.
struct CommandSpec {
  /// Its name (`assert`).
  var name: String
  /// Other accepted names.
  var aliases: [String] = []
  /// One line for the command list.
  var summary: String
  /// The positional part of the usage line (`FACTS|-`).
  var arguments: String = ""
  /// How many positionals it takes.
  var positionals: ClosedRange<Int> = 0...0
  /// Paragraphs of explanation for `--help`.
  var discussion: String = ""
  /// Its own options (global ones are added).
  var options: [OptionSpec] = []

  var usageLine: String {
    var line = "xinzhi \(name)"
    if !arguments.isEmpty { line += " " + arguments }
    if !options.isEmpty { line += " [options]" }
    return line
  }

  var positionalNames: String {
    arguments.isEmpty ? "no arguments" : arguments
  }
}
