// xinzhi-bench: measurements that never run as unit tests. `load` generates triples, imports
// them, reopens the store and times lookups by bound-position shape; see
// Documentation/Performance.md for the figures and how they were taken.

import KnowledgeGraph
import Platform

let arguments = Array(CommandLine.arguments.dropFirst())

func fail(_ message: String) -> Never {
  let text = Array("xinzhi-bench: \(message)\n".utf8)
  _ = text.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
  exit(64)
}

func cString(_ buffer: [CChar]) -> String {
  let bytes = buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
  return String(decoding: bytes, as: UTF8.self)
}

func now() -> Double { MonotonicClock.seconds() }

/// Resident set size of this process in bytes (0 when the system does not say).
func residentBytes() -> Int { ResidentMemory.bytes ?? 0 }

func option(_ name: String, default value: Int) -> Int {
  guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return value }
  guard let n = Int(arguments[i + 1].replacingOccurrences(of: "_", with: "")) else { fail("\(name) takes a number") }
  return n
}

func stringOption(_ name: String) -> String? {
  guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
  return arguments[i + 1]
}

extension String {
  func replacingOccurrences(of a: String, with b: String) -> String {
    split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
  }
}

/// SplitMix64: a small, seedable generator so that every run generates the same data.
struct SplitMix64 {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

func fixed(_ v: Double, _ d: Int) -> String {
  var scale = 1.0
  for _ in 0..<d { scale *= 10 }
  let scaled = Int64((abs(v) * scale).rounded())
  let whole = scaled / Int64(scale)
  var text = (v < 0 && scaled != 0 ? "-" : "") + String(whole)
  if d > 0 {
    let fraction = String(scaled % Int64(scale))
    text += "." + String(repeating: "0", count: d - fraction.count) + fraction
  }
  return text
}

// MARK: - load

func load() {
  let triples = option("--triples", default: 1_000_000)
  let entities = option("--entities", default: max(10, triples / 10))
  let predicates = option("--predicates", default: 20)
  let directory = stringOption("--dir") ?? "/tmp/xinzhi-bench-load-\(triples)"
  SystemFile.removeTree(directory)
  let tsv = directory + ".tsv"
  print("generating \(triples) triples (\(entities) entities, \(predicates) predicates) into \(tsv)")
  var random = SplitMix64(state: 20_261_124)
  var seen = Set<UInt64>()
  guard let file = fopen(tsv, "w") else { fail("cannot write \(tsv)") }
  var line = ""
  while seen.count < triples {
    let s = random.below(entities)
    let p = random.below(predicates)
    let o = random.below(entities)
    let key = UInt64(s) << 40 | UInt64(p) << 20 | UInt64(o)
    if !seen.insert(key).inserted { continue }
    line = "e\(s)\tp\(p)\te\(o)\n"
    fputs(line, file)
  }
  fclose(file)

  do {
    let store = try GraphStore.create(at: directory)
    let started = now()
    let report = try store.importTriples(from: tsv, format: .tsv, metadata: [("source", "xinzhi-bench load")])
    let seconds = now() - started
    var info = stat()
    stat(directory + "/xinzhi.log", &info)
    print("import:   \(report.triples) triples in \(fixed(seconds, 3)) s = \(Int(Double(report.triples) / seconds)) triples/s (log \(info.st_size / 1_048_576) MB, checkpoint written)")
  } catch {
    fail("\(error)")
  }
  // Open in fresh processes so that resident memory is the opened store's alone.
  var opens: [Double] = []
  for _ in 0..<5 {
    let output = runSelf(["open-probe", directory])
    print("open:     \(output)")
    if let field = output.split(separator: " ").first(where: { $0.hasPrefix("open_s=") }), let v = Double(field.dropFirst(7)) {
      opens.append(v)
    }
  }
  if let best = opens.min() {
    print("open min: \(fixed(best * 1000, 1)) ms over \(opens.count) fresh processes")
  }
  print(runSelf(["lookup-probe", directory]))
}

/// Runs this executable again with `args` (posix_spawn, its standard output a pipe) and returns
/// what it printed, without the last line break.
func runSelf(_ args: [String]) -> String {
  let executable = CommandLine.arguments[0]
  var fds: [Int32] = [0, 0]
  guard pipe(&fds) == 0 else { return "(could not make a pipe)" }
  var actions = Spawn.emptyFileActions()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
  posix_spawn_file_actions_addclose(&actions, fds[0])
  posix_spawn_file_actions_addclose(&actions, fds[1])
  var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
  defer { for p in argv { free(p) } }
  var child: pid_t = 0
  let spawned = posix_spawn(&child, executable, &actions, nil, &argv, ProcessEnvironment.block)
  close(fds[1])
  defer { close(fds[0]) }
  guard spawned == 0 else { return "(could not run \(executable))" }
  let bytes = (try? SystemFile.readStream(fds[0], path: "the child's output", limit: 1 << 24)) ?? []
  var status: Int32 = 0
  while waitpid(child, &status, 0) == -1, errno == EINTR {}
  let output = String(decoding: bytes, as: UTF8.self)
  return output.hasSuffix("\n") ? String(output.dropLast()) : output
}

// MARK: - probes (run in a child process)

func openProbe(_ directory: String) {
  let before = residentBytes()
  let started = now()
  guard let store = try? GraphStore.open(at: directory) else { fail("cannot open \(directory)") }
  let seconds = now() - started
  let after = residentBytes()
  let perTriple = Double(after - before) / Double(max(1, store.tripleCount))
  print("open_s=\(fixed(seconds, 4)) triples=\(store.tripleCount) checkpoint=\(store.openedFromCheckpoint) rss_delta_MB=\(fixed(Double(after - before) / 1_048_576, 1)) bytes_per_triple=\(fixed(perTriple, 1)) rss_total_MB=\(fixed(Double(after) / 1_048_576, 1))")
}

func lookupProbe(_ directory: String) {
  guard let store = try? GraphStore.open(at: directory) else { fail("cannot open \(directory)") }
  let source = store.tripleSource
  var all: [TermID] = []
  source.match(TriplePattern(), appendingFreePositionsTo: &all)
  let n = all.count / 3
  var random = SplitMix64(state: 7)
  let samples = 200_000
  var picks: [IDTriple] = []
  for _ in 0..<samples {
    let i = random.below(n) * 3
    picks.append(IDTriple(all[i], all[i + 1], all[i + 2]))
  }
  print("lookups (\(samples) random existing triples per shape; count = exact pattern size, match = fetch all matches):")
  let shapes: [(String, (IDTriple) -> TriplePattern)] = [
    ("s p o", { TriplePattern(s: $0.s, p: $0.p, o: $0.o) }),
    ("s p ?", { TriplePattern(s: $0.s, p: $0.p) }),
    ("s ? o", { TriplePattern(s: $0.s, o: $0.o) }),
    ("s ? ?", { TriplePattern(s: $0.s) }),
    ("? p o", { TriplePattern(p: $0.p, o: $0.o) }),
    ("? ? o", { TriplePattern(o: $0.o) }),
    ("? p ?", { TriplePattern(p: $0.p) }),
  ]
  for (name, make) in shapes {
    let patterns = picks.map(make)
    let rounds = name == "? p ?" ? 200 : patterns.count
    var total = 0
    var started = now()
    for i in 0..<rounds { total &+= source.count(patterns[i]) }
    let countNs = (now() - started) / Double(rounds) * 1e9
    var buffer: [TermID] = []
    buffer.reserveCapacity(1 << 20)
    var matched = 0
    started = now()
    for i in 0..<rounds {
      buffer.removeAll(keepingCapacity: true)
      source.match(patterns[i], appendingFreePositionsTo: &buffer)
      matched &+= buffer.count
    }
    let matchNs = (now() - started) / Double(rounds) * 1e9
    let free = name.filter { $0 == "?" }.count
    let average = free == 0 ? Double(total) / Double(rounds) : Double(matched) / Double(free) / Double(rounds)
    print("  \(name):  count \(fixed(countNs, 0)) ns   match \(fixed(matchNs, 0)) ns   (\(fixed(average, 1)) matches on average)")
  }
  var hits = 0
  let started = now()
  for t in picks where source.contains(t) { hits += 1 }
  let containsNs = (now() - started) / Double(picks.count) * 1e9
  print("  contains(s p o): \(fixed(containsNs, 0)) ns (\(hits) of \(picks.count) found)")
}

/// Environment lookup without Foundation.
enum ProcessInfoLite {
  static func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
  }
}

// MARK: - bound (demand-driven evaluation against the full closure)

/// `xinzhi-bench bound DATA.tsv [--from n1]`: times, in process and with a fresh interpreter
/// each repetition, the bound query `?- path(FROM, X).` against computing the whole closure of
/// `path`, and prints both medians, the facts each derives, and the ratio.
func bound() {
  guard arguments.count >= 2 else { fail("bound DATA.tsv [--from n1]") }
  let dataPath = arguments[1]
  let from = stringOption("--from") ?? "n1"
  let storePath = "/tmp/xinzhi-bench-bound-\(getpid())"
  SystemFile.removeTree(storePath)
  defer { SystemFile.removeTree(storePath) }
  let rules = "path(X, Y) :- triple(X, edge, Y).\npath(X, Y) :- path(X, Z), triple(Z, edge, Y).\n"
  do {
    let store = try GraphStore.create(at: storePath)
    _ = try store.importTriples(from: dataPath, format: .tsv)
    func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    var boundTimes: [Double] = []
    var fullTimes: [Double] = []
    var boundRows = 0
    var fullFacts = 0
    let repetitions = Int(stringOption("--repeat") ?? "21") ?? 21
    for _ in 0..<repetitions {
      let session = try QuerySession(store: store, standingRules: false)
      _ = try session.run(rules, name: "rules")
      let started = now()
      let outcomes = try session.run("?- path(\(from), X).", name: "bound")
      boundTimes.append(now() - started)
      if case .answer(let result)? = outcomes.last { boundRows = result.totalRows }
      if arguments.contains("--bound-only") { continue }
      let fresh = try QuerySession(store: store, standingRules: false)
      fresh.interpreter.useDenseClosures = !arguments.contains("--no-dense")
      _ = try fresh.run(rules, name: "rules")
      let fullStarted = now()
      fullFacts = try fresh.interpreter.count(of: "path")
      fullTimes.append(now() - fullStarted)
    }
    let b = median(boundTimes)
    let f = fullTimes.isEmpty ? 0 : median(fullTimes)
    print("bound ?- path(\(from), X).: \(boundRows) rows, median \(fixed(b * 1e3, 3)) ms (parse, check, magic sets, evaluate, decode, sort)")
    let how = arguments.contains("--no-dense") ? "tuple at a time" : "dense when eligible"
    print("full closure of path:       \(fullFacts) facts, median \(fixed(f * 1e3, 3)) ms (evaluate and count, \(how))")
    print("ratio full / bound: \(fixed(f / b, 1))")
  } catch {
    fail(error.description)
  }
}

// MARK: - writer (the child process of the crash and concurrency tests)

/// Appends transactions in a loop; after each one is acknowledged (fsync done) it prints
/// `ack <iteration> <tx>` straight to standard output, unbuffered.
func writer() {
  guard let directory = stringOption("--store") else { fail("writer --store DIR --id K --count N") }
  let id = option("--id", default: 0)
  let count = option("--count", default: Int.max)
  let start = option("--start", default: 0)
  let width = option("--facts", default: 5)
  // --create: make the store first, so a kill can land in `init` or in the first write.
  if arguments.contains("--create") {
    do {
      _ = try GraphStore.create(at: directory)
    } catch {
      fail("cannot create \(directory): \(error)")
    }
  }
  guard let store = try? GraphStore.open(at: directory, options: {
    var o = GraphStore.Options()
    o.lockTimeout = 60
    return o
  }()) else { fail("cannot open \(directory)") }
  var iteration = start
  let end = count == Int.max ? Int.max : start + count
  while iteration < end {
    let subject = "w\(id)_\(iteration)"
    var facts: [Triple] = []
    for k in 0..<width {
      facts.append(Triple(subject, "part", .integer(Int64(k))))
    }
    facts.append(Triple(subject, "writer", .integer(Int64(id))))
    do {
      let tx = try store.transact(asserting: facts, metadata: [("source", "writer \(id)")])
      let line = Array("ack \(iteration) \(tx)\n".utf8)
      _ = line.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    } catch {
      fail("transaction \(iteration) failed: \(error)")
    }
    iteration += 1
  }
}

/// `measure REPORT PROGRAM ARGUMENTS…`: runs PROGRAM with this process's descriptors and
/// environment, writes its peak resident memory in kilobytes to the file REPORT, and ends as it
/// ended (its exit status, or the signal that killed it).
///
/// Why a process in between: on Linux a process's `ru_maxrss` includes the memory of the
/// process that spawned it (exec records the old address space's peak), so a test runner that
/// holds a large heap reads its own size back from every child. This process is small, so the
/// peak of its child is the child's own.
func measure(_ report: String, _ program: [String]) -> Never {
  let argv = program.map { strdup($0) } + [nil]
  var child: pid_t = 0
  let spawned = posix_spawn(&child, program[0], nil, nil, argv, ProcessEnvironment.block)
  guard spawned == 0 else { fail("measure: cannot run \(program[0]): \(String(cString: strerror(spawned)))") }
  var status: Int32 = 0
  var usage = rusage()
  while wait4(child, &status, 0, &usage) < 0 {
    guard errno == EINTR else { fail("measure: wait4 failed: errno \(errno)") }
  }
  let text = "\(SystemCall.maxResidentKilobytes(usage))\n"
  let descriptor = open(report, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  guard descriptor >= 0 else { fail("measure: cannot write \(report)") }
  _ = text.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
  _ = SystemCall.close(descriptor)
  let killedBy = status & 0x7F
  if killedBy == 0 { exit((status >> 8) & 0xFF) }
  signal(killedBy, SIG_DFL)
  _ = SystemCall.kill(getpid(), killedBy)
  exit(128 + killedBy)
}

guard let command = arguments.first else {
  print("""
    usage: xinzhi-bench load [--triples N] [--entities N] [--predicates N] [--dir DIR]
           xinzhi-bench measure REPORT PROGRAM [ARGUMENTS…]
    """)
  exit(64)
}
switch command {
case "load": load()
case "writer": writer()
case "bound": bound()
case "open-probe":
  guard arguments.count > 1 else { fail("open-probe DIR") }
  openProbe(arguments[1])
case "measure":
  guard arguments.count > 2 else { fail("measure REPORT PROGRAM [ARGUMENTS…]") }
  measure(arguments[1], Array(arguments.dropFirst(2)))
case "lookup-probe":
  guard arguments.count > 1 else { fail("lookup-probe DIR") }
  lookupProbe(arguments[1])
default: fail("unknown command `\(command)`")
}
