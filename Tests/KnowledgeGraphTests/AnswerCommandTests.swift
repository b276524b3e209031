// Issue 13 through the `xinzhi` command, the path users take: a closure's bits count as facts only
// when something materialises them; an aggregate over a closure or a stored pattern counts in
// place; long answers stream in every format and agree with each other; a text's facts are data,
// evaluated once for all its queries, and `why` still points at the line that states a fact.

import Testing
import TestSupport

/// A store holding a chain n0 → n1 → … → n(count-1) of `edge` facts.
private func chainStore(_ dir: TemporaryDirectory, count: Int) -> String {
  let store = dir.file("chain")
  _ = xinzhi(["init", store])
  let facts = (0..<(count - 1)).map { "edge(n\($0), n\($0 + 1))." }.joined(separator: " ")
  let asserted = xinzhi(["--store", store, "assert", facts])
  #expect(asserted.status == 0, "\(asserted.stderr)")
  return store
}

private let closure = "path(X, Y) :- edge(X, Y). path(X, Y) :- path(X, Z), edge(Z, Y). "

@Suite struct AnswerCommandTests {
  /// 100 nodes: 4,950 pairs, over a cap of 1,000 facts. Counting them or printing them derives no
  /// fact; a rule that copies them does, and meets the cap.
  @Test func aClosureCountsAsFactsOnlyWhenMaterialised() throws {
    let dir = TemporaryDirectory()
    let store = chainStore(dir, count: 100)
    let counted = xinzhi(["--store", store, "query", closure + "n(count(X, Y)) :- path(X, Y). ?- n(N).", "--format", "tsv", "--max-facts", "1000"])
    #expect(counted.status == 0, "\(counted.stderr)")
    #expect(counted.stdout == "N\n4950\n")
    let grouped = xinzhi(["--store", store, "query", closure + "k(X, count(Y)) :- path(X, Y). ?- k(n0, N).", "--format", "tsv", "--max-facts", "1000"])
    #expect(grouped.stdout == "N\n99\n", "\(grouped.stderr)")
    let printed = xinzhi(["--store", store, "query", closure + "?- path(X, Y).", "--format", "tsv", "--max-facts", "1000"])
    #expect(printed.status == 0, "\(printed.stderr)")
    #expect(printed.stdout.split(separator: "\n").count == 4951)
    let copied = xinzhi(["--store", store, "query", closure + "q(X, Y) :- path(X, Y), X != n0. ?- q(X, Y).", "--format", "tsv", "--max-facts", "1000"])
    #expect(copied.status == 65)
    #expect(copied.stderr.contains("1,000") || copied.stderr.contains("1000"), "\(copied.stderr)")
  }

  /// Every format prints the same rows in the same order, whichever path produced them.
  @Test func formatsAgreeOnALongAnswer() throws {
    let dir = TemporaryDirectory()
    let store = chainStore(dir, count: 120)
    let tsv = xinzhi(["--store", store, "query", closure + "?- path(X, Y).", "--format", "tsv"])
    let rows = tsv.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
    #expect(rows.count == 120 * 119 / 2)
    // Value order: n0 < n1 < n10 < n100 < n101 ... (code points), then the second column.
    #expect(rows == rows.sorted { $0.lexicographicallyPrecedes($1) })
    let csv = xinzhi(["--store", store, "query", closure + "?- path(X, Y).", "--format", "csv"])
    #expect(csv.stdout.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",").map(String.init) } == rows)
    let json = xinzhi(["--store", store, "query", closure + "?- path(X, Y) limit 2.", "--format", "json"])
    #expect(json.stdout == "{\"columns\":[\"X\",\"Y\"],\"rows\":[[{\"entity\":\"n0\"},{\"entity\":\"n1\"}],[{\"entity\":\"n0\"},{\"entity\":\"n10\"}]]}\n")
    let table = xinzhi(["--store", store, "query", closure + "?- path(X, Y) order by Y desc limit 3."])
    #expect(table.stdout == "X    Y\n---  ---\nn0   n99\nn1   n99\nn10  n99\n(3 of 7,140 rows: limit 3)\n")
  }

  /// 20,000 facts written in one text and 30 queries: the facts are evaluated once (before,
  /// every query re-checked and re-planned every fact as a rule); answers and `why` are as before.
  @Test func aTextsFactsAreDataForAllItsQueries() throws {
    let dir = TemporaryDirectory()
    let store = dir.file("empty")
    _ = xinzhi(["init", store])
    var text = (0..<20_000).map { "link(m\($0), m\(($0 * 7 + 3) % 20_000))." }.joined(separator: "\n")
    text += "\ntwo(X, Z) :- link(X, Y), link(Y, Z).\n"
    text += (0..<30).map { "?- two(m\($0), Z)." }.joined(separator: "\n")
    let path = dir.write("facts.dl", text)
    let run = xinzhi(["--store", store, "run", path, "--format", "tsv"], timeout: 120)
    #expect(run.status == 0, "\(run.stderr)")
    // One header and one row per query; a blank line and `-- query N` before each after the first.
    let lines = run.stdout.split(separator: "\n").filter { !$0.hasPrefix("-- query ") }
    #expect(lines.count == 60)
    #expect(run.stdout.contains("\n\n-- query 30\nZ\n"))
    // m0 → m3 → m24.
    #expect(lines[0] == "Z" && lines[1] == "m24")
    let why = xinzhi(["--store", store, "why", "link(a, b). link(b, c). two(X, Z) :- link(X, Y), link(Y, Z). two(a, c)."])
    #expect(why.status == 0, "\(why.stderr)")
    #expect(why.stdout.contains("link(a, b).   [<arguments>:1:1]"), "\(why.stdout)")
    #expect(why.stdout.contains("link(b, c).   [<arguments>:1:13]"), "\(why.stdout)")
    let whyNot = xinzhi(["--store", store, "why-not", "link(a, b). link(b, c). link(a, c)."])
    #expect(whyNot.stdout.contains("the text states 2 facts of link; none is link(a, c)"), "\(whyNot.stdout)")
  }
}
