// Seeded random programs over random graphs for the oracle tests: recursion (linear and not),
// stratified negation, aggregates, comparisons and arithmetic, all safe and stratifiable by
// construction.

import GraphModel

/// A random graph and program.
public struct RandomProgram {
  /// The stored triples.
  public var triples: [Triple]
  /// Rules, then queries, as query-language text.
  public var text: String
  /// The derived predicates with their arities.
  public var predicates: [(name: String, arity: Int)]

  /// Generates the graph and program for a seed.
  public init(seed: UInt64) {
    var random = SeededRandom(seed: seed)
    let nodeCount = 3 + random.below(7)
    let nodes = (0..<nodeCount).map { "n\($0)" }
    var triples: [Triple] = []
    for predicate in ["e", "f"] {
      let edges = random.below(nodeCount * 2) + 1
      for _ in 0..<edges {
        triples.append(Triple(nodes[random.below(nodeCount)], predicate, .entity(nodes[random.below(nodeCount)])))
      }
    }
    for node in nodes where random.chance(0.7) {
      triples.append(Triple(node, "val", .integer(Int64(random.below(10)))))
    }
    self.triples = triples

    var lines: [String] = []
    var defined: [(name: String, arity: Int)] = []
    let count = 2 + random.below(4)
    for i in 0..<count {
      let name = "r\(i)"
      let arity = random.chance(0.75) ? 2 : 1
      let lower = defined
      func pickLower(arity wanted: Int? = nil) -> (String, Int)? {
        let candidates = lower.filter { wanted == nil || $0.arity == wanted }
        guard !candidates.isEmpty else { return nil }
        let c = candidates[random.below(candidates.count)]
        return (c.name, c.arity)
      }
      // An aggregate predicate over a lower binary one.
      if random.chance(0.2), let (source, _) = pickLower(arity: 2) {
        let function = ["count", "sum", "min", "max"][random.below(4)]
        if function == "count" {
          lines.append("\(name)(X, count(Y)) :- \(source)(X, Y).")
        } else {
          lines.append("\(name)(X, \(function)(V)) :- \(source)(X, Y), val(Y, V).")
        }
        defined.append((name, 2))
        continue
      }
      let head = arity == 2 ? "\(name)(X, Y)" : "\(name)(X)"
      // The exit rule reads stored edges, maybe a lower predicate too.
      var exit = ["\(["e", "f"][random.below(2)])(X, Y)"]
      if random.chance(0.3), let (other, otherArity) = pickLower() {
        exit.append(otherArity == 2 ? "\(other)(Y, Z)" : "\(other)(Y)")
      }
      lines.append("\(head) :- \(exit.joined(separator: ", ")).")
      // Recursive rules.
      let recursiveRules = random.below(3)
      for _ in 0..<recursiveRules {
        var body: [String] = []
        let edge = ["e", "f"][random.below(2)]
        let other = ["e", "f"][random.below(2)]
        switch (arity, random.below(4)) {
        case (2, 0): body = ["\(name)(X, Z)", "\(edge)(Z, Y)"]  // right-linear
        case (2, 1): body = ["\(edge)(X, Z)", "\(name)(Z, Y)"]  // left-linear
        case (2, 2): body = ["\(edge)(X, A)", "\(name)(A, B)", "\(other)(B, Y)"]  // same generation
        case (2, _): body = ["\(name)(X, Z)", "\(name)(Z, Y)"]  // non-linear
        default: body = ["\(name)(Z)", "\(edge)(Z, X)"]
        }
        lines.append("\(head) :- \(body.joined(separator: ", ")).")
      }
      // A rule with negation, comparisons or arithmetic.
      if random.chance(0.6) {
        var body = arity == 2 ? ["\(["e", "f"][random.below(2)])(X, Y)"] : ["\(["e", "f"][random.below(2)])(X, _)"]
        switch random.below(4) {
        case 0:
          if let (other, otherArity) = pickLower() {
            body.append(otherArity == 2 ? "not \(other)(X, _)" : "not \(other)(X)")
          }
        case 1:
          if arity == 2 { body.append("X != Y") }
        case 2:
          body.append("val(X, V)")
          body.append("V > \(random.below(8))")
        default:
          body.append("val(X, V)")
          body.append("W = V * 2 + 1")
          body.append("W < \(5 + random.below(10))")
        }
        lines.append("\(head) :- \(body.joined(separator: ", ")).")
      }
      defined.append((name, arity))
    }
    for (name, arity) in defined {
      lines.append(arity == 2 ? "?- \(name)(A, B)." : "?- \(name)(A).")
      let constant = nodes[random.below(nodeCount)]
      lines.append(arity == 2 ? "?- \(name)(\(constant), B)." : "?- \(name)(\(constant)).")
      if arity == 2 { lines.append("?- \(name)(A, \(constant)).") }
    }
    text = lines.joined(separator: "\n")
    predicates = defined
  }
}
