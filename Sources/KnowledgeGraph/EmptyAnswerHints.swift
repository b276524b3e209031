// Never silently empty: when a query has no answer and one of its constants looks like a slip,
// a warning says so, with a suggestion. Two slips are recognised:
//
//   - an entity that no stored triple and no rule in force mentions (`bank_of_englnd`): the hint
//     names the entity whose label is that text, else the nearest ids by edit distance;
//   - a string that is stored only with a language tag (`"英格兰银行"` where the store holds
//     `"英格兰银行"@zh`), or only without one, or with other tags: the hint gives the stored forms.
//
// The answer itself is unchanged; the warnings go where the caller sends warnings (stderr).

import Diagnostics
import GraphModel
import QueryLanguage

extension QuerySession {
  /// Warnings for an empty answer whose query mentions a constant that is likely a slip.
  func emptyAnswerHints(_ query: SourcedQuery) -> [Diagnostic] {
    // Only where an unknown constant can empty the answer: arguments of positive atoms over
    // facts, and a whole side of `=`. Under `not` or `!=` it makes the literal hold; builtins
    // (`lang(L, "en")`, `contains(S, "x")`, `tx_meta(T, source, S)`) take values that are not
    // stored facts. Strings only where the values are stored ones: rules may compute strings
    // (`concat`), never entities.
    let derived = Set(interpreter.rules.map(\.rule.head.predicate))
    var candidates: [(Value, SourceSpan)] = []
    for literal in query.query.body {
      switch literal {
      case .atom(let atom):
        guard atom.predicate == "triple" || Builtins.named(atom.predicate) == nil else { continue }
        let facts = atom.predicate == "triple" || !derived.contains(atom.predicate)
        for case .constant(let value, let span) in atom.arguments {
          if case .entity = value { candidates.append((value, span)) }
          if case .string = value, facts { candidates.append((value, span)) }
        }
      case .comparison(let c) where c.op == .equal:
        for side in [c.left, c.right] {
          if case .term(.constant(.entity(let name), let span)) = side { candidates.append((.entity(name), span)) }
        }
      default:
        continue
      }
    }
    guard !candidates.isEmpty else { return [] }
    let source = store.tripleSource
    let dictionary = source.dictionary
    func stored(_ value: Value) -> Bool {
      guard let id = dictionary.id(of: value) else { return false }
      return source.count(TriplePattern(s: id)) + source.count(TriplePattern(p: id)) + source.count(TriplePattern(o: id)) > 0
    }
    var ruleConstants = Set<Value>()
    for sourced in interpreter.rules {
      for case .term(.constant(let v, _)) in sourced.rule.head.arguments { ruleConstants.insert(v) }
      for literal in sourced.rule.body { for case .constant(let v, _) in QuerySession.terms(literal) { ruleConstants.insert(v) } }
    }
    var seen = Set<Value>()
    let unknown = candidates.filter { value, _ in seen.insert(value).inserted && !stored(value) && !ruleConstants.contains(value) }
    guard !unknown.isEmpty else { return [] }
    // Read once for all the hints: which entity each label names.
    var labelled: [String: String] = [:]
    for label in store.labels() where labelled[label.text].map({ label.entity < $0 }) ?? true {
      labelled[label.text] = label.entity
    }
    var hints: [Diagnostic] = []
    for (value, span) in unknown {
      let location = query.source.location(of: span)
      switch value {
      case .entity(let name):
        var help: String?
        if let entity = labelled[name] {
          help = "`\(name)` is the label of `\(entity)`; queries name entities by id: write `\(entity)`"
        } else if let suggestion = Suggestions.didYouMean(name, in: store.entityNames()) {
          help = suggestion
        } else {
          help = "entity ids are case-sensitive; `.schema` and Tab completion list what the store holds"
        }
        hints.append(Diagnostic(.warning, code: "unknown-constant", "no stored fact and no rule mentions `\(name)`, so the answer is empty", at: location, help: help))
      case .string(let text, let language):
        let forms = QuerySession.storedForms(of: text, in: dictionary).filter { $0 != value && stored($0) }
        var help: String?
        if !forms.isEmpty {
          help = "the store holds it as " + forms.map(\.description).joined(separator: ", ")
        }
        if let entity = labelled[text] {
          help = (help.map { $0 + "; " } ?? "") + "it is the label of `\(entity)`"
        }
        let what = language == nil && !forms.isEmpty ? "is stored only with a language tag" : "is not a stored value"
        hints.append(Diagnostic(.warning, code: forms.isEmpty ? "unknown-constant" : "language-tag", "\(value) \(what), so the answer is empty", at: location, help: help))
      default:
        continue
      }
    }
    return hints
  }

  /// The terms of a literal, in order (atom arguments and the terms of both sides of a comparison).
  private static func terms(_ literal: Literal) -> [Term] {
    switch literal {
    case .atom(let a), .negated(let a, _): a.arguments
    case .comparison(let c): c.left.terms + c.right.terms
    }
  }

  /// The strings in a dictionary with this text, under any language tag or none.
  static func storedForms(of text: String, in dictionary: TermDictionary) -> [Value] {
    var forms: [Value] = []
    for id in 0..<dictionary.count {
      if case .string(let s, let language) = dictionary.value(of: TermID(id)), s == text {
        forms.append(.string(s, language: language))
      }
    }
    return forms.sorted { $0.description < $1.description }
  }
}
