// Aggregates computed while the body's solutions stream by: groups and distinct tuples are kept
// as dictionary ids in open-addressing tables, and each aggregate keeps a running value, so no
// decoded tuple is built per solution. Values are decoded only where the function needs them
// (the first term of sum, avg, min and max), once per distinct id thanks to a cache; min and
// max compare short sort keys and fall back to comparing values only when the keys tie.
//
// Semantics (unchanged from the set-based definition): per group, each aggregate ranges over the
// distinct tuples of its terms; count counts them, sum and avg add the numeric first components
// (others are skipped), min and max compare first components in value order. When every solution
// of the body is already a distinct tuple of (group, aggregate terms) — the body's positive atoms
// read sets, and all their variables appear in the head — no distinct set is kept at all.

import GraphModel
import QueryIR
import QueryLanguage

/// An open-addressing table of fixed-width id tuples, numbered in insertion order.
final class TupleTable {
  let width: Int
  /// The tuples, flattened, in insertion order.
  private(set) var keys: [TermID] = []
  private var slots: UnsafeMutablePointer<UInt32>
  private var capacity: Int
  private(set) var count = 0

  init(width: Int) {
    self.width = width
    capacity = 16
    slots = .allocate(capacity: capacity)
    slots.initialize(repeating: 0, count: capacity)
  }

  deinit { slots.deallocate() }

  /// The bytes the table holds (for the budget).
  var byteCount: Int { capacity &* 4 &+ keys.capacity &* 4 }

  @inline(__always) private static func hash(_ key: UnsafePointer<TermID>, _ width: Int) -> Int {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15
    for k in 0..<width {
      h = (h ^ UInt64(key[k])) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 29
    }
    return Int(truncatingIfNeeded: h ^ (h >> 32))
  }

  /// Inserts a tuple unless present.
  ///
  /// - Returns: The tuple's number and whether it was new.
  @inline(__always) func insert(_ key: UnsafePointer<TermID>) -> (index: Int, isNew: Bool) {
    let width = self.width
    if width == 0 {
      if count == 0 { count = 1; return (0, true) }
      return (0, false)
    }
    let mask = capacity - 1
    var i = TupleTable.hash(key, width) & mask
    let found: Int = keys.withUnsafeBufferPointer { keys in
      while true {
        let slot = slots[i]
        if slot == 0 { return -1 }
        let base = Int(slot - 1) &* width
        var equal = true
        for c in 0..<width where keys[base &+ c] != key[c] {
          equal = false
          break
        }
        if equal { return Int(slot - 1) }
        i = (i &+ 1) & mask
      }
    }
    if found >= 0 { return (found, false) }
    let index = count
    for c in 0..<width { keys.append(key[c]) }
    slots[i] = UInt32(truncatingIfNeeded: index + 1)
    count += 1
    if count &* 2 > capacity { grow() }
    return (index, true)
  }

  /// The tuple numbered `index`.
  func tuple(_ index: Int) -> ArraySlice<TermID> {
    keys[(index * width)..<((index + 1) * width)]
  }

  private func grow() {
    slots.deallocate()
    capacity *= 2
    slots = .allocate(capacity: capacity)
    slots.initialize(repeating: 0, count: capacity)
    let mask = capacity - 1
    let width = self.width
    keys.withUnsafeBufferPointer { keys in
      guard let base = keys.baseAddress else { return }
      for index in 0..<count {
        var i = TupleTable.hash(base + index * width, width) & mask
        while slots[i] != 0 { i = (i &+ 1) & mask }
        slots[i] = UInt32(truncatingIfNeeded: index + 1)
      }
    }
  }
}

/// The running state of one aggregate in one group.
struct AggregateState {
  /// Distinct tuples seen (count), or numeric ones (avg).
  var count = 0
  var integerSum: Int64 = 0
  var decimalSum: DecimalValue?
  var numeric = 0
  /// Min and max: whether a value was seen, the best one's id and its sort key.
  var hasBest = false
  var bestID: TermID = 0
  var bestKey = SortKey.none
}

/// A prefix of a value's place in the value order (``Value/compare(_:_:)``), so that most
/// comparisons of min and max are one integer comparison: keys of the same nonzero class that
/// differ order their values; equal keys, or keys of other classes, say nothing and the values
/// themselves are compared.
struct SortKey: Equatable {
  /// 0: no key; 1: entity, 2: string, by their first 8 UTF-8 bytes (big-endian, zero-padded,
  /// which orders as their bytes do whenever those prefixes differ); 3: integer (offset binary).
  var kind: UInt8
  var bits: UInt64

  static let none = SortKey(kind: 0, bits: 0)

  init(kind: UInt8, bits: UInt64) {
    self.kind = kind
    self.bits = bits
  }

  init(_ value: Value) {
    switch value {
    case .entity(let text): self.init(kind: 1, bits: SortKey.prefix(text))
    case .string(let text, _): self.init(kind: 2, bits: SortKey.prefix(text))
    case .integer(let i): self.init(kind: 3, bits: UInt64(bitPattern: i) ^ (1 << 63))
    default: self = .none
    }
  }

  private static func prefix(_ text: String) -> UInt64 {
    var bits: UInt64 = 0
    var n = 0
    for byte in text.utf8 {
      guard n < 8 else { break }
      bits |= UInt64(byte) << (56 - 8 * UInt64(n))
      n += 1
    }
    return bits
  }

  /// -1, 0 or 1 when the keys decide the order of their values; nil when they do not.
  @inline(__always) static func compare(_ a: SortKey, _ b: SortKey) -> Int? {
    guard a.kind == b.kind, a.kind != 0, a.bits != b.bits else { return nil }
    return a.bits < b.bits ? -1 : 1
  }
}

/// The groups and running aggregates of one aggregate rule.
final class Aggregation {
  let rule: IRRule
  let operations: ValueOperations
  let budget: Budget
  /// The head predicate's name, for limit errors.
  let name: String
  /// The head terms that are not aggregates (the group key), in head order.
  let groupTerms: [IRTerm]
  let aggregates: [IRAggregate]
  /// For each aggregate, the table of distinct (group, terms) seen, or nil when the body's
  /// solutions are distinct already.
  private var distinct: [TupleTable?]
  let groups: TupleTable
  /// `states[g * aggregates.count + a]`.
  private(set) var states: [AggregateState] = []
  private let key: UnsafeMutablePointer<TermID>
  /// The last group key `accept` looked up, and its group (-1: none yet).
  private let lastKey: UnsafeMutablePointer<TermID>
  private var lastGroup = -1
  private static let cacheSize = 1 << 14
  private var cacheIDs = [TermID](repeating: TermID.max, count: Aggregation.cacheSize)
  private var cacheValues = [Value](repeating: .integer(0), count: Aggregation.cacheSize)
  private var cacheKeys = [SortKey](repeating: .none, count: Aggregation.cacheSize)
  private var bytesCounted = 0
  private var ticks = 0
  /// Solutions accepted (for explain).
  private(set) var solutions = 0

  init(rule: IRRule, program: IRProgram, operations: ValueOperations, budget: Budget) {
    self.rule = rule
    name = program.predicates[rule.head.predicate].name
    self.operations = operations
    self.budget = budget
    aggregates = rule.aggregates
    let positions = Set(rule.aggregates.map(\.position))
    groupTerms = rule.head.terms.enumerated().filter { !positions.contains($0.offset) }.map(\.element)
    groups = TupleTable(width: groupTerms.count)
    let widest = rule.aggregates.map { $0.terms.count }.max() ?? 0
    key = .allocate(capacity: max(1, groupTerms.count, widest + 1))
    key.initialize(repeating: 0, count: max(1, groupTerms.count, widest + 1))
    lastKey = .allocate(capacity: max(1, groupTerms.count))
    lastKey.initialize(repeating: 0, count: max(1, groupTerms.count))
    let distinctSolutions = Aggregation.solutionsAreDistinct(rule, program)
    let groupVariables = Set(groupTerms.compactMap { if case .variable(let v) = $0 { v } else { nil } })
    distinct = rule.aggregates.map { aggregate in
      if aggregate.function == .min || aggregate.function == .max { return nil }  // a set changes neither
      let covered = groupVariables.union(aggregate.terms.compactMap { if case .variable(let v) = $0 { v } else { nil } })
      if let atomVariables = distinctSolutions, atomVariables.isSubset(of: covered) { return nil }
      return TupleTable(width: aggregate.terms.count + 1)
    }
  }

  deinit {
    key.deallocate()
    lastKey.deallocate()
  }

  /// The variables of the body's positive atoms when every solution of the body is a distinct
  /// assignment of them: each positive atom reads a set (a derived relation, the store's
  /// triples or a stored predicate), so a nested-loop join enumerates each assignment once, and
  /// the other literals only filter or compute. Nil when that cannot be promised.
  static func solutionsAreDistinct(_ rule: IRRule, _ program: IRProgram) -> Set<Int>? {
    var variables = Set<Int>()
    for literal in rule.body {
      switch literal {
      case .positive(let atom):
        switch program.predicates[atom.predicate].kind {
        case .derived, .storedAndDerived, .triple, .stored: break
        case .txOf, .txMeta, .sourceOf, .search: return nil
        }
        for term in atom.terms {
          guard case .variable(let v) = term else {
            if case .wildcard = term { return nil }
            continue
          }
          variables.insert(v)
        }
      case .negative, .test:
        break
      case .compare:
        break  // `X = expr` binds a variable as a function of others: no new solutions
      }
    }
    return variables
  }

  /// Whether every aggregate is a count that keeps no distinct set: a batch of distinct body
  /// solutions can then be added by its size (see ``add(count:group:)``).
  var countsOnly: Bool {
    aggregates.indices.allSatisfy { aggregates[$0].function == .count && distinct[$0] == nil }
  }

  @inline(__always) private func value(_ term: IRTerm, _ registers: UnsafeMutablePointer<TermID>) -> TermID {
    switch term {
    case .variable(let v): registers[v]
    case .constant(let c): c
    case .wildcard: 0
    }
  }

  private func group(_ key: UnsafePointer<TermID>) throws(EvaluationError) -> Int {
    let (g, isNew) = groups.insert(key)
    if isNew {
      for _ in aggregates { states.append(AggregateState()) }
    }
    return g
  }

  /// The group of the key in `key`, remembering the last one: solutions streamed in key order
  /// (a matrix row by row, a run of an index) find their group without hashing.
  @inline(__always) private func currentGroup() throws(EvaluationError) -> Int {
    let width = groups.width
    if lastGroup >= 0 {
      var same = true
      for k in 0..<width where lastKey[k] != key[k] {
        same = false
        break
      }
      if same { return lastGroup }
    }
    let g = try group(key)
    for k in 0..<width { lastKey[k] = key[k] }
    lastGroup = g
    return g
  }

  /// Adds `count` distinct solutions to the group of `group` (counts only).
  func add(count: Int, group groupKey: [TermID]) throws(EvaluationError) {
    for (k, id) in groupKey.enumerated() { key[k] = id }
    let g = try group(key)
    for a in aggregates.indices { states[g &* aggregates.count &+ a].count &+= count }
    solutions &+= count
    try accountBytes()
  }

  /// Adds one solution of the body (the registers hold its variables).
  @inline(__always) func accept(_ registers: UnsafeMutablePointer<TermID>) throws(EvaluationError) {
    solutions &+= 1
    for (k, term) in groupTerms.enumerated() { key[k] = value(term, registers) }
    let g = try currentGroup()
    let base = g &* aggregates.count
    for a in aggregates.indices {
      let aggregate = aggregates[a]
      if let table = distinct[a] {
        key[0] = TermID(truncatingIfNeeded: g)
        for (k, term) in aggregate.terms.enumerated() { key[k &+ 1] = value(term, registers) }
        guard table.insert(key).isNew else { continue }
      }
      switch aggregate.function {
      case .count:
        states[base &+ a].count &+= 1
      case .sum, .avg, .min, .max:
        guard let first = aggregate.terms.first else { continue }
        try fold(value(first, registers), into: base &+ a, aggregate.function)
      }
    }
    ticks &+= 1
    if ticks & 0x3FFF == 0 {
      try budget.check()
      try accountBytes()
    }
  }

  /// Counts the tables' growth against the memory budget.
  private func accountBytes() throws(EvaluationError) {
    var bytes = groups.byteCount &+ states.capacity &* MemoryLayout<AggregateState>.stride
    for table in distinct { bytes &+= table?.byteCount ?? 0 }
    if bytes > bytesCounted {
      try budget.allocated(bytes &- bytesCounted, name)
      bytesCounted = bytes
    }
  }

  /// The cache slot holding `id`'s value and sort key, decoding it when it is not there.
  @inline(__always) private func cached(_ id: TermID) -> Int {
    let slot = Int(id) & (Aggregation.cacheSize - 1)
    if cacheIDs[slot] != id {
      let v = operations.value(id)
      cacheIDs[slot] = id
      cacheValues[slot] = v
      cacheKeys[slot] = SortKey(v)
    }
    return slot
  }

  private func fold(_ id: TermID, into s: Int, _ function: AggregateFunction) throws(EvaluationError) {
    if function == .min || function == .max {
      // The best so far is kept as an id with its sort key: a repeat of it costs nothing, and
      // most other values are decided by their keys without looking at the values.
      let hasBest = states[s].hasBest
      let bestID = states[s].bestID
      if hasBest, bestID == id { return }
      let key = cacheKeys[cached(id)]
      if hasBest {
        var c = SortKey.compare(key, states[s].bestKey)
        if c == nil {
          let value = cacheValues[cached(id)]
          c = Value.compare(value, cacheValues[cached(bestID)])
        }
        guard let c, (function == .min && c < 0) || (function == .max && c > 0) else { return }
      }
      states[s].hasBest = true
      states[s].bestID = id
      states[s].bestKey = key
      return
    }
    let v = cacheValues[cached(id)]
    switch function {
    case .count:
      states[s].count &+= 1
    case .sum, .avg:
      switch v {
      case .integer(let i):
        let (sum, overflow) = states[s].integerSum.addingReportingOverflow(i)
        if overflow { throw EvaluationError(reason: .overflow("\(function.rawValue)(...)"), rule: rule) }
        states[s].integerSum = sum
        states[s].numeric &+= 1
      case .decimal(let d):
        try addDecimal(d, to: s, function)
        states[s].numeric &+= 1
      default:
        break
      }
    case .min, .max:
      break  // above
    }
  }

  private func addDecimal(_ d: DecimalValue, to s: Int, _ function: AggregateFunction) throws(EvaluationError) {
    let base = states[s].decimalSum ?? DecimalValue(integer: 0)
    guard let sum = DecimalValue.add(base, d) else {
      throw EvaluationError(reason: .overflow("\(function.rawValue)(...)"), rule: rule)
    }
    states[s].decimalSum = sum
  }

  /// The final value of aggregate `a` in group `g`; nil when it has none (min, max or avg of
  /// nothing).
  func result(group g: Int, aggregate a: Int) throws(EvaluationError) -> Value? {
    let state = g < groups.count ? states[g &* aggregates.count &+ a] : AggregateState()
    let function = aggregates[a].function
    switch function {
    case .count:
      return .integer(Int64(state.count))
    case .sum, .avg:
      var total: DecimalValue? = state.decimalSum
      if let d = total, state.integerSum != 0 {
        guard let s = DecimalValue.add(d, DecimalValue(integer: state.integerSum)) else {
          throw EvaluationError(reason: .overflow("\(function.rawValue)(...)"), rule: rule)
        }
        total = s
      }
      if function == .sum {
        return total.map { .decimal($0) } ?? .integer(state.integerSum)
      }
      guard state.numeric > 0 else { return nil }
      let sum = total ?? DecimalValue(integer: state.integerSum)
      guard let average = DecimalValue.divide(sum, DecimalValue(integer: Int64(state.numeric))) else { return nil }
      return .decimal(average)
    case .min, .max:
      return state.hasBest ? operations.value(state.bestID) : nil
    }
  }

  /// The head tuples, in group-key order: each group's key with its aggregates' values (groups
  /// where one has no value are left out). An ungrouped rule over nothing still gives its count
  /// or sum (0).
  func heads(_ intern: (Value) throws(EvaluationError) -> TermID) throws(EvaluationError) -> [[TermID]] {
    var order = Array(0..<groups.count)
    if groups.width > 0 {
      order.sort { groups.tuple($0).lexicographicallyPrecedes(groups.tuple($1)) }
    } else if groups.count == 0 {
      order = [0]  // the one (empty) group; result(group:) sees no state
    }
    let positions = Dictionary(uniqueKeysWithValues: aggregates.enumerated().map { ($0.element.position, $0.offset) })
    var tuples: [[TermID]] = []
    tuples.reserveCapacity(order.count)
    for g in order {
      var tuple: [TermID] = []
      var keyIndex = 0
      var complete = true
      for k in 0..<rule.head.terms.count {
        if let a = positions[k] {
          guard let v = try result(group: g, aggregate: a) else {
            complete = false
            break
          }
          tuple.append(try intern(v))
        } else {
          tuple.append(groups.tuple(g)[groups.tuple(g).startIndex + keyIndex])
          keyIndex += 1
        }
      }
      if complete { tuples.append(tuple) }
    }
    return tuples
  }
}
