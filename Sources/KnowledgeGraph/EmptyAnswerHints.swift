// Never silently empty: when a query has no answer and one of its constants looks like a slip,
// a warning says so, with a suggestion. The slips recognised:
//
//   - an entity that no stored triple and no rule in force mentions (`bank_of_englnd`, `央行`):
//     the hint names the entity whose label or alias is that text (as `find` matches names:
//     case, width and spacing aside), else the nearest ids by edit distance;
//   - a string that is stored only with a language tag (`"英格兰银行"` where the store holds
//     `"英格兰银行"@zh`), or only without one, or with other tags: the hint gives the stored forms;
//   - a date the store does not hold at that precision (`@1694` where it holds `@1694-07-27`):
//     the hint gives the stored dates of that year;
//   - an integer compared with a value of a predicate whose range is `date` (`founded_on(X, D),
//     D < 1700`): dates and integers never compare, the hint writes it with `year_of`.
//
// And at check time, a predicate the store does not know whose name is the label of one it
// does (`资助(X, Y)` for `financed`) gets that predicate as its suggestion.
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
    var hints: [Diagnostic] = []
    hints += dateComparisonHints(query)
    for literal in query.query.body {
      switch literal {
      case .atom(let atom):
        guard atom.predicate == "triple" || Builtins.named(atom.predicate) == nil else { continue }
        let facts = atom.predicate == "triple" || !derived.contains(atom.predicate)
        for case .constant(let value, let span) in atom.arguments {
          if case .entity = value { candidates.append((value, span)) }
          if case .string = value, facts { candidates.append((value, span)) }
          if case .date = value, facts { candidates.append((value, span)) }
        }
      case .comparison(let c) where c.op == .equal:
        for side in [c.left, c.right] {
          if case .term(.constant(.entity(let name), let span)) = side { candidates.append((.entity(name), span)) }
        }
      default:
        continue
      }
    }
    guard !candidates.isEmpty else { return hints }
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
    guard !unknown.isEmpty else { return hints }
    /// What a text names (an exact label or alias): "is the label of `x`", "is an alias of `x`"
    /// or "names `x`, `y`", and the one entity when there is one.
    func named(_ text: String) -> (phrase: String, entity: String?)? {
      switch store.resolve(name: text) {
      case .entity(let id):
        guard let match = store.search(text, limit: 5).first(where: { $0.id == id && $0.match == .exact && $0.field != .id }) else { return nil }
        return ("is \(match.field == .alias ? "an alias" : "the label") of `\(id)`", id)
      case .ambiguous(let matches):
        return ("names \(matches.map { "`\($0.id)`" }.joined(separator: ", "))", nil)
      case .unknown:
        return nil
      }
    }
    for (value, span) in unknown {
      let location = query.source.location(of: span)
      switch value {
      case .entity(let name):
        var help: String?
        if let naming = named(name) {
          help = "`\(name)` \(naming.phrase); queries name entities by id" + (naming.entity.map { ": write `\($0)`" } ?? "")
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
        if let naming = named(text) {
          help = (help.map { $0 + "; " } ?? "") + "it " + naming.phrase
        }
        let what = language == nil && !forms.isEmpty ? "is stored only with a language tag" : "is not a stored value"
        hints.append(Diagnostic(.warning, code: forms.isEmpty ? "unknown-constant" : "language-tag", "\(value) \(what), so the answer is empty", at: location, help: help))
      case .date(let date):
        let others = QuerySession.storedDates(inYear: date.year, in: dictionary).filter { $0 != date && stored(.date($0)) }
        let help = others.isEmpty
          ? "a date matches only a date of the same precision (@1694, @1694-07 and @1694-07-27 differ); `year_of(D) = \(date.year)` matches any date in \(date.year)"
          : "the store holds \(others.prefix(5).map(\.description).joined(separator: ", ")) in \(date.year); a date matches only a date of the same precision: write \(others.count == 1 ? "that" : "one of those"), or `year_of(D) = \(date.year)`"
        hints.append(Diagnostic(.warning, code: "date-precision", "\(date) is not a stored value, so the answer is empty", at: location, help: help))
      default:
        continue
      }
    }
    return hints
  }

  /// Warnings for comparisons of an integer with a variable that holds the dates of a stored
  /// predicate (its declared range is `date`): such comparisons are never true.
  private func dateComparisonHints(_ query: SourcedQuery) -> [Diagnostic] {
    var dateVariables: [String: String] = [:]
    for literal in query.query.body {
      guard case .atom(let atom) = literal, atom.arguments.count == 2, case .variable(let name, _) = atom.arguments[1] else { continue }
      if store.triples(subject: atom.predicate, predicate: GraphSchema.range).contains(where: { $0.object == .entity("date") }) {
        dateVariables[name] = atom.predicate
      }
    }
    guard !dateVariables.isEmpty else { return [] }
    var hints: [Diagnostic] = []
    for literal in query.query.body {
      guard case .comparison(let c) = literal else { continue }
      for (side, other) in [(c.left, c.right), (c.right, c.left)] {
        guard case .term(.variable(let name, let span)) = side, let predicate = dateVariables[name],
          case .term(.constant(.integer(let n), _)) = other
        else { continue }
        hints.append(Diagnostic(
          .warning, code: "date-integer", "`\(name)` holds dates (the range of `\(predicate)`) and \(n) is an integer: a date and an integer never compare, so the answer is empty",
          at: query.source.location(of: span), help: "compare the year: `year_of(\(name)) \(c.op.rawValue) \(n)`, or a date: `\(name) \(c.op.rawValue) @\(n)`"))
      }
    }
    return hints
  }

  /// The dates a dictionary holds in a year, in order.
  static func storedDates(inYear year: Int, in dictionary: TermDictionary) -> [DateValue] {
    var dates: [DateValue] = []
    for id in 0..<dictionary.count {
      if case .date(let d) = dictionary.value(of: TermID(id)), d.year == year { dates.append(d) }
    }
    return dates.sorted()
  }

  /// Check errors for unknown predicates, with the stored predicate whose label or alias is the
  /// name as the suggestion (`资助(X, Y)` → `financed`).
  func predicateLabelHints(_ diagnostics: [Diagnostic], _ program: Program) -> [Diagnostic] {
    guard diagnostics.contains(where: { $0.code == "unknown-predicate" }) else { return diagnostics }
    let atoms = program.rules.flatMap { Literal.atoms(in: $0.body) } + program.queries.flatMap { Literal.atoms(in: $0.body) }
    // Names that are a stored predicate's label, first; only their atoms are located (a text
    // can hold thousands of unknown names on one long line).
    let stored = interpreter.storedPredicates
    let known = Set(interpreter.rules.map(\.rule.head.predicate)).union(stored)
    var labelled: [String: String] = [:]
    var tried = Set<String>()
    for atom in atoms where !known.contains(atom.predicate) && Builtins.named(atom.predicate) == nil && tried.insert(atom.predicate).inserted {
      if let id = store.resolveID(atom.predicate), stored.contains(id) { labelled[atom.predicate] = id }
    }
    guard !labelled.isEmpty else { return diagnostics }
    let candidates = atoms.filter { labelled[$0.predicate] != nil }
    return diagnostics.map { diagnostic in
      guard diagnostic.code == "unknown-predicate", let location = diagnostic.location,
        let atom = candidates.first(where: {
          let at = program.source.location(of: $0.predicateSpan)
          return at.line == location.line && at.column == location.column
        }),
        let id = labelled[atom.predicate]
      else { return diagnostic }
      var hinted = diagnostic
      let arguments = atom.arguments.isEmpty ? "" : "(" + program.source.slice(SourceSpan(start: atom.arguments[0].span.start, end: atom.arguments[atom.arguments.count - 1].span.end)) + ")"
      hinted.help = "`\(atom.predicate)` is the label of the predicate `\(id)`; queries name predicates by id: write `\(id)\(arguments)`"
      return hinted
    }
  }

  /// The terms of a literal, in order (atom arguments and the terms of both sides of a comparison).
  private static func terms(_ literal: Literal) -> [Term] {
    switch literal {
    case .atom(let a), .negated(let a, _): a.arguments
    case .comparison(let c): c.left.terms + c.right.terms
    case .disjunction(let branches, _): branches.flatMap { $0.flatMap(terms) }
    case .aggregate(let a): a.terms + a.body.flatMap(terms)
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
