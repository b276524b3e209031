// Prints IR rules, atoms and plan steps in query-language syntax, for `explain` and `why`.

import GraphModel
import QueryIR
import QueryLanguage

struct IRPrinter {
  let program: IRProgram
  let operations: ValueOperations

  func term(_ t: IRTerm, _ rule: IRRule) -> String {
    switch t {
    case .variable(let v): v < rule.variableNames.count ? rule.variableNames[v] : "V\(v)"
    case .constant(let c): operations.value(c).description
    case .wildcard: "_"
    }
  }

  func atom(_ a: IRAtom, _ rule: IRRule) -> String {
    let name = program.predicates[a.predicate].name
    if a.terms.isEmpty { return name }
    return name + "(" + a.terms.map { term($0, rule) }.joined(separator: ", ") + ")"
  }

  func expression(_ e: IRExpression, _ rule: IRRule, nested: Bool = false) -> String {
    switch e {
    case .term(let t): return term(t, rule)
    case .binary(let op, let l, let r):
      let text = expression(l, rule, nested: true) + " \(op.rawValue) " + expression(r, rule, nested: true)
      return nested ? "(" + text + ")" : text
    case .negate(let inner): return "-" + expression(inner, rule, nested: true)
    case .call(let f, let args): return f.rawValue + "(" + args.map { expression($0, rule) }.joined(separator: ", ") + ")"
    }
  }

  func literal(_ l: IRLiteral, _ rule: IRRule) -> String {
    switch l {
    case .positive(let a): return atom(a, rule)
    case .negative(let a): return "not " + atom(a, rule)
    case .test(let t, let args, let negated):
      return (negated ? "not " : "") + t.rawValue + "(" + args.map { expression($0, rule) }.joined(separator: ", ") + ")"
    case .compare(let op, let l, let r): return expression(l, rule) + " \(op.rawValue) " + expression(r, rule)
    }
  }

  func rule(_ r: IRRule) -> String {
    var headTerms = r.head.terms.map { term($0, r) }
    for aggregate in r.aggregates where aggregate.position < headTerms.count {
      headTerms[aggregate.position] = aggregate.function.rawValue + "(" + aggregate.terms.map { term($0, r) }.joined(separator: ", ") + ")"
    }
    let name = program.predicates[r.head.predicate].name
    let head = headTerms.isEmpty ? name : name + "(" + headTerms.joined(separator: ", ") + ")"
    if r.origin.note == "query", let text = r.origin.queryText { return text }
    if r.body.isEmpty { return head + "." }
    return head + " :- " + r.body.map { literal($0, r) }.joined(separator: ", ") + "."
  }

  /// How a planned step reads its data, e.g. `stored, index pos (? p o)`.
  func access(_ step: PlanStep) -> String {
    func shape(_ s: Bool, _ p: Bool, _ o: Bool) -> String {
      let text = (s ? "s" : "?") + " " + (p ? "p" : "?") + " " + (o ? "o" : "?")
      let order: String
      switch (s, p, o) {
      case (true, true, true): order = "spo membership"
      case (true, true, false), (true, false, false), (false, false, false): order = "spo"
      case (true, false, true), (false, false, true): order = "osp"
      case (false, true, _): order = "pos"
      }
      return "index \(order) (\(text))"
    }
    switch step {
    case .relation(_, let version, let args):
      let keys = args.enumerated().filter { $0.element.isKey }.map { String($0.offset + 1) }
      let rows = version == .all ? "" : ", \(version.rawValue) rows"
      if keys.count == args.count { return "relation, lookup\(rows)" }
      return keys.isEmpty ? "relation, scan\(rows)" : "relation, hash index on column \(keys.joined(separator: ","))\(rows)"
    case .stored(_, let args):
      return "stored, " + shape(args[0].isKey, true, args[1].isKey)
    case .triple(let args):
      return "stored, " + shape(args[0].isKey, args[1].isKey, args[2].isKey)
    case .provenance:
      return "provenance of stored triples"
    case .negation:
      return "negation, existence check"
    case .test:
      return "test"
    case .compare:
      return "comparison"
    case .assign:
      return "assignment"
    }
  }
}
