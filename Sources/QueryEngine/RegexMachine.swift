// The matcher behind `matches`: a pattern (QueryLanguage/RegexPattern) compiled to a Thompson
// NFA program and run as a Pike VM, the technique of RE2 and Rust's regex crate. All threads
// advance together over the text's Unicode scalars; a thread list holds each program position at
// most once, so the work per scalar is at most the program's size and the whole match is linear
// in the text: no pattern backtracks. `matches` only asks whether a match exists, so threads
// carry no captures and the run stops at the first thread that reaches `match`. Long runs check
// the evaluation's deadline and cancellation.

import QueryLanguage

/// A compiled pattern with its scratch space (one evaluation thread uses it at a time).
final class RegexMachine {
  enum Instruction: Equatable {
    /// Consume this scalar value.
    case scalar(UInt32)
    /// Consume a scalar of `sets[index]`.
    case set(Int)
    /// Continue at both positions.
    case split(Int, Int)
    /// Continue at a position.
    case jump(Int)
    /// Continue only at the start of the text.
    case start
    /// Continue only at the end of the text.
    case end
    /// A match.
    case match
  }

  let program: [Instruction]
  let sets: [RegexScalarSet]
  /// Whether every match must start at the beginning of the text (the pattern begins with `^`).
  let anchoredAtStart: Bool

  /// Scalars processed between two checks of the deadline.
  static let checkInterval = 4096

  // Scratch: the thread lists for this scalar and the next, a mark per instruction telling
  // whether it is already on the list being built, and the stack that follows jumps.
  private var current: [Int32] = []
  private var next: [Int32] = []
  private var marks: [UInt32]
  private var generation: UInt32 = 0
  private var stack: [Int32] = []

  /// Compiles a parsed pattern.
  init(_ pattern: RegexPattern) {
    var compiler = Compiler()
    compiler.emit(pattern.root)
    compiler.program.append(.match)
    program = compiler.program
    sets = compiler.sets
    anchoredAtStart = program.first == .start
    marks = Array(repeating: 0, count: program.count)
  }

  /// Whether the pattern matches somewhere in the text.
  ///
  /// - Parameter check: Called every ``checkInterval`` units of work; throws to stop.
  func matches<Failure: Error>(_ text: String, check: () throws(Failure) -> Void) throws(Failure) -> Bool {
    current.removeAll(keepingCapacity: true)
    next.removeAll(keepingCapacity: true)
    var scalars = text.unicodeScalars.makeIterator()
    var upcoming = scalars.next()
    var atStart = true
    var work = 0
    advanceGeneration()
    while true {
      // A match may start here.
      if atStart || !anchoredAtStart {
        if add(0, to: &current, atStart: atStart, atEnd: upcoming == nil) { return true }
      }
      guard let scalar = upcoming else { return false }
      if current.isEmpty && anchoredAtStart { return false }
      upcoming = scalars.next()
      let atEnd = upcoming == nil
      advanceGeneration()
      for pc in current {
        let consumed: Bool
        switch program[Int(pc)] {
        case .scalar(let value): consumed = scalar.value == value
        case .set(let index): consumed = sets[index].contains(scalar)
        default: consumed = false
        }
        if consumed, add(Int(pc) + 1, to: &next, atStart: false, atEnd: atEnd) { return true }
      }
      work += current.count + 1
      if work >= Self.checkInterval {
        work = 0
        try check()
      }
      swap(&current, &next)
      next.removeAll(keepingCapacity: true)
      atStart = false
    }
  }

  /// Starts a new thread list: no instruction is marked.
  private func advanceGeneration() {
    if generation == UInt32.max {
      for i in marks.indices { marks[i] = 0 }
      generation = 0
    }
    generation += 1
  }

  /// Adds the thread at `pc` to a list, following jumps, splits and assertions (with an
  /// explicit stack); true as soon as a thread reaches `match`.
  private func add(_ pc: Int, to list: inout [Int32], atStart: Bool, atEnd: Bool) -> Bool {
    stack.append(Int32(pc))
    while let top = stack.popLast() {
      let pc = Int(top)
      if marks[pc] == generation { continue }
      marks[pc] = generation
      switch program[pc] {
      case .scalar, .set: list.append(top)
      case .match:
        stack.removeAll(keepingCapacity: true)
        return true
      case .jump(let target): stack.append(Int32(target))
      case .split(let first, let second):
        stack.append(Int32(second))
        stack.append(Int32(first))
      case .start: if atStart { stack.append(top + 1) }
      case .end: if atEnd { stack.append(top + 1) }
      }
    }
    return false
  }

  /// Thompson's construction. Recursion follows the syntax tree, whose depth the parser bounds
  /// (RegexPattern.maximumNesting); the program's size is bounded too (maximumSize).
  private struct Compiler {
    var program: [Instruction] = []
    var sets: [RegexScalarSet] = []

    mutating func emit(_ node: RegexNode) {
      switch node {
      case .empty:
        break
      case .scalar(let set):
        if let value = set.singleScalar {
          program.append(.scalar(value))
        } else {
          program.append(.set(sets.count))
          sets.append(set)
        }
      case .start:
        program.append(.start)
      case .end:
        program.append(.end)
      case .sequence(let parts):
        for part in parts { emit(part) }
      case .alternation(let parts):
        // split(next, L2); part 1; jump END; L2: split(next, L3); part 2; jump END; ... last part
        var jumps: [Int] = []
        for (k, part) in parts.enumerated() {
          if k == parts.count - 1 {
            emit(part)
            break
          }
          let split = program.count
          program.append(.split(split + 1, -1))
          emit(part)
          jumps.append(program.count)
          program.append(.jump(-1))
          program[split] = .split(split + 1, program.count)
        }
        for jump in jumps { program[jump] = .jump(program.count) }
      case .repetition(let child, let min, let max):
        var lastCopy = program.count
        for _ in 0..<min {
          lastCopy = program.count
          emit(child)
        }
        if let max {
          // Optional copies: split(copy, END) before each.
          var splits: [Int] = []
          for _ in min..<max {
            splits.append(program.count)
            program.append(.split(program.count + 1, -1))
            emit(child)
          }
          for split in splits { program[split] = .split(split + 1, program.count) }
        } else if min == 0 {
          // L: split(L + 1, END); child; jump L; END:
          let loop = program.count
          program.append(.split(loop + 1, -1))
          emit(child)
          program.append(.jump(loop))
          program[loop] = .split(loop + 1, program.count)
        } else {
          // After the last mandatory copy, go round it again or leave.
          program.append(.split(lastCopy, program.count + 1))
        }
      }
    }
  }
}
