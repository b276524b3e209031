// Runs a plan. The plan is compiled once into a chain of closures, one per step, each calling
// the next: an atom step loops over its matches (a hash index of a derived relation, or a run of
// the store's spo/pos/osp orders), binds registers and calls the next step; filters and
// assignments act on the registers; the last closure emits the head. Registers are one raw array
// per rule. The depth of the chain is the length of the rule, never the size of the data.

import GraphModel
import QueryIR
import QueryLanguage

final class Executor {
  typealias Continuation = () throws(EvaluationError) -> Void

  let program: IRProgram
  let source: any TripleSource
  let operations: ValueOperations
  let relations: [Int: Relation]
  let budget: Budget
  let ruleIndex: Int
  /// One register per rule variable.
  let registers: UnsafeMutablePointer<TermID>
  private let registerCount: Int
  private let steps: [PlannedStep]
  private let counters: UnsafeMutablePointer<Int>
  private var ticks = 0
  /// Called with the registers filled when every step has matched.
  var emit: Continuation = {}
  /// When set, a derived relation's rows are visible only if derived before this round (used
  /// to find well-founded derivations for `why`).
  var roundLimit: [Int: UInt32] = [:]

  private let indexRuns: IndexRuns?

  init(program: IRProgram, source: any TripleSource, operations: ValueOperations, relations: [Int: Relation], budget: Budget, plan: RulePlan, indexRuns: IndexRuns? = nil) {
    self.program = program
    self.source = source
    self.indexRuns = indexRuns
    self.operations = operations
    self.relations = relations
    self.budget = budget
    self.ruleIndex = plan.rule
    self.steps = plan.steps
    registerCount = max(1, program.rules[plan.rule].variableNames.count)
    registers = .allocate(capacity: registerCount)
    registers.initialize(repeating: 0, count: registerCount)
    counters = .allocate(capacity: max(1, plan.steps.count))
    counters.initialize(repeating: 0, count: max(1, plan.steps.count))
  }

  deinit {
    registers.deallocate()
    counters.deallocate()
    for buffer in keyBuffers { buffer.deallocate() }
    for buffer in bindingBuffers { buffer.deallocate() }
    tickCounter.deallocate()
  }

  /// Rows produced by each step (for `explain`).
  var produced: [Int] { (0..<steps.count).map { counters[$0] } }

  private var chain: Continuation?

  /// Runs every step (compiling the plan on the first run).
  func run() throws(EvaluationError) {
    if chain == nil { chain = compile() }
    try chain?()
  }

  /// The chain of closures, built from the last step back to the first (a loop: bodies are
  /// bounded by the parser, but building needs no stack either way).
  private func compile() -> Continuation {
    // `emit` is set before the first run, which is when the chain is compiled.
    var next = emit
    for i in steps.indices.reversed() {
      next = compile(i, next)
    }
    return next
  }

  private func fail(_ reason: EvaluationError.Reason, _ step: Int) -> EvaluationError {
    EvaluationError(reason: reason, rule: program.rules[ruleIndex], literal: step < steps.count ? steps[step].literal : nil)
  }

  @inline(__always) private func tick() throws(EvaluationError) {
    ticks &+= 1
    if ticks & 0x3FFF == 0 { try budget.check() }
  }

  /// Where a step's non-key arguments go: write a register, or compare with one.
  private struct Binding {
    var position: Int
    var register: Int
    var check: Bool
  }

  private static func bindings(_ arguments: [Argument]) -> [Binding] {
    arguments.enumerated().compactMap { position, argument in
      switch argument {
      case .bind(let r): Binding(position: position, register: r, check: false)
      case .sameAs(let r): Binding(position: position, register: r, check: true)
      default: nil
      }
    }
  }

  private func compile(_ i: Int, _ next: @escaping Continuation) -> Continuation {
    let counter = counters + i
    let registers = self.registers
    switch steps[i].step {
    case .relation(let predicate, let version, let arguments):
      guard let relation = relations[predicate] else { return {} }
      return compileScan(relation, predicate, version, arguments, counter, next)
    case .stored(let predicate, let arguments):
      guard case .stored(let id) = program.predicates[predicate].kind, let id else { return {} }
      return compileStore(s: arguments[0], p: .constant(id), o: arguments[1], counter, next)
    case .triple(let arguments):
      return compileStore(s: arguments[0], p: arguments[1], o: arguments[2], counter, next)
    case .provenance(let predicate, let arguments):
      let kind = program.predicates[predicate].kind
      return { [unowned self] () throws(EvaluationError) in
        try self.scanProvenance(kind, arguments, counter, next, existsOnly: false)
      }
    case .negation(let predicate, let arguments):
      return { [unowned self] () throws(EvaluationError) in
        if try !self.exists(predicate, arguments, counter) {
          counter.pointee += 1
          try next()
        }
      }
    case .test(let test, let args, let negated):
      return { [unowned self] () throws(EvaluationError) in
        var values: [Value] = []
        for arg in args {
          guard let id = try self.evaluate(arg, i) else { return }
          values.append(self.operations.value(id))
        }
        let holds: Bool
        do throws(EvaluationError) {
          holds = try self.operations.test(test, values, budget: self.budget)
        } catch {
          // An invalid pattern is this literal's fault; a timeout is no one literal's.
          if case .invalidRegex = error.reason { throw self.fail(error.reason, i) }
          throw error
        }
        if holds != negated {
          counter.pointee += 1
          try next()
        }
      }
    case .compare(let op, let left, let right):
      // Fast path: comparing two registers or a register and a constant for (in)equality.
      if op == .equal || op == .notEqual, let a = Executor.simple(left), let b = Executor.simple(right) {
        let wantEqual = op == .equal
        return { () throws(EvaluationError) in
          let x = a.register.map { registers[$0] } ?? a.constant
          let y = b.register.map { registers[$0] } ?? b.constant
          if (x == y) == wantEqual {
            counter.pointee += 1
            try next()
          }
        }
      }
      return { [unowned self] () throws(EvaluationError) in
        guard let l = try self.evaluate(left, i), let r = try self.evaluate(right, i) else { return }
        if self.operations.compare(op, l, r) {
          counter.pointee += 1
          try next()
        }
      }
    case .assign(let register, let expression):
      if let source = Executor.simple(expression) {
        return { () throws(EvaluationError) in
          registers[register] = source.register.map { registers[$0] } ?? source.constant
          counter.pointee += 1
          try next()
        }
      }
      return { [unowned self] () throws(EvaluationError) in
        guard let v = try self.evaluate(expression, i) else { return }
        registers[register] = v
        counter.pointee += 1
        try next()
      }
    }
  }

  /// A register or a constant, when an expression is just that.
  private static func simple(_ e: IRExpression) -> (register: Int?, constant: TermID)? {
    switch e {
    case .term(.variable(let v)): (v, 0)
    case .term(.constant(let c)): (nil, c)
    default: nil
    }
  }

  // MARK: - Derived relations

  private func compileScan(
    _ relation: Relation, _ predicate: Int, _ version: RowVersion, _ arguments: [Argument],
    _ counter: UnsafeMutablePointer<Int>, _ next: @escaping Continuation
  ) -> Continuation {
    let registers = self.registers
    let bindingList = Executor.bindings(arguments)
    let bindCount = bindingList.count
    let binds = UnsafeMutablePointer<Binding>.allocate(capacity: max(1, bindCount))
    binds.initialize(from: bindingList, count: bindCount)
    bindingBuffers.append(UnsafeMutableRawPointer(binds))
    var mask: UInt32 = 0
    var keyList: [(register: Int?, constant: TermID)] = []
    for (c, argument) in arguments.enumerated() {
      switch argument {
      case .constant(let v):
        mask |= 1 << UInt32(c)
        keyList.append((nil, v))
      case .bound(let r):
        mask |= 1 << UInt32(c)
        keyList.append((r, 0))
      default:
        break
      }
    }
    let keyCount = keyList.count
    // Key sources as raw arrays: register number, or -1 with the constant.
    let keyRegisters = UnsafeMutablePointer<Int>.allocate(capacity: max(1, keyCount))
    let keyConstants = UnsafeMutablePointer<TermID>.allocate(capacity: max(1, keyCount))
    for (k, key) in keyList.enumerated() {
      (keyRegisters + k).initialize(to: key.register ?? -1)
      (keyConstants + k).initialize(to: key.constant)
    }
    bindingBuffers.append(UnsafeMutableRawPointer(keyRegisters))
    bindingBuffers.append(UnsafeMutableRawPointer(keyConstants))
    let keyBuffer = UnsafeMutablePointer<TermID>.allocate(capacity: max(1, keyCount))
    keyBuffers.append(keyBuffer)
    let arity = relation.arity
    let limit = roundLimit[predicate]
    let membershipOnly = keyCount == arity && limit == nil && version == .all
    let index: HashIndex? = keyCount > 0 && keyCount < arity ? relation.index(on: mask) : nil
    let ticks = self.tickCounter
    let budget = self.budget
    return { () throws(EvaluationError) in
      let lo: Int
      let hi: Int
      switch version {
      case .all: (lo, hi) = (0, relation.count)
      case .stable: (lo, hi) = (0, relation.stableEnd)
      case .recent: (lo, hi) = (relation.stableEnd, relation.recentEnd)
      case .stableAndRecent: (lo, hi) = (0, relation.recentEnd)
      }
      guard lo < hi else { return }
      for k in 0..<keyCount {
        let r = keyRegisters[k]
        keyBuffer[k] = r >= 0 ? registers[r] : keyConstants[k]
      }
      @inline(__always) func visit(_ row: Int) throws(EvaluationError) {
        if let limit, relation.rounds[row] >= limit { return }
        for j in 0..<bindCount {
          let b = binds[j]
          let v = relation.value(row: row, column: b.position)
          if b.check {
            if registers[b.register] != v { return }
          } else {
            registers[b.register] = v
          }
        }
        counter.pointee += 1
        try next()
      }
      @inline(__always) func tick() throws(EvaluationError) {
        ticks.pointee &+= 1
        if ticks.pointee & 0x3FFF == 0 { try budget.check() }
      }
      let keyPointer = UnsafeBufferPointer(start: keyBuffer, count: keyCount)
      if keyCount == 0 {
        var row = lo
        while row < hi {
          try visit(row)
          row += 1
          try tick()
        }
        return
      }
      if keyCount == arity {
        if membershipOnly {
          if relation.contains(keyPointer) {
            counter.pointee += 1
            try next()
          }
        } else if let row = relation.find(keyPointer), row >= lo, row < hi {
          try visit(row)
        }
        return
      }
      guard let index else { return }
      index.catchUp(relation)
      var row = index.first(keyPointer, relation)
      while row >= 0 {
        if row < hi {
          if row < lo { break }
          try visit(row)
        }
        row = index.older(row)
        try tick()
      }
    }
  }

  private var bindingBuffers: [UnsafeMutableRawPointer] = []
  private let tickCounter: UnsafeMutablePointer<Int> = {
    let p = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    p.initialize(to: 0)
    return p
  }()

  private var keyBuffers: [UnsafeMutablePointer<TermID>] = []

  // MARK: - Stored triples

  private final class Buffer {
    var values: [TermID] = []
  }

  /// Which part of an index entry a free position's value comes from.
  private enum Part { case first, second, third }

  /// Reads stored triples straight from the index runs: one run lookup (plus at most one binary
  /// search) per call, no copying.
  private func compileRuns(_ runs: IndexRuns, s: Argument, p: Argument, o: Argument, _ counter: UnsafeMutablePointer<Int>, _ next: @escaping Continuation) -> Continuation {
    let registers = self.registers
    func key(_ a: Argument) -> (register: Int, constant: TermID)? {
      switch a {
      case .constant(let c): (-1, c)
      case .bound(let r): (r, 0)
      default: nil
      }
    }
    let ks = key(s)
    let kp = key(p)
    let ko = key(o)
    // Choose the order and the parts the free positions come from (see IndexedGraph.count).
    let order: IndexRuns.Order
    var first: (register: Int, constant: TermID)?
    var second: (register: Int, constant: TermID)?
    var parts: [(Part, Argument)] = []
    switch (ks, kp, ko) {
    case (let a?, let b?, let c?):  // s p o: membership
      let spo = runs.spo
      let ticks = tickCounter
      _ = ticks
      return { () throws(EvaluationError) in
        let sv = a.register >= 0 ? registers[a.register] : a.constant
        let pv = b.register >= 0 ? registers[b.register] : b.constant
        let ov = c.register >= 0 ? registers[c.register] : c.constant
        if spo.find(sv, UInt64(pv) << 32 | UInt64(ov)) != nil {
          counter.pointee += 1
          try next()
        }
      }
    case (let a?, let b?, nil):  // s p ?: spo, object is the third part
      order = runs.spo; first = a; second = b; parts = [(.third, o)]
    case (let a?, nil, let c?):  // s ? o: osp, predicate is the third part
      order = runs.osp; first = c; second = a; parts = [(.third, p)]
    case (let a?, nil, nil):  // s ? ?: spo
      order = runs.spo; first = a; parts = [(.second, p), (.third, o)]
    case (nil, let b?, let c?):  // ? p o: the object's osp run when short, else pos
      let pos = runs.pos
      let osp = runs.osp
      let ticks = tickCounter
      let budget = self.budget
      let bindS: Binding? = {
        switch s {
        case .bind(let r): Binding(position: 0, register: r, check: false)
        case .sameAs(let r): Binding(position: 0, register: r, check: true)
        default: nil
        }
      }()
      return { () throws(EvaluationError) in
        let pv = b.register >= 0 ? registers[b.register] : b.constant
        let ov = c.register >= 0 ? registers[c.register] : c.constant
        @inline(__always) func visit(_ subject: TermID) throws(EvaluationError) {
          if let bindS {
            if bindS.check {
              if registers[bindS.register] != subject { return }
            } else {
              registers[bindS.register] = subject
            }
          }
          counter.pointee += 1
          try next()
          ticks.pointee &+= 1
          if ticks.pointee & 0x3FFF == 0 { try budget.check() }
        }
        let objectRun = osp.run(ov)
        if objectRun.count <= 16 {
          // osp pairs are (subject << 32 | predicate): filter on the predicate.
          for i in objectRun where TermID(truncatingIfNeeded: osp.pairs[i]) == pv {
            try visit(TermID(truncatingIfNeeded: osp.pairs[i] >> 32))
          }
        } else {
          for i in pos.run(pv, second: ov) {
            try visit(TermID(truncatingIfNeeded: pos.pairs[i]))
          }
        }
      }
    case (nil, let b?, nil):  // ? p ?: pos: object second, subject third
      order = runs.pos; first = b; parts = [(.second, o), (.third, s)]
    case (nil, nil, let c?):  // ? ? o: osp: subject second, predicate third
      order = runs.osp; first = c; parts = [(.second, s), (.third, p)]
    case (nil, nil, nil):  // ? ? ?: every run of spo
      order = runs.spo; parts = [(.first, s), (.second, p), (.third, o)]
    }
    // An order visits its parts in its own sequence (pos yields the object before the subject),
    // so a repeated variable's equality check may come before the part that binds it: checks go
    // last, after every binding of the triple.
    parts = parts.filter { if case .sameAs = $0.1 { false } else { true } } + parts.filter { if case .sameAs = $0.1 { true } else { false } }
    let slotCount = parts.count
    let slotParts = UnsafeMutablePointer<UInt8>.allocate(capacity: 3)
    let slotBindings = UnsafeMutablePointer<Binding>.allocate(capacity: 3)
    for (k, (part, argument)) in parts.enumerated() {
      (slotParts + k).initialize(to: part == .first ? 0 : part == .second ? 1 : 2)
      let binding: Binding
      switch argument {
      case .bind(let r): binding = Binding(position: k, register: r, check: false)
      case .sameAs(let r): binding = Binding(position: k, register: r, check: true)
      default: binding = Binding(position: k, register: -1, check: false)
      }
      (slotBindings + k).initialize(to: binding)
    }
    bindingBuffers.append(UnsafeMutableRawPointer(slotParts))
    bindingBuffers.append(UnsafeMutableRawPointer(slotBindings))
    let ticks = tickCounter
    let budget = self.budget
    let pairs = order.pairs
    return { () throws(EvaluationError) in
      @inline(__always) func visit(_ firstID: TermID, _ pair: UInt64) throws(EvaluationError) {
        for k in 0..<slotCount {
          let part = slotParts[k]
          let v = part == 2 ? TermID(truncatingIfNeeded: pair) : part == 1 ? TermID(truncatingIfNeeded: pair >> 32) : firstID
          let b = slotBindings[k]
          if b.check {
            if registers[b.register] != v { return }
          } else if b.register >= 0 {
            registers[b.register] = v
          }
        }
        counter.pointee += 1
        try next()
        ticks.pointee &+= 1
        if ticks.pointee & 0x3FFF == 0 { try budget.check() }
      }
      guard let first else {
        // Every triple.
        for k in 0..<max(0, order.offsets.count - 1) {
          let id = TermID(k)
          for i in order.run(id) { try visit(id, pairs[i]) }
        }
        return
      }
      let firstID = first.register >= 0 ? registers[first.register] : first.constant
      let range: Range<Int>
      if let second {
        range = order.run(firstID, second: second.register >= 0 ? registers[second.register] : second.constant)
      } else {
        range = order.run(firstID)
      }
      for i in range { try visit(firstID, pairs[i]) }
    }
  }

  private func compileStore(s: Argument, p: Argument, o: Argument, _ counter: UnsafeMutablePointer<Int>, _ next: @escaping Continuation) -> Continuation {
    if let runs = indexRuns {
      return compileRuns(runs, s: s, p: p, o: o, counter, next)
    }
    let registers = self.registers
    let source = self.source
    let buffer = Buffer()
    func resolve(_ a: Argument) -> (register: Int?, constant: TermID?) {
      switch a {
      case .constant(let c): (nil, c)
      case .bound(let r): (r, nil)
      default: (nil, nil)
      }
    }
    let rs = resolve(s)
    let rp = resolve(p)
    let ro = resolve(o)
    // The free positions of the pattern, in s, p, o order, with what to do with each value.
    var free: [Binding] = []
    for (k, argument) in [s, p, o].enumerated() {
      switch argument {
      case .bind(let r): free.append(Binding(position: k, register: r, check: false))
      case .sameAs(let r): free.append(Binding(position: k, register: r, check: true))
      case .wildcard: free.append(Binding(position: k, register: -1, check: false))
      default: break
      }
    }
    let width = free.count
    return { [unowned self] () throws(EvaluationError) in
      let pattern = TriplePattern(
        s: rs.register.map { registers[$0] } ?? rs.constant,
        p: rp.register.map { registers[$0] } ?? rp.constant,
        o: ro.register.map { registers[$0] } ?? ro.constant)
      if width == 0 {
        if let ps = pattern.s, let pp = pattern.p, let po = pattern.o, source.contains(IDTriple(ps, pp, po)) {
          counter.pointee += 1
          try next()
        }
        return
      }
      buffer.values.removeAll(keepingCapacity: true)
      source.match(pattern, appendingFreePositionsTo: &buffer.values)
      let values = buffer.values
      var k = 0
      outer: while k + width <= values.count {
        for j in 0..<width {
          let b = free[j]
          let v = values[k + j]
          if b.check {
            if registers[b.register] != v {
              k += width
              continue outer
            }
          } else if b.register >= 0 {
            registers[b.register] = v
          }
        }
        counter.pointee += 1
        try next()
        k += width
        try self.tick()
      }
    }
  }

  // MARK: - Provenance relations

  /// Scans `tx_of`, `source_of` or `tx_meta`; with `existsOnly` it stops at the first match.
  @discardableResult
  private func scanProvenance(_ kind: PredicateEntry.Kind, _ arguments: [Argument], _ counter: UnsafeMutablePointer<Int>, _ next: Continuation, existsOnly: Bool) throws(EvaluationError) -> Bool {
    let dictionary = operations.dictionary
    if kind == .search {
      // The checker made the text a string constant.
      guard let textID = value(arguments[1]), case .string(let text, _) = operations.value(textID) else { return false }
      guard let search = source.textSearch else {
        throw EvaluationError(reason: .unsupported("`search` needs a store with names to search; this source has none"))
      }
      for entity in search.entities(matching: text) {
        if try matchAndContinue([entity, textID], arguments, counter, next, existsOnly: existsOnly) { return true }
      }
      return false
    }
    if kind == .txMeta {
      var numbers: [TxNumber] = []
      if let bound = value(arguments[0]) {
        guard case .integer(let n) = operations.value(bound), n > 0, n <= Int64(UInt32.max) else { return false }
        numbers = [TxNumber(n)]
      } else {
        var n: TxNumber = 1
        while source.transaction(n) != nil {
          numbers.append(n)
          n += 1
        }
      }
      for n in numbers {
        guard let info = source.transaction(n) else { continue }
        for (key, text) in info.metadata {
          let values = [dictionary.intern(.integer(Int64(n))), dictionary.intern(.entity(key)), dictionary.intern(.string(text))]
          if try matchAndContinue(values, arguments, counter, next, existsOnly: existsOnly) { return true }
        }
      }
      return false
    }
    // tx_of(S, P, O, Tx) and source_of(S, P, O, Source).
    var triples: [IDTriple] = []
    let pattern = TriplePattern(s: value(arguments[0]), p: value(arguments[1]), o: value(arguments[2]))
    if kind == .txOf, pattern.s == nil || pattern.p == nil || pattern.o == nil, let bound = value(arguments[3]) {
      // The transaction is known: read what it asserted instead of scanning the pattern.
      guard case .integer(let n) = operations.value(bound), n > 0, n <= Int64(UInt32.max) else { return false }
      triples = source.triples(assertedBy: TxNumber(n)).filter { t in
        (pattern.s.map { $0 == t.s } ?? true) && (pattern.p.map { $0 == t.p } ?? true) && (pattern.o.map { $0 == t.o } ?? true)
      }
    } else {
      source.forEach(pattern) { triples.append($0) }
    }
    for t in triples {
      for tx in source.assertingTransactions(of: t) {
        let last: TermID
        if kind == .txOf {
          last = dictionary.intern(.integer(Int64(tx)))
        } else {
          guard let text = source.transaction(tx)?.source else { continue }
          last = dictionary.intern(.string(text))
        }
        if try matchAndContinue([t.s, t.p, t.o, last], arguments, counter, next, existsOnly: existsOnly) { return true }
      }
    }
    return false
  }

  @inline(__always) private func value(_ argument: Argument) -> TermID? {
    switch argument {
    case .constant(let c): c
    case .bound(let r): registers[r]
    default: nil
    }
  }

  private func matchAndContinue(_ values: [TermID], _ arguments: [Argument], _ counter: UnsafeMutablePointer<Int>, _ next: Continuation, existsOnly: Bool) throws(EvaluationError) -> Bool {
    for (j, argument) in arguments.enumerated() {
      switch argument {
      case .constant(let c): if c != values[j] { return false }
      case .bound(let r), .sameAs(let r): if registers[r] != values[j] { return false }
      case .bind(let r): registers[r] = values[j]
      case .wildcard: break
      }
    }
    if existsOnly { return true }
    counter.pointee += 1
    try next()
    try tick()
    return false
  }

  // MARK: - Negation

  private func exists(_ predicate: Int, _ arguments: [Argument], _ counter: UnsafeMutablePointer<Int>) throws(EvaluationError) -> Bool {
    let entry = program.predicates[predicate]
    switch entry.kind {
    case .derived, .storedAndDerived:
      guard let relation = relations[predicate] else { return false }
      var mask: UInt32 = 0
      var key: [TermID] = []
      for (c, argument) in arguments.enumerated() {
        if let v = value(argument) {
          mask |= 1 << UInt32(c)
          key.append(v)
        }
      }
      if key.count == relation.arity {
        return key.withUnsafeBufferPointer { relation.contains($0) }
      }
      if mask == 0 { return relation.count > 0 }
      let index = relation.index(on: mask)
      return key.withUnsafeBufferPointer { index.first($0, relation) } >= 0
    case .stored(let id):
      guard let id else { return false }
      return source.count(TriplePattern(s: value(arguments[0]), p: id, o: value(arguments[1]))) > 0
    case .triple:
      return source.count(TriplePattern(s: value(arguments[0]), p: value(arguments[1]), o: value(arguments[2]))) > 0
    case .txOf, .txMeta, .sourceOf, .search:
      return try scanProvenance(entry.kind, arguments, counter, {}, existsOnly: true)
    }
  }

  // MARK: - Expressions

  /// The predicate this rule derives, named in limit errors.
  private var headName: String { program.predicates[program.rules[ruleIndex].head.predicate].name }

  /// Interns a computed value, counting its bytes against the budget.
  @inline(__always) private func intern(_ value: Value, _ i: Int) throws(EvaluationError) -> TermID {
    do throws(EvaluationError) {
      return try budget.intern(value, in: operations.dictionary, headName)
    } catch {
      throw fail(error.reason, i)
    }
  }

  /// The id of an expression's value; nil when an operand has the wrong kind.
  func evaluate(_ expression: IRExpression, _ i: Int) throws(EvaluationError) -> TermID? {
    switch expression {
    case .term(.constant(let c)): return c
    case .term(.variable(let v)): return registers[v]
    case .term(.wildcard): return nil
    case .binary(let op, let l, let r):
      guard let a = try evaluate(l, i), let b = try evaluate(r, i) else { return nil }
      let result: Value?
      do {
        result = try operations.arithmetic(op, operations.value(a), operations.value(b))
      } catch {
        let text = "\(operations.value(a)) \(op.rawValue) \(operations.value(b))"
        throw fail(error == .divisionByZero ? .divisionByZero(text) : .overflow(text), i)
      }
      guard let result else { return nil }
      return try intern(result, i)
    case .negate(let e):
      guard let a = try evaluate(e, i) else { return nil }
      let result: Value?
      do {
        result = try operations.negate(operations.value(a))
      } catch {
        throw fail(.overflow("-\(operations.value(a))"), i)
      }
      guard let result else { return nil }
      return try intern(result, i)
    case .call(let function, let args):
      var values: [Value] = []
      for arg in args {
        guard let id = try evaluate(arg, i) else { return nil }
        values.append(operations.value(id))
      }
      // A string function's result is refused before it is built when it would pass the byte
      // budget: at most the sum of its arguments' lengths, three times that for a change of
      // case (`ß` becomes `SS`).
      var estimate = 0
      for value in values { estimate &+= operations.text(value)?.utf8.count ?? 24 }
      if function == .upper || function == .lower { estimate &*= 3 }
      do throws(EvaluationError) {
        try budget.wouldAllocate(estimate, in: operations.dictionary, headName)
      } catch {
        throw fail(error.reason, i)
      }
      let result: Value?
      do {
        result = try operations.call(function, values)
      } catch {
        throw fail(.overflow("\(function.rawValue)(...)"), i)
      }
      guard let result else { return nil }
      return try intern(result, i)
    }
  }
}
