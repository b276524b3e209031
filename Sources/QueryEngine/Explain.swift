// `explain`: the plan of every rule variant that ran (join order, index used, estimated and
// actual rows per step), iterations and time per stratum, for one query.

import Diagnostics
import GraphModel
import QueryIR
import QueryLanguage

extension Interpreter {
  /// Answers a query and describes how: strata in evaluation order with their iterations and
  /// time, and each rule variant's plan with estimated and actual rows per step.
  ///
  /// - Parameter showTimes: Whether to print times (off for reproducible output in tests).
  public func explain(_ query: SourcedQuery, predicates: [String: PredicateInfo], showTimes: Bool = true) throws(DiagnosticError) -> (QueryResult, String) {
    let started = Budget.now()
    let (program, result) = plannedProgram(query, predicates: predicates)
    // Explain evaluates from scratch, so every stratum the query needs is shown.
    let evaluator = makeEvaluator(program, budget: Budget(limits))
    let (rows, totalRows, direct) = try evaluateAnswer(program, result, query, evaluator)
    let answer = QueryResult(columns: query.columns, answer: rows, totalRows: totalRows, query: query, seconds: Budget.now() - started)
    let printer = IRPrinter(program: program, operations: operations)
    var lines: [String] = []
    lines.append("?- " + query.source.slice(query.query.span).dropFirst(2).trimmingLeadingSpaces())
    let rewritten = program.rules.contains { $0.origin.note?.hasPrefix("magic sets") == true }
    if rewritten {
      lines.append("magic sets: the query binds arguments of derived predicates, so only the facts relevant to those bindings are derived")
    }
    for (number, stratum) in evaluator.statistics.enumerated() {
      let names = stratum.predicates.map { program.predicates[$0].name }.joined(separator: ", ")
      var header = "stratum \(number + 1): \(names)"
      header += stratum.isRecursive ? " (recursive, \(stratum.iterations) iteration\(stratum.iterations == 1 ? "" : "s"))" : " (not recursive)"
      if let size = stratum.denseSize {
        header += ", dense: bit matrix over \(size) ids, \(evaluator.count(of: stratum.predicates[0])) facts"
      }
      if showTimes { header += ", " + formatSeconds(stratum.seconds) }
      lines.append("")
      lines.append(header)
      for statistics in stratum.rules {
        let rule = program.rules[statistics.plan.rule]
        var title = "  " + printer.rule(rule)
        if let sourced = rule.origin.sourced { title += "    [\(sourced.location)]" } else if let note = rule.origin.note, note != "query" { title += "    [\(note)]" }
        lines.append(title)
        if let delta = statistics.plan.deltaLiteral, let atom = rule.body[delta].atom {
          lines.append("    variant: \(program.predicates[atom.predicate].name) at body position \(delta + 1) reads the recent rows (semi-naive), run \(statistics.runs) time\(statistics.runs == 1 ? "" : "s")")
        }
        let steps = statistics.plan.steps
        var table: [(String, String, String, String)] = []
        for (k, step) in steps.enumerated() {
          let text = printer.literal(rule.body[step.literal], rule)
          let actual = k < statistics.actualRows.count ? statistics.actualRows[k] : 0
          table.append(("\(k + 1). " + text, printer.access(step.step), "est " + formatEstimate(step.estimatedRows), "actual \(actual)"))
        }
        let w0 = table.map { DisplayWidth.of($0.0) }.max() ?? 0
        let w1 = table.map { DisplayWidth.of($0.1) }.max() ?? 0
        let w2 = table.map { DisplayWidth.of($0.2) }.max() ?? 0
        for (a, b, c, d) in table {
          lines.append("    " + pad(a, w0) + "  " + pad(b, w1) + "  " + pad(c, w2) + "  " + d)
        }
        if steps.isEmpty { lines.append("    (a fact)") }
        lines.append("    → \(statistics.derived) new fact\(statistics.derived == 1 ? "" : "s") for \(program.predicates[rule.head.predicate].name)")
      }
      for r in stratum.denseRules {
        let rule = program.rules[r]
        var title = "  " + printer.rule(rule)
        if let sourced = rule.origin.sourced { title += "    [\(sourced.location)]" }
        lines.append(title)
        let edges = evaluator.denseEdges[rule.head.predicate] ?? 0
        lines.append("    evaluated on the bit matrix: each iteration ORs the new facts along \(edges) extending edge\(edges == 1 ? "" : "s") (semi-naive, word-parallel)")
      }
    }
    if let direct {
      lines.append("")
      lines.append("answer: " + direct)
    }
    lines.append("")
    var total = "\(answer.totalRows) row\(answer.totalRows == 1 ? "" : "s")"
    if showTimes { total += " in " + formatSeconds(answer.seconds) }
    lines.append(total)
    let legend = program.auxiliaryLegend(for: lines.joined(separator: "\n"))
    if !legend.isEmpty { lines += [""] + legend }
    return (answer, lines.joined(separator: "\n"))
  }

  private func pad(_ s: String, _ width: Int) -> String {
    s + String(repeating: " ", count: max(0, width - DisplayWidth.of(s)))
  }

  private func formatEstimate(_ v: Double) -> String {
    if v > 0 && v < 0.05 { return "<0.1" }
    if v >= 100 || v == v.rounded() { return String(Int(v.rounded())) }
    let tenths = Int((v * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }

  func formatSeconds(_ s: Double) -> String {
    if s < 0.001 { return "\(Int((s * 1e6).rounded())) µs" }
    if s < 1 {
      let tenths = Int((s * 1e4).rounded())
      return "\(tenths / 10).\(tenths % 10) ms"
    }
    let hundredths = Int((s * 100).rounded())
    return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) s"
  }
}

extension StringProtocol {
  func trimmingLeadingSpaces() -> String {
    String(drop(while: { $0 == " " }))
  }
}

extension IRProgram {
  /// For each auxiliary predicate a text names (`_count1`, `_not2`, `_body3`: rules the checker
  /// made for an aggregate in a body, a negated atom with local variables, an aggregate over a
  /// disjunction), one line saying what it stands for and where that is written.
  func auxiliaryLegend(for text: String) -> [String] {
    var lines: [String] = []
    var seen = Set<Int>()
    let words = Set(text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }))
    for rule in rules {
      guard let sourced = rule.origin.sourced, let auxiliary = sourced.auxiliary, seen.insert(rule.head.predicate).inserted else { continue }
      let name = predicates[rule.head.predicate].name
      guard words.contains(Substring(name)) else { continue }
      let written = sourced.source.slice(auxiliary.span)
      let location = sourced.source.location(of: auxiliary.span)
      switch auxiliary.kind {
      case .aggregate: lines.append("\(name): the aggregate `\(written)` at \(location)")
      case .negation: lines.append("\(name): the atom of `\(written)` at \(location), its `_` variables local to it")
      case .body: lines.append("\(name): the body of the aggregate rule at \(location), all of its alternatives")
      }
    }
    return lines
  }
}
