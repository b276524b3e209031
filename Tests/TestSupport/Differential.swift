// Differential evaluation of random programs: the engine in every configuration (index or
// in-memory source, magic sets, dense closures and inlining each on or off, relations cached
// across the queries of one session or a fresh session per query) against the naive evaluator
// and, for the clingo fragment, against clingo. Used by the oracle and clingo tests, by the fuzz
// `oracle` target and by the offline campaign.

import Diagnostics
import GraphModel
import QueryEngine
import QueryLanguage

/// One way of running the engine.
public struct EngineConfiguration: Hashable, Sendable, CustomStringConvertible {
  /// Read the stored triples from the real index (its runs), not from an array.
  public var indexed: Bool
  public var magic: Bool
  public var dense: Bool
  public var inlining: Bool
  /// One interpreter answers every query (relations computed for one are reused by the next, as
  /// in the REPL); otherwise each query gets a fresh interpreter.
  public var cached: Bool
  /// The text's clauses are added one at a time, as REPL entries are, with a query answered
  /// after each (so that checking, lowering and the relation cache are extended step by step).
  public var clauseByClause: Bool

  public init(indexed: Bool, magic: Bool, dense: Bool, inlining: Bool, cached: Bool, clauseByClause: Bool = false) {
    self.indexed = indexed
    self.magic = magic
    self.dense = dense
    self.inlining = inlining
    self.cached = cached
    self.clauseByClause = clauseByClause
  }

  /// Every combination of the optimisations over both sources with a session cache, and the
  /// default settings with a fresh session per query.
  public static let all: [EngineConfiguration] = {
    var result: [EngineConfiguration] = []
    for indexed in [true, false] {
      for magic in [true, false] {
        for dense in [true, false] {
          for inlining in [true, false] {
            result.append(EngineConfiguration(indexed: indexed, magic: magic, dense: dense, inlining: inlining, cached: true))
          }
        }
      }
    }
    result.append(EngineConfiguration(indexed: true, magic: true, dense: true, inlining: true, cached: false))
    result.append(EngineConfiguration(indexed: false, magic: true, dense: true, inlining: true, cached: false))
    result.append(EngineConfiguration(indexed: true, magic: true, dense: true, inlining: true, cached: true, clauseByClause: true))
    return result
  }()

  public var description: String {
    "\(indexed ? "index" : "array") source, magic \(magic ? "on" : "off"), dense \(dense ? "on" : "off"), inlining \(inlining ? "on" : "off"), \(cached ? "one session" : "a session per query")\(clauseByClause ? ", clause by clause" : "")"
  }
}

/// The answers to a program's queries, in query order; nil where evaluation failed.
public typealias ProgramAnswers = [Set<[Value]>?]

public enum Differential {
  /// The program's text queries.
  public static func queries(_ program: RandomProgram) -> (SourceText, Program) {
    let source = SourceText(name: "random.dl", text: program.text)
    return (source, Parser.parse(source).0)
  }

  /// The engine's answers in one configuration.
  public static func engine(_ program: RandomProgram, _ configuration: EngineConfiguration) throws -> ProgramAnswers {
    try engine(text: program.text, standing: program.standing, triples: program.triples, declaring: RandomProgram.storedPredicates, configuration)
  }

  /// The engine's answers to a text's queries over triples in one configuration, after the
  /// standing rules and the text's rules are added.
  public static func engine(
    text: String, standing: String = "", triples stored: [Triple], declaring storedNames: [String] = [], _ configuration: EngineConfiguration,
    limits: EvaluationLimits = EvaluationLimits(timeout: 20, maxDerivedFacts: 1_000_000)
  ) throws -> ProgramAnswers {
    let standingSource = SourceText(name: "standing.dl", text: standing)
    let (standing, standingErrors) = Parser.parse(standingSource)
    let source = SourceText(name: "random.dl", text: text)
    let (parsed, errors) = Parser.parse(source)
    if let error = (standingErrors + errors).first { throw DiagnosticError(error) }
    let triples: any TripleSource = configuration.indexed ? IndexedSource(stored).graph : ArrayTripleSource(stored)
    func session() throws -> Interpreter {
      let interpreter = Interpreter(source: triples, limits: limits)
      interpreter.useMagicSets = configuration.magic
      interpreter.useDenseClosures = configuration.dense
      interpreter.useInlining = configuration.inlining
      interpreter.denseMinimumWidth = 1  // random graphs are small: take the dense path whenever it applies
      interpreter.declare(storedPredicates: storedNames)  // stored predicates even when no triple has them
      try interpreter.add(standing.sourcedRules)
      if configuration.clauseByClause {
        // A clause that names a predicate defined further on waits for the clauses after it
        // (as a REPL user would type them together).
        var pending: [SourcedRule] = []
        for rule in parsed.sourcedRules {
          pending.append(rule)
          guard (try? interpreter.add(pending)) != nil else { continue }
          pending = []
          if let query = parsed.sourcedQueries.first {
            let (checked, diagnostics) = interpreter.check([], [query])
            if !diagnostics.contains(where: { $0.severity == .error }) {
              _ = try? interpreter.answer(checked.queries[0], predicates: checked.predicates)
            }
          }
        }
        try interpreter.add(pending)
      } else {
        try interpreter.add(parsed.sourcedRules)
      }
      return interpreter
    }
    let shared = configuration.cached ? try session() : nil
    var answers: ProgramAnswers = []
    for query in parsed.sourcedQueries {
      let interpreter = try shared ?? session()
      let (checked, diagnostics) = interpreter.check([], [query])
      if let error = diagnostics.first(where: { $0.severity == .error }) { throw DiagnosticError(error) }
      do {
        answers.append(Set(try interpreter.answer(checked.queries[0], predicates: checked.predicates).rows))
      } catch {
        answers.append(nil)
      }
    }
    return answers
  }

  /// The naive evaluator's answers.
  public static func naive(_ program: RandomProgram) throws -> ProgramAnswers {
    let (standing, _) = Parser.parse(SourceText(name: "standing.dl", text: program.standing))
    let (_, parsed) = queries(program)
    let evaluator = NaiveEvaluator(stored: program.triples, rules: standing.rules + parsed.rules)
    let facts = try evaluator.evaluate()
    return try parsed.queries.map { try evaluator.answer($0.body, columns: ProgramChecker.columns(of: $0), facts: facts) }
  }

  /// A disagreement, described with everything needed to reproduce it.
  public struct Disagreement: Error, CustomStringConvertible {
    public var program: RandomProgram
    public var query: String
    public var who: String
    public var expected: Set<[Value]>?
    public var got: Set<[Value]>?

    public var description: String {
      func rows(_ set: Set<[Value]>?) -> String {
        guard let set else { return "(evaluation failed)" }
        return set.map { "(" + $0.map(\.description).joined(separator: ", ") + ")" }.sorted().joined(separator: " ")
      }
      let missing = (expected ?? []).subtracting(got ?? [])
      let extra = (got ?? []).subtracting(expected ?? [])
      return """
        seed \(program.seed) (\(program.fragment)): \(who) differs on `\(query)`
          expected: \(rows(expected))
          got:      \(rows(got))
          missing:  \(rows(missing))
          extra:    \(rows(extra))
        standing rules:
        \(program.standing)
        program:
        \(program.text)
        triples: \(program.triples.map(\.description).joined(separator: " "))
        """
    }
  }

  /// Compares two answer lists query by query.
  public static func compare(_ program: RandomProgram, expected: ProgramAnswers, got: ProgramAnswers, who: String) -> Disagreement? {
    let (source, parsed) = queries(program)
    for (k, query) in parsed.queries.enumerated() where k >= got.count || k >= expected.count || expected[k] != got[k] {
      return Disagreement(program: program, query: source.slice(query.span), who: who, expected: k < expected.count ? expected[k] : nil, got: k < got.count ? got[k] : nil)
    }
    return nil
  }

  /// The naive evaluator's answers, and the first configuration of the engine that disagrees.
  public static func check(_ program: RandomProgram, configurations: [EngineConfiguration] = EngineConfiguration.all) throws -> (ProgramAnswers, Disagreement?) {
    let expected = try naive(program)
    for configuration in configurations {
      let got = try engine(program, configuration)
      if let d = compare(program, expected: expected, got: got, who: "the engine (\(configuration))") { return (expected, d) }
    }
    return (expected, nil)
  }
}
