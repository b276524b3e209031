// Embedding Xinzhi: create a store, write facts with their provenance, add rules, ask a
// question with a bound parameter, read typed answers with labels and citations, and draw the
// neighbourhood of an entity as a Graphviz picture.
//
// usage: swift run CitationReport DIRECTORY   (a new store is created there)
// Exits 1 if an answer is not the one expected, so CI checks the library, not just the build.

import Foundation  // exit
import KnowledgeGraph

func main() throws(DiagnosticError) -> Int32 {
  guard CommandLine.arguments.count == 2 else {
    print("usage: CitationReport DIRECTORY")
    return 64
  }
  let directory = CommandLine.arguments[1]

  // A new store, and two transactions, each citing the passage its facts come from.
  let store = try GraphStore.create(at: directory)
  try store.transact(
    asserting: [
      Triple("bank_of_england", "type", .entity("central_bank")),
      Triple("bank_of_england", "label", .string("英格兰银行", language: "zh")),
      Triple("bank_of_england", "label", .string("Bank of England", language: "en")),
      Triple("bank_of_england", "founded_in", .integer(1694)),
      Triple("bank_of_england", "financed", .entity("the_crown")),
      Triple("the_crown", "label", .string("the Crown", language: "en")),
    ],
    metadata: [("source", "000:L164-L172"), ("claim", "historical")])
  try store.transact(
    asserting: [
      Triple("the_crown", "financed", .entity("royal_navy")),
      Triple("royal_navy", "label", .string("Royal Navy", language: "en")),
    ],
    metadata: [("source", "an example"), ("claim", "historical")])

  // Rules for this session: who reaches whom through financing.
  let session = try QuerySession(store: store)
  _ = try session.run(
    """
    reaches(X, Y) :- financed(X, Y).
    reaches(X, Z) :- reaches(X, Y), financed(Y, Z).
    """, name: "rules")

  // A question with a bound parameter; typed rows, labels in English.
  let answer = try session.answer(
    "?- reaches($from, Y).", parameters: ["from": .entity("bank_of_england")], labelsIn: "en")
  var reached: [String] = []
  for row in answer {
    let entity = row["Y"]?.entityID ?? "?"
    reached.append(entity)
    print("bank_of_england reaches \(entity) (\(row.label("Y") ?? "no label"))")
  }

  // Where a stored fact comes from.
  let fact = Triple("bank_of_england", "financed", .entity("the_crown"))
  print("financed(bank_of_england, the_crown) cites \(store.citations(of: fact).joined(separator: ", "))")

  // The neighbourhood of the bank as a Graphviz picture, labelled in English.
  var picture = GraphPicture()
  picture.around = "bank_of_england"
  picture.depth = 2
  picture.language = "en"
  let dot = try store.dot(picture)
  print("picture: \(dot.split(separator: "\n").count) lines of DOT")

  // What CI checks.
  let expected = ["royal_navy", "the_crown"]
  guard reached.sorted() == expected, store.citations(of: fact) == ["000:L164-L172"], dot.contains("Bank of England") else {
    print("unexpected answers: \(reached)")
    return 1
  }
  return 0
}

do {
  let status = try main()
  exit(status)
} catch {
  print(error.description)
  exit(error.diagnostics.first?.category.exitStatus ?? 70)
}
