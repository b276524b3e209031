// clingo as an independent reference: random programs of the clingo fragment are printed as
// ASP (a stratified program has exactly one answer set, its perfect model) and solved in
// batches, each program's predicates under a prefix of its own. clingo is found through
// XINZHI_CLINGO (a command, such as `.build/venv/bin/python -m clingo`) or `clingo` on PATH;
// `.ci/run` installs it from PyPI.

import Diagnostics
import Foundation
import GraphModel
import QueryLanguage

public enum Clingo {
  /// The command that runs clingo, if there is one.
  public static var command: [String]? {
    if let text = ProcessInfo.processInfo.environment["XINZHI_CLINGO"], !text.isEmpty {
      var words = text.split(separator: " ").map(String.init)
      if !words[0].contains("/") {
        guard let resolved = onPath(words[0]) else { return nil }
        words[0] = resolved
      }
      return words
    }
    return onPath("clingo").map { [$0] }
  }

  /// The executable of that name in a directory of PATH.
  static func onPath(_ name: String) -> String? {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
      let path = "\(directory)/\(name)"
      if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
  }

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  // MARK: - Printing

  /// A program as ASP, every predicate renamed `<prefix><name>`, each query a predicate
  /// `<prefix>q<k>` over its columns. Returns the text and each query's arity.
  public static func print(_ program: RandomProgram, prefix: String) -> (text: String, arities: [Int]) {
    let (standing, _) = Parser.parse(SourceText(name: "standing.dl", text: program.standing))
    let (text, _) = Parser.parse(SourceText(name: "random.dl", text: program.text))
    var lines: [String] = []
    for t in program.triples {
      let o = value(t.object)
      lines.append("\(prefix)triple(\(t.subject),\(t.predicate),\(o)). \(prefix)\(t.predicate)(\(t.subject),\(o)).")
    }
    for (k, rule) in (standing.rules + text.rules).enumerated() {
      let (body, helpers) = localNegations(rule.body, clause: rule.head.arguments.flatMap { argument -> [String] in
        switch argument {
        case .term(let t): t.variableName.map { [$0] } ?? []
        case .aggregate(let a): a.arguments.compactMap(\.variableName)
        }
      }, prefix: prefix, name: "neg\(k)_")
      lines += helpers
      lines.append(contentsOf: self.rule(Rule(head: rule.head, body: body, span: rule.span), prefix: prefix, number: k))
    }
    var arities: [Int] = []
    for (k, query) in text.queries.enumerated() {
      let columns = ProgramChecker.columns(of: query)
      arities.append(columns.count)
      let head = columns.isEmpty ? "\(prefix)q\(k)" : "\(prefix)q\(k)(\(columns.joined(separator: ",")))"
      // A query with a disjunction: one rule per alternative, as for rules.
      let (queryBody, helpers) = localNegations(query.body, clause: [], prefix: prefix, name: "qneg\(k)_")
      lines += helpers
      for alternative in alternatives(queryBody) {
        lines.append("\(head) :- \(body(alternative, prefix: prefix)).")
      }
      lines.append("#show \(prefix)q\(k)/\(columns.count).")
    }
    return (lines.joined(separator: "\n"), arities)
  }

  static func value(_ v: Value) -> String {
    switch v {
    case .entity(let e): e
    case .integer(let i): String(i)
    case .string(let s, _): "\"\(s)\""
    default: "unsupported"
    }
  }

  static func term(_ t: Term) -> String {
    switch t {
    case .variable(let name, _): name
    case .anonymous: "_"
    case .constant(let v, _): value(v)
    case .parameter(let name, _): name
    }
  }

  static func expression(_ e: QueryLanguage.Expression) -> String {
    switch e {
    case .term(let t): term(t)
    case .binary(let op, let l, let r, _): "(\(expression(l)) \(op == .remainder ? "\\" : op.rawValue) \(expression(r)))"
    case .negate(let x, _): "-(\(expression(x)))"
    case .call(let name, _, _): "unsupported_\(name)"
    }
  }

  static func atom(_ a: Atom, prefix: String) -> String {
    a.arguments.isEmpty ? "\(prefix)\(a.predicate)" : "\(prefix)\(a.predicate)(\(a.arguments.map(term).joined(separator: ",")))"
  }

  static func body(_ literals: [Literal], prefix: String) -> String {
    literals.map { literal in
      switch literal {
      case .atom(let a): atom(a, prefix: prefix)
      case .negated(let a, _): "not \(atom(a, prefix: prefix))"
      case .comparison(let c): "\(expression(c.left)) \(c.op.rawValue) \(expression(c.right))"
      case .disjunction: "#false"  // rules are split by alternative before their bodies are printed
      case .aggregate(let a): aggregate(a, prefix: prefix)
      }
    }.joined(separator: ", ")
  }

  /// `N = #count { X : body }`: clingo's own body aggregate (its global variables are those the
  /// rule uses outside it, as ours). clingo's min and max of nothing are `#sup` and `#inf`,
  /// where ours have no value, so those rows are dropped.
  static func aggregate(_ a: BodyAggregate, prefix: String) -> String {
    let function: String
    var guardText = ""
    switch a.function {
    case .count: function = "#count"
    case .sum: function = "#sum"
    case .min:
      function = "#min"
      guardText = ", \(a.result) != #sup"
    case .max:
      function = "#max"
      guardText = ", \(a.result) != #inf"
    case .avg: function = "#unsupported"
    }
    return "\(a.result) = \(function){ \(a.terms.map(term).joined(separator: ",")) : \(body(a.body, prefix: prefix)) }\(guardText)"
  }

  /// Negated atoms with variables named `_L` used nowhere else in the clause: clingo calls such
  /// a variable unsafe, so one used once is printed `_`, and an atom repeating one becomes a
  /// helper predicate over the atom's other variables (`not h(X)` with `h(X) :- p(X, L, L).`).
  static func localNegations(_ body: [Literal], clause: [String], prefix: String, name: String) -> ([Literal], [String]) {
    let all = body.flatMap(\.variableNames) + clause
    var helpers: [String] = []
    let rewritten = body.map { literal -> Literal in
      guard case .negated(let atom, let span) = literal else { return literal }
      let mine = atom.arguments.compactMap(\.variableName)
      let local = Set(mine.filter { v in v.hasPrefix("_") && all.filter { $0 == v }.count == mine.filter { $0 == v }.count })
      guard !local.isEmpty else { return literal }
      if local.allSatisfy({ v in mine.filter { $0 == v }.count == 1 }) {
        var plain = atom
        plain.arguments = atom.arguments.map { t in t.variableName.map(local.contains) == true ? .anonymous(span: t.span) : t }
        return .negated(plain, span: span)
      }
      var kept: [String] = []
      for v in mine where !local.contains(v) && !kept.contains(v) { kept.append(v) }
      let helper = "\(name)\(helpers.count)"
      let head = kept.isEmpty ? "\(prefix)\(helper)" : "\(prefix)\(helper)(\(kept.joined(separator: ",")))"
      // clingo reads `_L` as an anonymous variable, so the helper's variables are renamed.
      var renamed = atom
      renamed.arguments = atom.arguments.map { t in
        if let v = t.variableName, local.contains(v) { return .variable("L" + v.dropFirst(), span: t.span) }
        return t
      }
      helpers.append("\(head) :- \(self.atom(renamed, prefix: prefix)).")
      return .negated(Atom(predicate: helper, arguments: kept.map { .variable($0, span: span) }, predicateSpan: span, span: span), span: span)
    }
    return (rewritten, helpers)
  }

  /// The bodies a body with disjunctions stands for (written here, not taken from the engine,
  /// so that the differential test checks the engine's own expansion).
  static func alternatives(_ body: [Literal]) -> [[Literal]] {
    guard let k = body.firstIndex(where: { if case .disjunction = $0 { true } else { false } }),
      case .disjunction(let branches, _) = body[k]
    else { return [body] }
    return branches.flatMap { branch in
      var replaced = body
      replaced.replaceSubrange(k...k, with: branch)
      return alternatives(replaced)
    }
  }

  /// A rule; an aggregate head becomes clingo's aggregate over the body, grouped by the head's
  /// other arguments through a domain predicate (so min and max of nothing derive nothing, and
  /// count and sum of nothing give 0 only without groups, as in the engine).
  static func rule(_ rule: Rule, prefix: String, number: Int) -> [String] {
    // clingo has no disjunction in bodies: one rule per alternative; an aggregate over a
    // disjunction has one element per alternative (`#count { X : alt1 ; X : alt2 }`), whose
    // tuples clingo unites.
    let bodies = alternatives(rule.body)
    if bodies.count > 1, !rule.head.hasAggregate {
      return bodies.flatMap { self.rule(Rule(head: rule.head, body: $0, span: rule.span), prefix: prefix, number: number) }
    }
    let name = "\(prefix)\(rule.head.predicate)"
    guard rule.head.hasAggregate else {
      let head = rule.head.arguments.isEmpty ? name : "\(name)(\(rule.head.arguments.map { if case .term(let t) = $0 { term(t) } else { "?" } }.joined(separator: ",")))"
      return [rule.isFact ? "\(head)." : "\(head) :- \(body(rule.body, prefix: prefix))."]
    }
    let groupVariables = rule.head.arguments.compactMap { if case .term(.variable(let v, _)) = $0 { v } else { nil } }
    let domain = "\(prefix)dom\(number)"
    let domainAtom = groupVariables.isEmpty ? domain : "\(domain)(\(groupVariables.joined(separator: ",")))"
    var lines = bodies.map { "\(domainAtom) :- \(body($0, prefix: prefix))." }
    var headTerms: [String] = []
    var conditions: [String] = []
    var k = 0
    for argument in rule.head.arguments {
      switch argument {
      case .term(let t): headTerms.append(term(t))
      case .aggregate(let a):
        let result = "AGG\(k)"
        k += 1
        let function: String
        switch a.function {
        case .count: function = "#count"
        case .sum: function = "#sum"
        case .min: function = "#min"
        case .max: function = "#max"
        case .avg: function = "#unsupported"
        }
        let elements = bodies.map { "\(a.arguments.map(term).joined(separator: ",")) : \(body($0, prefix: prefix))" }
        conditions.append("\(result) = \(function){ \(elements.joined(separator: " ; ")) }")
        headTerms.append(result)
      }
    }
    let grouped = rule.head.arguments.contains { if case .term = $0 { true } else { false } }
    let needsDomain = grouped || rule.head.arguments.contains { if case .aggregate(let a) = $0 { a.function == .min || a.function == .max } else { false } }
    let guardAtom = needsDomain ? [domainAtom] : []
    lines.append("\(name)(\(headTerms.joined(separator: ","))) :- \((guardAtom + conditions).joined(separator: ", ")).")
    return lines
  }

  // MARK: - Solving

  /// Solves programs in one clingo run; returns each program's answers in query order.
  public static func solve(_ programs: [RandomProgram], command: [String]) throws -> [ProgramAnswers] {
    var text = ""
    var arities: [[Int]] = []
    for (k, program) in programs.enumerated() {
      let (printed, a) = print(program, prefix: "p\(k)_")
      text += printed + "\n"
      arities.append(a)
    }
    let directory = NSTemporaryDirectory() + "xinzhi-clingo-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = directory + "/programs.lp"
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst()) + ["-V0", "--warn=none", file]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorData = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let stdout = String(decoding: data, as: UTF8.self)
    let outputLines = stdout.split(separator: "\n", omittingEmptySubsequences: false)
    guard let status = outputLines.firstIndex(where: { $0 == "SATISFIABLE" }) else {
      throw Failure(description: "clingo did not find the answer set (status \(process.terminationStatus)):\n\(stdout.prefix(2000))\n\(String(decoding: errorData, as: UTF8.self).prefix(2000))")
    }
    var answers: [ProgramAnswers] = arities.map { $0.map { _ in Set<[Value]>() } }
    let model = status > 0 ? String(outputLines[status - 1]) : ""
    for atom in try atoms(model) {
      // p<k>_q<j>(args)
      guard atom.name.hasPrefix("p"), let underscore = atom.name.firstIndex(of: "_"),
        let k = Int(atom.name[atom.name.index(after: atom.name.startIndex)..<underscore]),
        atom.name[atom.name.index(after: underscore)...].hasPrefix("q"),
        let j = Int(atom.name[atom.name.index(underscore, offsetBy: 2)...]), k < answers.count, j < answers[k].count
      else { throw Failure(description: "unexpected atom in clingo's answer: \(atom.name)") }
      answers[k][j]?.insert(atom.arguments)
    }
    return answers
  }

  /// Parses an answer set line: atoms separated by spaces, arguments integers, quoted strings or
  /// constants.
  static func atoms(_ line: String) throws -> [(name: String, arguments: [Value])] {
    var result: [(String, [Value])] = []
    let chars = Array(line)
    var i = 0
    func readArgument() throws -> Value {
      if chars[i] == "\"" {
        var s = ""
        i += 1
        while i < chars.count, chars[i] != "\"" {
          if chars[i] == "\\", i + 1 < chars.count { i += 1 }
          s.append(chars[i])
          i += 1
        }
        i += 1
        return .string(s, language: nil)
      }
      var token = ""
      while i < chars.count, chars[i] != ",", chars[i] != ")" {
        token.append(chars[i])
        i += 1
      }
      if let n = Int64(token) { return .integer(n) }
      return .entity(token)
    }
    while i < chars.count {
      if chars[i] == " " {
        i += 1
        continue
      }
      var name = ""
      while i < chars.count, chars[i] != "(", chars[i] != " " {
        name.append(chars[i])
        i += 1
      }
      var arguments: [Value] = []
      if i < chars.count, chars[i] == "(" {
        i += 1
        while i < chars.count {
          arguments.append(try readArgument())
          guard i < chars.count else { throw Failure(description: "unterminated atom in \(line.prefix(200))") }
          if chars[i] == ")" {
            i += 1
            break
          }
          i += 1  // ","
        }
      }
      result.append((name, arguments))
    }
    return result
  }
}
