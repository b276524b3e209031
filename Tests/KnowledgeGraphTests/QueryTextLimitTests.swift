// Issue 12, items 11 and 13, through the real binary: small query texts that crashed (a long
// operator chain, a long body), texts whose diagnostics cost a gigabyte, and derived values that
// outgrow memory. Each must stop with a clear message and a sysexits status, quickly, in bounded
// memory, and every stage must obey --timeout.

import KnowledgeGraph
import Platform
import TestSupport
import Testing

/// A store with a few facts, shared by the tests of one suite instance.
private final class LimitStore {
  let dir = TemporaryDirectory()
  let path: String

  init() {
    path = dir.file("g")
    _ = xinzhi(["init", path])
    _ = xinzhi(["--store", path, "assert", "edge(a, b). edge(b, c). weight(a, 3)."])
  }

  /// Runs `xinzhi --store g ARGUMENTS` with a text on standard input; returns the result and
  /// the seconds it took.
  func run(_ arguments: [String], input: String) -> (ProcessResult, Double) {
    let started = MonotonicClock.seconds()
    let result = xinzhi(["--store", path] + arguments, input: input, measureMemory: true)
    return (result, MonotonicClock.seconds() - started)
  }

  /// Runs a text under `--timeout 5` that must be refused with status 65 and a message, well
  /// within the limit; returns the standard error.
  @discardableResult
  func expectRefused(_ input: String, _ message: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
    let (result, seconds) = run(["query", "-", "--timeout", "5"], input: input)
    #expect(result.status == 65, "\(result.stderr.prefix(2000))", sourceLocation: sourceLocation)
    #expect(result.stderr.contains(message), "\(result.stderr.prefix(2000))", sourceLocation: sourceLocation)
    #expect(seconds < 5, sourceLocation: sourceLocation)
    return result.stderr
  }
}

private func chain(_ operand: String, _ op: String, _ count: Int) -> String {
  Array(repeating: operand, count: count).joined(separator: op)
}

private func occurrences(of part: String, in text: String) -> Int {
  text.components(separatedBy: part).count - 1
}

extension String {
  fileprivate func components(separatedBy separator: String) -> [Substring] {
    var parts: [Substring] = []
    var rest = self[...]
    while let range = rest.range(of: separator) {
      parts.append(rest[..<range.lowerBound])
      rest = rest[range.upperBound...]
    }
    parts.append(rest)
    return parts
  }
}

@Suite struct QueryTextLimitTests {
  /// The reported input: `?- X = 1+1+…+1.` with 5,000 operands overflowed the checker's stack.
  /// The 201st `+` (column 7 + 2 × 201) is where the chain passes the nesting limit.
  @Test func aLongOperatorChainIsASyntaxErrorAtThePlaceItPassesTheLimit() {
    let stderr = LimitStore().expectRefused("?- X = " + chain("1", "+", 5_000) + ".", "<stdin>:1:409: error: expression nested more than 200 levels deep")
    #expect(stderr.contains("help: split it into steps with intermediate variables"))
  }

  /// Relatives: other operators, parentheses, signs and calls, in rules, comparisons and
  /// aggregate bodies, all count towards the same nesting limit; long bodies of comparisons,
  /// negations, in rules and in aggregate rules meet the body limit. None may crash.
  @Test(arguments: [
    ("?- X = " + chain("2", "*", 5_000) + ".", "nested more than 200 levels deep"),
    ("?- X = " + chain("1", " - ", 5_000) + ".", "nested more than 200 levels deep"),
    ("?- X = " + chain("1", " % ", 5_000) + ".", "nested more than 200 levels deep"),
    ("?- X = " + chain("1 * 2", " + ", 3_000) + ".", "nested more than 200 levels deep"),
    ("?- X = " + String(repeating: "1 + (", count: 5_000) + "1" + String(repeating: ")", count: 5_000) + ".", "nested more than 200 levels deep"),
    ("?- X = " + String(repeating: "- ", count: 5_000) + "1.", "nested more than 200 levels deep"),
    ("?- X = " + String(repeating: "abs(", count: 5_000) + "1" + String(repeating: ")", count: 5_000) + ".", "nested more than 200 levels deep"),
    ("?- X = concat(" + chain("\"a\"", ", ", 10) + ", " + chain("\"b\"", " + ", 5_000) + ").", "nested more than 200 levels deep"),
    ("?- edge(X, Y), " + chain("1", "+", 5_000) + " > 3.", "nested more than 200 levels deep"),
    ("p(X, Y) :- edge(X, _), Y = " + chain("1", "+", 5_000) + ". ?- p(X, Y).", "nested more than 200 levels deep"),
    ("n(count(X)) :- edge(X, _), Y = " + chain("X", "+", 5_000) + ". ?- n(C).", "nested more than 200 levels deep"),
    ("?- X = 1, " + chain("X < 2", ", ", 20_000) + ".", "a body may hold at most 1000 literals"),
    ("p(X) :- " + chain("edge(X, _)", ", ", 20_000) + ". ?- p(X).", "a body may hold at most 1000 literals"),
    ("n(count(X)) :- " + chain("edge(X, _)", ", ", 20_000) + ". ?- n(C).", "a body may hold at most 1000 literals"),
    ("?- " + chain("not edge(a, a)", ", ", 20_000) + ".", "a body may hold at most 1000 literals"),
  ])
  func relativesAreSyntaxErrors(_ text: String, _ message: String) {
    let stderr = LimitStore().expectRefused(text, message)
    #expect(stderr.contains("<stdin>:1:"))
  }

  /// Not too strict: a chain just under the limit still evaluates.
  @Test func aChainUnderTheLimitEvaluates() {
    let store = LimitStore()
    let (result, _) = store.run(["query", "-", "--format", "tsv"], input: "?- X = " + chain("1", "+", 200) + ".")
    #expect(result.status == 0, "\(result.stderr.prefix(2000))")
    #expect(result.stdout == "X\n200\n")
  }

  /// The reported input: a body of 20,000 literals overflowed the executor's stack and ignored
  /// `--timeout 5` for 31 s. Literal 1,001 starts at column 4 + 12 × 1,000.
  @Test func aLongBodyIsRefusedAtItsFirstLiteralOverTheLimit() {
    let stderr = LimitStore().expectRefused("?- " + chain("edge(a, X)", ", ", 20_000) + ".", "<stdin>:1:12004: error: a body may hold at most 1000 literals")
    #expect(stderr.contains("help: split it: define a rule for part of the body"))
  }

  /// Bodies at the limit, and many rules, still run.
  @Test func aBodyAtTheLimitAndManyRulesRun() {
    let store = LimitStore()
    let (body, _) = store.run(["query", "-", "--format", "tsv"], input: "?- " + chain("edge(a, X)", ", ", 1_000) + ".")
    #expect(body.status == 0, "\(body.stderr.prefix(2000))")
    #expect(body.stdout == "X\nb\n")
    var rules = "p0(X) :- edge(X, _).\n"
    for i in 1..<5_000 { rules += "p\(i)(X) :- p\(i - 1)(X).\n" }
    let (many, _) = store.run(["query", "-", "--format", "tsv"], input: rules + "?- p4999(X).")
    #expect(many.status == 0, "\(many.stderr.prefix(2000))")
    #expect(many.stdout == "X\na\nb\n")
  }

  /// The reported input: 10,000 unknown predicates on one line cost 1.1 GB, each diagnostic
  /// holding a copy of the line. As one body it is now over the body limit; as a body at the
  /// limit, or as 10,000 rules on one line, the first 50 errors are shown, then a count of the
  /// rest, and no diagnostic holds the whole line.
  @Test func manyErrorsAreCappedAndDoNotCopyTheLine() {
    let store = LimitStore()
    let reported = "?- " + (0..<10_000).map { "p\($0)(X)" }.joined(separator: ", ") + "."
    let (refused, _) = store.run(["query", "-"], input: reported)
    #expect(refused.status == 65)
    #expect(refused.stderr.contains("a body may hold at most 1000 literals"))
    let atLimit = "?- " + (0..<1_000).map { "p\($0)(X)" }.joined(separator: ", ") + "."
    let rules = (0..<10_000).map { "q\($0)(X) :- p\($0)(X)." }.joined(separator: " ")
    for (input, more) in [(atLimit, 950), (rules, 9_950)] {
      let (result, seconds) = store.run(["query", "-"], input: input)
      #expect(result.status == 65)
      #expect(occurrences(of: "error: unknown predicate", in: result.stderr) == 50)
      #expect(result.stderr.contains("error: … and \(more) more errors"), "\(result.stderr.suffix(500))")
      #expect(result.maxResidentKilobytes < 150_000, "\(result.maxResidentKilobytes) KB")
      #expect(seconds < 10)
    }
  }

  /// Relatives: long strings on the line of many errors, and many broken clauses.
  @Test func diagnosticsOnLongLinesStayShort() {
    let store = LimitStore()
    let long = String(repeating: "长", count: 100_000)
    let rules = (0..<2_000).map { "q\($0)(X) :- edge(X, \"\(long.prefix(50))\"), p\($0)(X)." }.joined(separator: " ")
    let text = "s(\"\(long)\"). " + rules
    let (result, seconds) = store.run(["query", "-"], input: text)
    #expect(result.status == 65)
    #expect(occurrences(of: "error: unknown predicate", in: result.stderr) == 50)
    #expect(result.stderr.contains("… and 1950 more errors"))
    // Each source line shown is a window around the place, not the whole line.
    #expect(result.stderr.split(separator: "\n").allSatisfy { $0.count < 400 })
    #expect(result.maxResidentKilobytes < 150_000, "\(result.maxResidentKilobytes) KB")
    #expect(seconds < 10)

    let broken = String(repeating: "?- edge(a; X). ", count: 10_000)
    let (clauses, _) = store.run(["query", "-"], input: broken)
    #expect(clauses.status == 65)
    // 50 lexical errors, the notice that reading stopped, at most one syntax error.
    #expect(occurrences(of: "error:", in: clauses.stderr) <= 52)
  }

  /// Parsing and checking run under --timeout too: a text that takes longer than the limit to
  /// check stops at the limit, before any query runs.
  @Test func theTimeLimitCoversParsingAndChecking() {
    let store = LimitStore()
    var text = ""
    for i in 0..<60_000 { text += "p\(i)(X, Y) :- edge(X, Y), weight(X, W), Y != X, W > \(i).\n" }
    text += "?- p0(X, Y).\n"
    let (result, seconds) = store.run(["query", "-", "--timeout", "0.3"], input: text)
    #expect(result.status == 65, "\(result.stderr.prefix(2000))")
    #expect(result.stderr.contains("stopped after 0.3 s (the time limit)"), "\(result.stderr.prefix(2000))")
    #expect(seconds < 3, "\(seconds) s")
  }
}

@Suite struct MemoryLimitTests {
  /// The reported program: a string doubled in each round aborted at 1.1 GB. With a budget of
  /// 64 MiB it stops with the message of a limit, naming the growing predicate and the option.
  @Test func aDoublingStringStopsAtTheMemoryLimit() {
    let store = LimitStore()
    let program = "s(0, \"ab\"). s(N1, T) :- s(N, S), N < 60, N1 = N + 1, T = concat(S, S). ?- s(N, S), N > 100."
    let (result, seconds) = store.run(["query", "-", "--max-memory", "64M"], input: program)
    #expect(result.status == 65, "\(result.stderr.prefix(2000))")
    #expect(result.stderr.contains("error: the query was stopped after its derived facts and values took more than 64 MiB; `s` was growing"), "\(result.stderr.prefix(2000))")
    #expect(result.stderr.contains("help: raise the limit with --max-memory SIZE"))
    #expect(result.maxResidentKilobytes < 300_000, "\(result.maxResidentKilobytes) KB")
    #expect(seconds < 10)
  }

  /// Derived tuples count too: a cartesian product stops at the byte budget before the fact cap.
  @Test func derivedTuplesCountTowardsTheMemoryLimit() {
    let store = LimitStore()
    let program = "n(0). n(Y) :- n(X), X < 3000, Y = X + 1. ?- n(A), n(B), n(C)."
    let (result, _) = store.run(["query", "-", "--max-memory", "16M", "--max-facts", "100000000"], input: program)
    #expect(result.status == 65, "\(result.stderr.prefix(2000))")
    #expect(result.stderr.contains("took more than 16 MiB; `?-` was growing"), "\(result.stderr.prefix(2000))")
  }

  /// Ordinary queries are unaffected, and the option is checked.
  @Test func ordinaryQueriesRunAndTheOptionIsChecked() {
    let store = LimitStore()
    let (ok, _) = store.run(["query", "-", "--max-memory", "1M", "--format", "tsv"], input: "p(X, Y) :- edge(X, Y). ?- p(a, Y), S = concat(Y, \"!\").")
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(ok.stdout == "Y\tS\nb\t\"b!\"\n")
    for (value, accepted) in [("512M", true), ("2G", true), ("2GiB", true), ("100000", true), ("1.5G", false), ("0", false), ("-1M", false), ("lots", false), ("99999999999999999999", false)] {
      let (result, _) = store.run(["query", "-", "--max-memory", value], input: "?- edge(a, X).")
      #expect((result.status == 0) == accepted, "\(value): \(result.stderr)")
      if !accepted {
        #expect(result.status == 64)
        #expect(result.stderr.contains("--max-memory takes a size such as 512M or 2G, found `\(value)`"), "\(result.stderr)")
      }
    }
    let (repl, _) = store.run(["repl", "--max-memory", "64M"], input: "s(0, \"ab\"). s(N1, T) :- s(N, S), N < 60, N1 = N + 1, T = concat(S, S).\n?- s(N, S), N > 100.\n?- edge(a, X).\n")
    #expect(repl.stderr.contains("took more than 64 MiB; `s` was growing"), "\(repl.stderr.prefix(2000))")
    #expect(repl.stdout.contains("b"))
  }
}

/// The same limits through the library API.
@Suite struct LibraryLimitTests {
  @Test func theDefaultMemoryBudgetIsAFractionOfMemoryWithinBounds() {
    let budget = EvaluationLimits.defaults.maxMemory
    #expect(budget >= 256 << 20 && budget <= 2 << 30)
    #expect(EvaluationLimits(timeout: 1, maxDerivedFacts: 1).maxMemory == budget)
  }

  /// Cancellation stops a text with no query at all, so it is checked while reading and
  /// checking, not only while evaluating.
  @Test func cancellationStopsReadingAndChecking() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    let flag = CancellationFlag()
    let session = try QuerySession(store: store, limits: EvaluationLimits(timeout: nil, maxDerivedFacts: 1_000, cancellation: flag))
    flag.cancel()
    #expect(throws: DiagnosticError.self) { try session.run("p(a). q(X) :- p(X).", name: "t.dl") }
    do {
      _ = try session.run("p(a). q(X) :- p(X).", name: "t.dl")
    } catch {
      #expect(error.diagnostics.map(\.code) == ["cancelled"])
    }
    flag.reset()
    #expect(try session.run("p(a). q(X) :- p(X). ?- q(X).", name: "t.dl").count == 2)
  }

  @Test func theMemoryBudgetIsPartOfTheLimits() throws {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("g"))
    let session = try QuerySession(store: store, limits: EvaluationLimits(timeout: 10, maxDerivedFacts: 1_000_000, maxMemory: 1 << 20))
    do {
      _ = try session.run("s(0, \"ab\"). s(N1, T) :- s(N, S), N < 60, N1 = N + 1, T = concat(S, S). ?- s(N, S), N > 100.", name: "t.dl")
      Issue.record("the doubling string was not stopped")
    } catch {
      #expect(error.diagnostics.map(\.code) == ["too-much-memory"])
      #expect(error.diagnostics.first?.message.contains("more than 1 MiB; `s` was growing") == true)
      #expect(error.diagnostics.first?.location?.description.hasPrefix("t.dl:1:") == true)
    }
  }
}
