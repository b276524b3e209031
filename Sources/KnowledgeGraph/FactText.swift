// Turns fact text (`edge(a, b). label(a, "甲"@zh).`) into triples for `assert` and `retract`.

import Diagnostics
import GraphModel
import QueryLanguage

/// Reads facts written in the query language's fact syntax.
public enum FactText {
  /// Parses ground binary facts `p(subject, object).` (or `triple(s, p, o).`) into triples.
  ///
  /// - Parameters:
  ///   - text: The facts.
  ///   - name: The name used in diagnostics (`<arguments>`, `<stdin>`, a path).
  ///   - firstLine: The line number of the text's first line, for fragments of a larger file.
  /// - Throws: `DiagnosticError` (65) listing every clause that is not such a fact.
  public static func triples(from text: String, name: String, firstLine: Int = 1) throws(DiagnosticError) -> [Triple] {
    let source = SourceText(name: name, text: text, firstLine: firstLine)
    let (program, parseDiagnostics) = Parser.parse(source)
    var diagnostics = parseDiagnostics
    var triples: [Triple] = []
    for clause in program.clauses {
      switch clause {
      case .query(let query):
        diagnostics.append(.error(code: "fact-expected", "expected facts, found a query", in: source, at: query.span, help: "run queries with `xinzhi query`"))
      case .declaration(let declaration):
        diagnostics.append(.error(code: "fact-expected", "expected facts, found a declaration; declarations are not stored in the log", in: source, at: declaration.span, help: "put it in the store's rules.dl, or in the script that uses it"))
      case .rule(let rule):
        guard rule.isFact else {
          diagnostics.append(.error(code: "fact-expected", "expected facts, found a rule; rules are not stored in the log", in: source, at: rule.span, help: "put standing rules in the store's rules.dl, or use them in a query"))
          continue
        }
        var terms: [Term] = []
        var aggregate = false
        for argument in rule.head.arguments {
          switch argument {
          case .term(let t): terms.append(t)
          case .aggregate: aggregate = true
          }
        }
        if aggregate {
          diagnostics.append(.error(code: "fact-expected", "a fact cannot hold an aggregate", in: source, at: rule.head.span))
          continue
        }
        var values: [Value] = []
        var bad = false
        for term in terms {
          switch term {
          case .constant(let v, _): values.append(v)
          case .variable(let name, let span):
            diagnostics.append(.error(code: "fact-variable", "facts must be ground, but `\(name)` is a variable", in: source, at: span, help: "write constants in lower case (`bank_of_england`) or quote them ('Bank')"))
            bad = true
          case .anonymous(let span):
            diagnostics.append(.error(code: "fact-variable", "facts must be ground, but `_` is a variable", in: source, at: span))
            bad = true
          case .parameter(let name, let span):
            diagnostics.append(.error(code: "fact-variable", "parameter `$\(name)` has no value here", in: source, at: span))
            bad = true
          }
        }
        if bad { continue }
        let predicate = rule.head.predicate
        if predicate == "triple" && values.count == 3 {
          guard case .entity(let s) = values[0] else {
            diagnostics.append(.error(code: "fact-subject", "the subject of a triple must be an entity, found \(values[0].kind.name) `\(values[0])`", in: source, at: terms[0].span))
            continue
          }
          guard case .entity(let p) = values[1] else {
            diagnostics.append(.error(code: "fact-predicate", "the predicate of a triple must be an entity, found \(values[1].kind.name) `\(values[1])`", in: source, at: terms[1].span))
            continue
          }
          triples.append(Triple(s, p, values[2]))
          continue
        }
        guard values.count == 2 else {
          diagnostics.append(.error(
            code: "fact-arity", "stored facts are binary, `\(predicate)(subject, object)`, but this one has \(values.count) argument\(values.count == 1 ? "" : "s")",
            in: source, at: rule.head.span,
            help: values.count > 2 ? "model the extra parts as a node with named roles, e.g. `loan_1(x). amount(loan_1, 1.2).`" : nil))
          continue
        }
        guard case .entity(let s) = values[0] else {
          diagnostics.append(.error(code: "fact-subject", "the subject of `\(predicate)` must be an entity, found \(values[0].kind.name) `\(values[0])`", in: source, at: terms[0].span))
          continue
        }
        triples.append(Triple(s, predicate, values[1]))
      }
    }
    if !diagnostics.isEmpty { throw DiagnosticError(diagnostics) }
    return triples
  }
}
