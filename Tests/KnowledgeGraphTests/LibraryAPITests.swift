// The library as a Swift application uses it: typed answers with labels, bound parameters that
// cannot change a query's meaning, errors with stable codes, and transactions with typed values
// and a given commit time.

import KnowledgeGraph
import TestSupport
import Testing

@Suite struct LibraryAPITests {
  private func store() throws -> (TemporaryDirectory, GraphStore) {
    let dir = TemporaryDirectory()
    let store = try GraphStore.create(at: dir.file("s"))
    try store.transact(
      asserting: [
        Triple("bank_of_england", "financed", .entity("the_crown")),
        Triple("the_crown", "financed", .entity("royal_navy")),
        Triple("bank_of_england", "label", .string("英格兰银行", language: "zh")),
        Triple("the_crown", "label", .string("王室", language: "zh")),
        Triple("bank_of_england", "founded_in", .integer(1694)),
      ],
      metadata: [("source", "000:L164-L172")])
    return (dir, store)
  }

  @Test func answersAreTypedRowsWithLabels() throws {
    let (dir, store) = try store()
    defer { withExtendedLifetime(dir) {} }  // the store's directory stays while the store is open
    let session = try QuerySession(store: store)
    let answer = try session.answer("?- financed(X, Y), founded_in(X, Year).", labelsIn: "zh")
    #expect(answer.columns == ["X", "Y", "Year"])
    #expect(answer.count == 1)
    let row = try #require(answer.first)
    #expect(row["X"] == .entity("bank_of_england"))
    #expect(row["Year"] == .integer(1694))
    #expect(row[1] == .entity("the_crown"))
    #expect(row["Nope"] == nil)
    #expect(row.label("X") == "英格兰银行")
    #expect(row.label("Y") == "王室")
    #expect(row.label("Year") == nil)
    // Without a language, no labels are looked up.
    #expect(try session.answer("?- financed(X, Y).").allSatisfy { $0.labels.allSatisfy { $0 == nil } })
  }

  @Test func parametersAreBoundAsValuesNeverAsText() throws {
    let (dir, store) = try store()
    defer { withExtendedLifetime(dir) {} }  // the store's directory stays while the store is open
    let session = try QuerySession(store: store)
    let bound = try session.answer("?- financed($who, Y).", parameters: ["who": .entity("the_crown")])
    #expect(bound.map { $0["Y"] } == [.entity("royal_navy")])
    // Values keep their kind: the entity matches, the string of the same text does not.
    #expect(try session.answer("?- financed(X, Y), X = $who.", parameters: ["who": .entity("the_crown")]).count == 1)
    #expect(try session.answer("?- financed(X, Y), X = $who.", parameters: ["who": .string("the_crown")]).isEmpty)
    // A string that would be more query if it were pasted into the text is one value.
    let hostile = try session.answer(
      "?- financed(X, Y), label(X, L), L = $name.", parameters: ["name": .string("x\"@zh), financed(X, Y). ?- financed(X, Y")])
    #expect(hostile.isEmpty)
    #expect(try session.answer("?- financed(X, Y), label(X, L), L = $name.", parameters: ["name": .string("王室", language: "zh")]).count == 1)
  }

  @Test func aTextWithoutExactlyOneQueryIsRefusedBeforeAnythingRuns() throws {
    let (dir, store) = try store()
    defer { withExtendedLifetime(dir) {} }  // the store's directory stays while the store is open
    let session = try QuerySession(store: store)
    for text in ["r(X) :- financed(X, _).", "r(X) :- financed(X, _). ?- r(X). ?- r(Y)."] {
      do {
        _ = try session.answer(text)
        Issue.record("accepted: \(text)")
      } catch {
        #expect(error.diagnostics.first?.code == "answer-query-count", "\(error)")
      }
    }
    // Nothing of those texts was added to the session.
    #expect(session.rules.isEmpty)
    // A syntax error is reported as such, with its place.
    do {
      _ = try session.answer("?- financed(X, .")
      Issue.record("accepted a broken query")
    } catch {
      #expect(error.diagnostics.first?.location?.line == 1, "\(error)")
      #expect(error.diagnostics.first?.code != "answer-query-count")
    }
    // An unknown predicate has its stable code.
    do {
      _ = try session.answer("?- finaced(X, Y).")
      Issue.record("accepted an unknown predicate")
    } catch {
      #expect(error.diagnostics.first?.code == "unknown-predicate", "\(error)")
    }
  }

  @Test func aTransactionMayCarryTheCommitTimeItHadElsewhere() throws {
    let (dir, store) = try store()
    defer { withExtendedLifetime(dir) {} }  // the store's directory stays while it is written
    let number = try store.transact([
      GraphStore.TransactionDraft(asserting: [Triple("a", "p", .entity("b"))], metadata: [("source", "x")], timestamp: "1999-12-31T23:59:59Z")
    ]).lowerBound
    #expect(store.transactionInfo(number)?.timestamp == "1999-12-31T23:59:59Z")
    do {
      try store.transact([GraphStore.TransactionDraft(asserting: [Triple("a", "p", .entity("c"))], timestamp: "yesterday")])
      Issue.record("accepted a malformed time")
    } catch {
      #expect(error.diagnostics.first?.code == "timestamp", "\(error)")
    }
    #expect(!store.contains(Triple("a", "p", .entity("c"))))
  }
}
