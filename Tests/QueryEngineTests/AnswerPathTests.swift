// The paths that take answers and aggregates out of the engine without building a decoded tuple
// per row (issue 13): aggregates fed from a dense matrix (population counts, per row or by
// tuple), from a relation's size or from the index's count of a pattern; queries answered from
// a predicate's own relation or matrix; ranks packed into radix-sorted keys; the 64×64 bit
// transpose. Each is checked against a worked answer in every engine configuration (dense,
// magic sets and inlining on and off), and the building blocks against brute force.

import Diagnostics
import GraphModel
@testable import QueryEngine
import QueryLanguage
import Testing
import TestSupport

private func lines(_ rows: Set<[Value]>?) -> [String] {
  guard let rows else { return ["(evaluation failed)"] }
  return rows.map { $0.map(\.description).joined(separator: " ") }.sorted()
}

/// e (cornerTriples): a→b, b→c, c→a, c→d. Its closure: a, b and c each reach a, b, c and d
/// (12 pairs); d reaches nothing.
private let rightLinear = "path(X, Y) :- e(X, Y). path(X, Y) :- path(X, Z), e(Z, Y). "
private let leftLinear = "path(X, Y) :- e(X, Y). path(X, Y) :- e(X, Z), path(Z, Y). "

@Suite struct AnswerPathTests {
  @Test(arguments: [
    // Ungrouped count of every tuple: the matrix's population count.
    ("n(count(X, Y)) :- path(X, Y). ?- n(N).", ["12"]),
    ("n(count(Y, X)) :- path(X, Y). ?- n(N).", ["12"]),
    // Grouped by either column: per-row counts or a stream of the matrix's tuples.
    ("k(X, count(Y)) :- path(X, Y). ?- k(X, N).", ["a 4", "b 4", "c 4"]),
    ("k(Y, count(X)) :- path(X, Y). ?- k(Y, N).", ["a 3", "b 3", "c 3", "d 3"]),
    // One column only: the distinct values, not the tuples.
    ("n(count(Y)) :- path(X, Y). ?- n(N).", ["4"]),
    ("n(count(X)) :- path(X, Y). ?- n(N).", ["3"]),
    // Two aggregates in one head.
    ("n(count(X, Y), count(X)) :- path(X, Y). ?- n(A, B).", ["12 3"]),
    // A constant or a repeated variable is a filter: no direct count.
    ("n(count(X)) :- path(X, X). ?- n(N).", ["3"]),
    ("n(count(Y)) :- path(a, Y). ?- n(N).", ["4"]),
    ("n(count(Y)) :- path(d, Y). ?- n(N).", ["0"]),
    // The whole closure as an answer, and a part of it.
    ("?- path(X, Y).", ["a a", "a b", "a c", "a d", "b a", "b b", "b c", "b d", "c a", "c b", "c c", "c d"]),
    ("?- path(X, Y), Y = d.", ["a d", "b d", "c d"]),
    // Min and max over the matrix's tuples.
    ("k(X, max(Y)) :- path(X, Y). ?- k(X, M).", ["a d", "b d", "c d"]),
    ("k(Y, min(X)) :- path(X, Y). ?- k(Y, M).", ["a a", "b a", "c a", "d a"]),
  ])
  func aggregatesOverClosures(text: String, expected: [String]) throws {
    for rules in [rightLinear, leftLinear] {
      for configuration in EngineConfiguration.all {
        let answers = try Differential.engine(text: rules + text, triples: cornerTriples, configuration)
        #expect(lines(answers.last ?? nil) == expected, "\(configuration) \(rules)")
      }
    }
  }

  @Test(arguments: [
    // The index's own count of a pattern.
    ("n(count(S, P, O)) :- triple(S, P, O). ?- n(N).", ["11"]),
    ("n(count(S, O)) :- triple(S, f, O). ?- n(N).", ["4"]),
    ("n(count(X, Y)) :- e(X, Y). ?- n(N).", ["4"]),
    ("n(count(X)) :- e(X, c). ?- n(N).", ["1"]),
    ("n(count(O, S)) :- triple(S, e, O). ?- n(N).", ["4"]),
    // Not the whole tuple: distinct subjects of e (a, b, c).
    ("n(count(X)) :- e(X, Y). ?- n(N).", ["3"]),
    // A constant the store does not know matches nothing.
    ("n(count(X)) :- triple(X, e, nowhere). ?- n(N).", ["0"]),
    ("n(count(X)) :- triple(X, nothing, Y). ?- n(N).", ["0"]),
    // A repeated variable filters (c→c and d→d).
    ("n(count(X)) :- f(X, X). ?- n(N).", ["2"]),
    // A derived relation's size: e edges whose target has an f edge out (b→c, c→a, c→d).
    ("q(X, Y) :- e(X, Y), f(Y, _). n(count(X, Y)) :- q(X, Y). ?- n(N).", ["3"]),
    // Sums and averages range over the distinct tuples of their own terms: b and c both have 5,
    // which counts once in sum(V) and twice in sum(V, X).
    ("s(sum(V)) :- val(X, V). ?- s(N).", ["6"]),
    ("s(sum(V)) :- val(_, V). ?- s(N).", ["6"]),
    ("s(sum(V, X)) :- val(X, V). ?- s(N).", ["11"]),
    ("s(avg(V)) :- val(X, V). ?- s(N).", ["3.0"]),
    ("s(X, sum(V)) :- e(X, Y), val(Y, V). ?- s(X, N).", ["a 5", "b 5", "c 1"]),
  ])
  func aggregatesOverStoredAndDerived(text: String, expected: [String]) throws {
    for configuration in EngineConfiguration.all {
      let answers = try Differential.engine(text: text, triples: cornerTriples, configuration)
      #expect(lines(answers.last ?? nil) == expected, "\(configuration)")
    }
  }

  /// Min and max compare short sort keys (kind and the first 8 UTF-8 bytes, or an integer) and
  /// fall back to the values when keys tie: groups built to make keys tie, differ in the 9th
  /// byte, differ only in a language tag, mix integers with decimals and kinds with kinds, all
  /// agree with a brute-force minimum and maximum under `Value.compare`.
  @Test func minAndMaxAgreeWithTheValueOrder() throws {
    let groups: [[String]] = [
      ["abcdefgh", "abcdefghi", "abcdefgh_a", "abcdefga", "n1", "n10", "n2", "abcdefgh1"],
      ["\"abcdefghz\"", "\"abcdefgh\"", "\"abcdefgh\"@en", "\"abcdefgh\"@zh", "\"第一次工业革命\"", "\"第一次\"", "\"\""],
      ["-5", "3", "9223372036854775807", "-9223372036854775807", "0", "-1"],
      ["2", "2.0", "1.5", "-3", "10", "-3.00", "9.99"],
      ["zeta", "\"zeta\"", "7", "true", "false", "@2024-01-01", "@2024-01", "@1694", "-2.5", "alpha"],
    ]
    var text = ""
    for (g, values) in groups.enumerated() {
      for value in values { text += "w(g\(g), \(value)). " }
    }
    text += "mn(G, min(V)) :- w(G, V). mx(G, max(V)) :- w(G, V). ?- w(G, V). ?- mn(G, V). ?- mx(G, V)."
    for configuration in EngineConfiguration.all {
      let answers = try Differential.engine(text: text, triples: cornerTriples, configuration)
      let all = try #require(answers[0])
      #expect(all.count == groups.map(\.count).reduce(0, +), "\(configuration): a value did not parse as meant")
      var expectedMin: Set<[Value]> = []
      var expectedMax: Set<[Value]> = []
      for group in Set(all.map { $0[0] }) {
        let values = all.filter { $0[0] == group }.map { $0[1] }
        let sorted = values.sorted { Value.compare($0, $1) < 0 }
        expectedMin.insert([group, sorted[0]])
        expectedMax.insert([group, sorted[sorted.count - 1]])
      }
      #expect(answers[1] == expectedMin, "\(configuration)")
      #expect(answers[2] == expectedMax, "\(configuration)")
    }
  }

  /// A query of one stored predicate (or `triple`), each argument a distinct variable, is
  /// answered from the index's matches: in value order, ordered and limited as asked, and the
  /// same rows in the same order as when a rule has to run (`X = X` keeps the query's rule).
  @Test(arguments: [
    ("?- e(X, Y).", ["a b", "b c", "c a", "c d"]),
    ("?- e(X, Y) order by Y desc limit 2.", ["c d", "b c"]),
    ("?- val(X, V) order by V desc.", ["b 5", "c 5", "a 1"]),
    ("?- triple(S, P, O) limit 3.", ["a e b", "a f b", "a val 1"]),
    ("?- f(Y, X).", ["a b", "c c", "d a", "d d"]),
  ])
  func storedAtomsAnsweredFromTheIndex(query: String, expected: [String]) throws {
    let forced = query.replacingOccurrences(of: ")", with: "), X = X", options: [], range: query.range(of: ")"))
      .replacingOccurrences(of: "triple(S, P, O), X = X", with: "triple(S, P, O), S = S")
    for configuration in EngineConfiguration.all {
      let rows = try orderedRows(query, configuration)
      #expect(rows.map { $0.map(\.description).joined(separator: " ") } == expected, "\(configuration)")
      #expect(try orderedRows(forced, configuration) == rows, "\(configuration): \(forced)")
    }
  }

  /// Building an answer counts against the memory limit, on each path: 20,000 stored pairs
  /// read from the index, and the same pairs copied by a rule, stop a 200 KB budget with the
  /// memory error (before, stored rows were read and sorted whatever the limit).
  @Test func answersCountAgainstTheMemoryLimit() throws {
    let triples = (0..<20_000).map { Triple("n\($0)", "e", .entity("m\($0)")) }
    for text in ["?- e(X, Y).", "?- e(X, Y) limit 1.", "c(X, Y) :- e(X, Y). ?- c(X, Y).", "?- e(X, Y), X != m1."] {
      let interpreter = Interpreter(source: IndexedSource(triples).graph, limits: EvaluationLimits(timeout: 20, maxDerivedFacts: 1_000_000, maxMemory: 200_000))
      let (program, errors) = Parser.parse(SourceText(name: "t.dl", text: text))
      #expect(errors.isEmpty)
      try interpreter.add(program.sourcedRules)
      let (checked, _) = interpreter.check([], program.sourcedQueries)
      #expect(throws: DiagnosticError.self, "\(text)") {
        _ = try interpreter.answer(checked.queries[0], predicates: checked.predicates)
      }
      do {
        _ = try interpreter.answer(checked.queries[0], predicates: checked.predicates)
      } catch {
        #expect(error.description.contains("took more than"), "\(text): \(error)")
      }
    }
  }

  /// Order and limit are kept by every path: the closure answered from the matrix, from the
  /// relation, sorted by a packed key, descending, limited.
  @Test(arguments: [
    "?- path(X, Y).",
    "?- path(X, Y) limit 5.",
    "?- path(X, Y) order by Y desc.",
    "?- path(X, Y) order by Y desc, X limit 7.",
    "?- path(Y, X) order by X.",
    "?- path(X, Y), e(Y, Z).",
  ])
  func orderedAnswers(query: String) throws {
    var reference: [[Value]]?
    for rules in [rightLinear, leftLinear] {
      for configuration in EngineConfiguration.all {
        let rows = try orderedRows(rules + query, configuration)
        if let reference {
          #expect(rows == reference, "\(configuration) \(rules)")
        } else {
          reference = rows
          #expect(!rows.isEmpty)
        }
      }
    }
    // The reference itself is in value order (or the order asked for).
    if let reference, !query.contains("order by") {
      #expect(reference == reference.sorted { $0.lexicographicallyPrecedes($1, by: <) })
    }
  }

  private func orderedRows(_ text: String, _ configuration: EngineConfiguration) throws -> [[Value]] {
    let interpreter = Interpreter(source: configuration.indexed ? IndexedSource(cornerTriples).graph : ArrayTripleSource(cornerTriples))
    interpreter.useMagicSets = configuration.magic
    interpreter.useDenseClosures = configuration.dense
    interpreter.useInlining = configuration.inlining
    interpreter.denseMinimumWidth = 1
    let source = SourceText(name: "t.dl", text: text)
    let (program, errors) = Parser.parse(source)
    #expect(errors.isEmpty)
    try interpreter.add(program.sourcedRules)
    let (checked, _) = interpreter.check([], program.sourcedQueries)
    let result = try interpreter.answer(checked.queries[0], predicates: checked.predicates)
    #expect(result.rowCount == result.rows.count)
    return result.rows
  }

  @Test func transposeMatchesBruteForce() {
    var random = SeededRandom(seed: 13)
    for size in [1, 63, 64, 65, 130, 200] {
      let matrix = DenseMatrix(size: size, keyedBySecond: true)
      var expected = Set<[Int]>()
      for _ in 0..<(size * 3) {
        let a = random.below(size)
        let b = random.below(size)
        matrix.bits[a * matrix.words + b / 64] |= 1 << UInt64(b % 64)
        expected.insert([a, b])
      }
      matrix.count = expected.count
      let t = matrix.transposed()
      #expect(t.keyedBySecond == false)
      var found = Set<[Int]>()
      for row in 0..<size {
        for bit in 0..<size where t.bits[row * t.words + bit / 64] & (1 << UInt64(bit % 64)) != 0 {
          found.insert([bit, row])
        }
      }
      #expect(found == expected, "size \(size)")
    }
  }

  @Test func radixSortMatchesSort() {
    var random = SeededRandom(seed: 7)
    for (n, bits) in [(0, 8), (1, 8), (300, 5), (5_000, 22), (20_000, 64), (3_000, 40)] {
      var keys = (0..<n).map { _ in random.next() & (bits >= 64 ? ~0 : (1 << UInt64(bits)) - 1) }
      let expected = keys.sorted()
      RadixSort.sort(&keys, significantBits: bits)
      #expect(keys == expected, "n \(n) bits \(bits)")
    }
  }
}
