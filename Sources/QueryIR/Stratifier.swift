// Stratification: derived predicates grouped into strongly connected components of the
// dependency graph, in dependency order (Tarjan's algorithm, iterative, so deep programs do not
// exhaust the stack). Negation or aggregation inside a component is rejected with the cycle
// spelled out.

import Diagnostics
import QueryLanguage

/// A group of mutually recursive derived predicates, evaluated together.
package struct Stratum {
  /// Predicate indexes.
  package var predicates: [Int]
  /// Rule indexes whose head is in the stratum.
  package var rules: [Int]
  /// Whether some rule of the stratum reads a predicate of the stratum (needs iteration).
  package var isRecursive: Bool
}

package enum Stratifier {
  /// How a rule uses a body predicate.
  package enum Edge: Equatable { case positive, negative, aggregate }

  /// The strata needed to compute `targets`, dependencies first.
  ///
  /// - Throws: ``DiagnosticError`` when a negation or an aggregate sits on a cycle.
  package static func strata(of program: IRProgram, computing targets: Set<Int>) throws(DiagnosticError) -> [Stratum] {
    let byHead = program.rulesByHead()
    // Dependency edges between derived predicates: head -> body predicate.
    var edges: [Int: [(to: Int, kind: Edge, rule: Int, literal: Int)]] = [:]
    var needed = Set<Int>()
    var stack = Array(targets.filter { program.predicates[$0].isDerived })
    while let p = stack.popLast() {
      guard needed.insert(p).inserted else { continue }
      for ruleIndex in byHead[p] ?? [] {
        let rule = program.rules[ruleIndex]
        for (literalIndex, literal) in rule.body.enumerated() {
          guard let atom = literal.atom, program.predicates[atom.predicate].isDerived else { continue }
          let kind: Edge
          if case .negative = literal { kind = .negative } else { kind = rule.aggregates.isEmpty ? .positive : .aggregate }
          edges[p, default: []].append((atom.predicate, kind, ruleIndex, literalIndex))
          stack.append(atom.predicate)
        }
      }
    }
    let components = stronglyConnectedComponents(Array(needed).sorted(), edges: edges)
    var component: [Int: Int] = [:]
    for (i, members) in components.enumerated() {
      for p in members { component[p] = i }
    }
    // Reject non-monotone edges inside a component.
    for p in needed.sorted() {
      for edge in edges[p] ?? [] where edge.kind != .positive && component[edge.to] == component[p] {
        throw cycleError(program, from: p, edge: edge, edges: edges, component: component)
      }
    }
    return components.map { members in
      let set = Set(members)
      let rules = members.flatMap { byHead[$0] ?? [] }.sorted()
      let recursive = members.contains { p in (edges[p] ?? []).contains { set.contains($0.to) } }
      return Stratum(predicates: members.sorted(), rules: rules, isRecursive: recursive)
    }
  }

  /// Tarjan's algorithm without recursion; components come out with dependencies first.
  package static func stronglyConnectedComponents(_ nodes: [Int], edges: [Int: [(to: Int, kind: Edge, rule: Int, literal: Int)]]) -> [[Int]] {
    var index = 0
    var indexOf: [Int: Int] = [:]
    var lowLink: [Int: Int] = [:]
    var onStack = Set<Int>()
    var stack: [Int] = []
    var result: [[Int]] = []
    for root in nodes where indexOf[root] == nil {
      // Each frame: node and the position of the next edge to visit.
      var frames: [(node: Int, next: Int)] = [(root, 0)]
      indexOf[root] = index
      lowLink[root] = index
      index += 1
      stack.append(root)
      onStack.insert(root)
      while var frame = frames.popLast() {
        let successors = edges[frame.node] ?? []
        if frame.next < successors.count {
          let w = successors[frame.next].to
          frame.next += 1
          frames.append(frame)
          if indexOf[w] == nil {
            indexOf[w] = index
            lowLink[w] = index
            index += 1
            stack.append(w)
            onStack.insert(w)
            frames.append((w, 0))
          } else if onStack.contains(w) {
            lowLink[frame.node] = min(lowLink[frame.node]!, indexOf[w]!)
          }
          continue
        }
        // All successors done.
        if let parent = frames.last {
          lowLink[parent.node] = min(lowLink[parent.node]!, lowLink[frame.node]!)
        }
        if lowLink[frame.node] == indexOf[frame.node] {
          var members: [Int] = []
          while let w = stack.popLast() {
            onStack.remove(w)
            members.append(w)
            if w == frame.node { break }
          }
          result.append(members)
        }
      }
    }
    return result
  }

  private static func cycleError(
    _ program: IRProgram, from p: Int, edge: (to: Int, kind: Edge, rule: Int, literal: Int),
    edges: [Int: [(to: Int, kind: Edge, rule: Int, literal: Int)]], component: [Int: Int]
  ) -> DiagnosticError {
    // Find a path back from edge.to to p inside the component (breadth first).
    var previous: [Int: Int] = [edge.to: edge.to]
    var queue = [edge.to]
    var head = 0
    while head < queue.count, previous[p] == nil {
      let q = queue[head]
      head += 1
      for next in edges[q] ?? [] where component[next.to] == component[p] && previous[next.to] == nil {
        previous[next.to] = q
        queue.append(next.to)
      }
    }
    var path = [p]
    var cursor = p
    while cursor != edge.to, let before = previous[cursor] {
      path.append(before)
      cursor = before
    }
    path.reverse()  // edge.to ... p
    let name = { (i: Int) in "`\(program.predicates[i].name)`" }
    let word = edge.kind == .negative ? "not " : "an aggregate over "
    let cycle = ([name(p), word + name(edge.to)] + path.dropFirst().map(name)).joined(separator: " → ")
    let rule = program.rules[edge.rule]
    var location: SourceLocation?
    if let sourced = rule.origin.sourced, edge.literal < rule.origin.literalSpans.count {
      location = sourced.source.location(of: rule.origin.literalSpans[edge.literal])
    }
    let what = edge.kind == .negative ? "negation of" : "aggregation over"
    return DiagnosticError(
      .data, code: "not-stratifiable",
      "the program cannot be stratified: \(what) \(name(edge.to)) in a rule for \(name(p)) is part of a cycle: \(cycle)",
      at: location,
      help: "a predicate cannot depend on the negation (or an aggregate) of itself, directly or through other rules")
  }
}
