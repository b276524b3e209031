// Fuzz target: the checkpoint reader on damaged and crafted files whose checksum is valid, so
// that what is exercised is the structural validation behind it. A load must end in a rejection
// or in a graph that passes the full (independent) invariants and survives being read, queried
// and changed; never in a crash or a hang.
//
// The first input byte chooses the mode. Even: the rest is a list of 4-byte edits applied to a
// valid checkpoint of a small random graph (see `edit`). Odd: the rest is the whole file, its
// last 8 bytes replaced by the checksum of everything before them.

import GraphIndex
import GraphModel
import Platform

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A valid checkpoint of a small graph with every kind of value, re-assertions and retractions.
let base: CheckpointFile = {
  let dictionary = TermDictionary()
  let graph = IndexedGraph(dictionary: dictionary)
  let values: [Value] = [
    .entity("bank"), .entity("type"), .entity("label"), .string("英格兰银行", language: "zh"),
    .string("Bank", language: nil), .integer(1694), .integer(-3), .decimal(DecimalValue(units: 125, scale: 2)),
    .boolean(true), .boolean(false), .entity("founded"), .entity("central_bank"),
  ]
  var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
  func next(_ n: Int) -> Int {
    seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int(seed >> 33) % n
  }
  let ids = values.map { dictionary.intern($0) }
  for number in 1...5 {
    var batch = ChangeBatch()
    batch.begin(TransactionInfo(number: TxNumber(number), timestamp: "2026-01-0\(number)T00:00:00Z", metadata: [("source", "fuzz \(number)")]))
    for _ in 0..<8 {
      let t = IDTriple(ids[next(3)], ids[next(3)], ids[next(ids.count)])
      if next(5) == 0 { batch.retract(t) } else { batch.assert(t, by: TxNumber(number)) }
    }
    graph.apply(batch)
  }
  let path = "/tmp/xinzhi-fuzz-checkpoint-base-\(getpid())"
  defer { unlink(path) }
  do {
    try graph.writeCheckpoint(to: path, stamp: CheckpointStamp(logLength: 1000, logHash: 7, lineCount: 60, lastTransaction: 5))
  } catch {
    fatalError("cannot write the base checkpoint: \(error)")
  }
  guard let bytes = readAll(path), let file = CheckpointFile(bytes) else { fatalError("cannot read the base checkpoint back") }
  return file
}()

func readAll(_ path: String) -> [UInt8]? {
  guard let fd = try? SystemFile.openExisting(path) else { return nil }
  defer { close(fd) }
  return try? SystemFile.readAll(fd, path: path)
}

/// One edit: `selector & 15` picks a section (0-13), the header (14) or a declared length (15);
/// `selector >> 4 & 3` the operation: set the byte, add to it, cut the section there, insert a
/// byte there. `position` is taken modulo the part's size.
func edit(_ file: inout CheckpointFile, selector: UInt8, position: Int, value: UInt8) {
  let part = Int(selector & 15)
  let operation = Int(selector >> 4 & 3)
  if part == 15 {
    let section = position % file.lengths.count
    switch operation {
    case 0: file.lengths[section] = UInt64.max - UInt64(value)
    case 1: file.lengths[section] &+= UInt64(value)
    case 2: file.lengths[section] &-= UInt64(value)
    default: file.lengths[section] = UInt64(value) << (8 * UInt64(position % 8))
    }
    return
  }
  if part == 14 {
    let at = position % file.header.count
    if operation == 1 { file.header[at] &+= value } else { file.header[at] = value }
    return
  }
  var bytes = file.sections[part]
  let at = bytes.isEmpty ? 0 : position % bytes.count
  switch operation {
  case 0: if !bytes.isEmpty { bytes[at] = value }
  case 1: if !bytes.isEmpty { bytes[at] &+= value }
  case 2: bytes.removeSubrange(at..<bytes.count)
  default: bytes.insert(value, at: at)
  }
  // The declared length follows the bytes unless an edit of lengths says otherwise.
  if file.lengths[part] == UInt64(file.sections[part].count) { file.lengths[part] = UInt64(bytes.count) }
  file.sections[part] = bytes
}

/// Everything a store does with a loaded graph, checking the invariants before and after a change.
func exercise(_ graph: IndexedGraph) {
  let violations = graph.invariantViolations()
  if !violations.isEmpty { fatalError("a checkpoint passed validation but breaks the invariants: \(violations)") }
  let dictionary = graph.dictionary
  for id in 0..<dictionary.count {
    let value = dictionary.value(of: TermID(id))
    _ = dictionary.id(of: value)
    _ = dictionary.kind(of: TermID(id))
  }
  _ = dictionary.id(of: .entity("not in the dictionary"))
  let triples = graph.allTriples()
  for t in triples.prefix(50) {
    _ = graph.count(TriplePattern(s: t.s))
    _ = graph.count(TriplePattern(p: t.p, o: t.o))
    _ = graph.assertingTransactions(of: t)
    var buffer: [TermID] = []
    graph.match(TriplePattern(o: t.o), appendingFreePositionsTo: &buffer)
  }
  for tx in 0...(graph.transactions.count + 1) { _ = graph.triples(assertedBy: TxNumber(tx)) }
  _ = graph.predicateCounts()
  _ = graph.entityCount()
  // A new transaction on top: one retraction, one re-assertion, one new triple.
  var batch = ChangeBatch()
  let number = graph.lastTransaction + 1
  batch.begin(TransactionInfo(number: number, timestamp: "2026-02-01T00:00:00Z", metadata: []))
  if let first = triples.first { batch.retract(first) }
  if let last = triples.last { batch.assert(last, by: number) }
  let fresh = dictionary.intern(.entity("fresh"))
  batch.assert(IDTriple(fresh, fresh, dictionary.intern(.integer(42))), by: number)
  graph.apply(batch)
  let after = graph.invariantViolations()
  if !after.isEmpty { fatalError("a change to a loaded checkpoint broke the invariants: \(after)") }
}

let path = "/tmp/xinzhi-fuzz-checkpoint-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = Array(UnsafeBufferPointer(start: data, count: size))
  guard let mode = input.first else { return 0 }
  var bytes: [UInt8]
  if mode & 1 == 0 {
    var file = base
    var i = 1
    while i + 4 <= input.count {
      edit(&file, selector: input[i], position: Int(input[i + 1]) | Int(input[i + 2]) << 8, value: input[i + 3])
      i += 4
    }
    bytes = file.bytes
  } else {
    bytes = Array(input.dropFirst())
    if bytes.count >= 8 {
      let body = Array(bytes.dropLast(8))
      let hash = XXHash64.hash(body)
      bytes = body + (0..<8).map { UInt8(truncatingIfNeeded: hash >> (8 * UInt64($0))) }
    }
  }
  let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
  guard fd >= 0 else { fatalError("cannot write \(path)") }
  try? SystemFile.writeAll(fd, bytes, path: path)
  close(fd)
  if case .loaded(let graph, _) = IndexedGraph.readCheckpoint(from: path) {
    exercise(graph)
  }
  return 0
}
