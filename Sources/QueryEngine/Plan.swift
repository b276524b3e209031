// Plans: the order in which a rule's body literals are evaluated, how each atom is accessed
// (which index, which rows) and the estimated rows per step; `explain` prints them.

import GraphModel
import QueryIR
import QueryLanguage

/// How one argument position of an atom is used by a step.
enum Argument: Sendable, Equatable {
  /// A constant id.
  case constant(TermID)
  /// A variable bound by an earlier step.
  case bound(Int)
  /// A variable this step binds (its first occurrence).
  case bind(Int)
  /// A variable bound earlier in the same atom: the value must be equal.
  case sameAs(Int)
  /// Any value (only in negated atoms).
  case wildcard

  var isKey: Bool {
    switch self {
    case .constant, .bound: true
    default: false
    }
  }
}

/// Which rows of a derived relation a step reads.
enum RowVersion: String, Sendable {
  /// All rows (the relation is complete: it belongs to an earlier stratum).
  case all
  /// Rows derived before the previous iteration (semi-naive "stable").
  case stable
  /// Rows derived in the previous iteration (semi-naive "recent", the delta).
  case recent
  /// Stable and recent rows.
  case stableAndRecent = "stable+recent"
}

/// One step of a plan.
enum PlanStep: Sendable {
  /// Read a derived relation.
  case relation(predicate: Int, version: RowVersion, arguments: [Argument])
  /// Read stored triples of a predicate (`p(S, O)`): arguments are subject and object.
  case stored(predicate: Int, arguments: [Argument])
  /// `triple(S, P, O)`.
  case triple(arguments: [Argument])
  /// `tx_of`, `tx_meta` or `source_of`.
  case provenance(predicate: Int, arguments: [Argument])
  /// `not atom`.
  case negation(predicate: Int, arguments: [Argument])
  /// A builtin test.
  case test(TestBuiltin, [IRExpression], negated: Bool)
  /// A comparison between bound values.
  case compare(ComparisonOperator, IRExpression, IRExpression)
  /// `X = expression` binding X.
  case assign(Int, IRExpression)
}

/// A planned step with the body literal it came from and its estimate.
struct PlannedStep: Sendable {
  var step: PlanStep
  /// The index of the literal in the rule body.
  var literal: Int
  /// Estimated rows out of this step, for all rows in.
  var estimatedRows: Double
}

/// The plan of one rule variant.
struct RulePlan: Sendable {
  var rule: Int
  /// The body literal read as the delta in this variant (nil for a plain evaluation).
  var deltaLiteral: Int?
  var steps: [PlannedStep]
}
