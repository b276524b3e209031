// The bad-input catalogue: what users and files can throw at `xinzhi` — broken logs, queries,
// scripts, imports, command lines, REPL entries, missing, locked and read-only stores. Each case
// must exit with the right sysexits status, say what is wrong and where, and leave the store
// byte-for-byte as it was.

import KnowledgeGraph
import Platform
import TestSupport
import Testing

/// One bad input.
struct BadInput: Sendable, CustomTestStringConvertible {
  /// A short name, shown in test results.
  var name: String
  /// Arguments after `--store STORE` (the store is prepended unless `ownStore` is false).
  var arguments: [String]
  /// Standard input.
  var input: [UInt8] = []
  /// Files written into the working directory first (a path under `g/` is inside the store).
  var files: [String: [UInt8]] = [:]
  /// A change made to the store's log first.
  var damage: LogDamage?
  /// The expected exit status.
  var status: Int32
  /// Text the error message must contain (usually naming the place).
  var message: String
  /// Whether `--store g` is added in front of the arguments.
  var ownStore = true

  var testDescription: String { name }

  enum LogDamage: Sendable { case flipFirstTransaction, invalidUTF8InFirst, editFirstFact, replaceWithDirectory, readOnlyStore }
}

private func text(_ s: String) -> [UInt8] { Array(s.utf8) }

let badInputs: [BadInput] = [
  // Queries
  BadInput(name: "query: invalid UTF-8", arguments: ["query", "-"], input: [0x3F, 0x2D, 0x20, 0x65, 0x28, 0xFF, 0x29, 0x2E], status: 65, message: "standard input is not valid UTF-8 (first bad byte at offset 5)"),
  BadInput(name: "query: NUL byte", arguments: ["query", "-"], input: text("?- edge(a\u{0}, X)."), status: 65, message: "<stdin>:1:10: error: unexpected character `\\u{0}`"),
  BadInput(name: "query: integer too large", arguments: ["query", "?- X = 99999999999999999999999."], status: 65, message: "<query>:1:8: error: integer `99999999999999999999999` does not fit in 64 bits"),
  BadInput(name: "query: decimal with 1,000 digits", arguments: ["query", "?- X = 1." + String(repeating: "7", count: 1000) + "."], status: 65, message: "<query>:1:8: error: decimal `1.7777777777777777777777777777…` (1002 characters) has too many digits"),
  BadInput(name: "query: nesting 10,000 deep", arguments: ["query", "-"], input: text("?- X = " + String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000) + "."), status: 65, message: "nested more than 200 levels deep"),
  BadInput(name: "query: unterminated string", arguments: ["query", "?- label(X, \"abc)."], status: 65, message: "<query>:1:13: error: unterminated string"),
  BadInput(name: "query: unknown escape", arguments: ["query", "?- label(X, \"a\\qb\")."], status: 65, message: "<query>:1:15: error: unknown escape `\\q`"),
  BadInput(name: "query: unknown predicate", arguments: ["query", "?- edgy(X, Y)."], status: 65, message: "<query>:1:4: error: unknown predicate `edgy`"),
  BadInput(name: "query: wrong arity", arguments: ["query", "?- edge(X)."], status: 65, message: "<query>:1:4: error: `edge` is a stored predicate: `edge(Subject, Object)` has 2 arguments, found 1"),
  BadInput(name: "query: cyclic negation", arguments: ["query", "p(X) :- edge(X, _), not q(X). q(X) :- edge(X, _), not p(X). ?- p(X)."], status: 65, message: "cannot be stratified"),
  BadInput(name: "query: division by zero", arguments: ["query", "?- weight(a, W), X = W / 0."], status: 65, message: "<query>:1:18: error: division by zero in `3 / 0`"),
  BadInput(name: "query: invalid regular expression", arguments: ["query", "?- label(X, L), matches(L, \"(\")."], status: 65, message: "<query>:1:29: error: invalid regular expression `(`: missing `)` to close this group"),
  BadInput(name: "query: invalid regular expression from data", arguments: ["query", "?- label(X, L), P = concat(\"[\", L), matches(L, P)."], status: 65, message: "<query>:1:37: error: invalid regular expression `[甲`: missing `]` to close this class"),
  BadInput(name: "query: regular expression count above 1000", arguments: ["query", "?- label(X, L), matches(L, \"x{5000}\")."], status: 65, message: "<query>:1:30: error: invalid regular expression `x{5000}`: repetition count above 1000"),
  BadInput(name: "query: regular expression lookbehind", arguments: ["query", "?- label(X, L), not matches(L, \"(?<!a)b\")."], status: 65, message: "<query>:1:33: error: invalid regular expression `(?<!a)b`: `(?<!` (lookbehind) is not supported"),
  BadInput(name: "query: impossible date", arguments: ["query", "?- X = @2023-02-30."], status: 65, message: "<query>:1:8: error: impossible date `@2023-02-30`"),
  BadInput(name: "query: month 13", arguments: ["query", "?- X = @2023-13."], status: 65, message: "<query>:1:8: error: impossible date `@2023-13`"),
  BadInput(name: "query: unsafe head variable", arguments: ["query", "p(X, Y) :- edge(X, _). ?- p(X, Y)."], status: 65, message: "<query>:1:6: error: variable `Y` in the head of `p` is not bound"),
  BadInput(name: "query: missing period", arguments: ["query", "?- edge(a, X)"], status: 65, message: "<query>:1:14: error: expected `.`"),
  BadInput(name: "query: arithmetic overflow", arguments: ["query", "?- weight(a, W), X = W * 9223372036854775807."], status: 65, message: "arithmetic overflow"),
  BadInput(name: "query: parameter without value", arguments: ["query", "?- edge($who, X)."], status: 65, message: "<query>:1:9: error: parameter `$who` has no value"),
  BadInput(name: "query: aggregate in a body", arguments: ["query", "?- count(X)."], status: 65, message: "`count` is an aggregate"),
  BadInput(name: "query: time limit", arguments: ["query", "n(0). n(Y) :- n(X), Y = X + 1. ?- n(X), X < 0.", "--timeout", "0.2"], status: 65, message: "stopped after 0.2 s (the time limit); `n` was still growing"),
  BadInput(name: "query: derived-fact limit", arguments: ["query", "n(0). n(Y) :- n(X), Y = X + 1. ?- n(X), X < 0.", "--max-facts", "1000"], status: 65, message: "stopped after deriving more than 1000 facts; `n` was growing"),
  BadInput(name: "query: cartesian product", arguments: ["query", "?- weight(A, _), edge(B, C), edge(D, E), edge(F, G), edge(H, I), edge(J, K), edge(L, M), edge(N, O), edge(P, Q), edge(R, S), edge(T, U), edge(V, W), edge(Y, Z), edge(Z1, Z2), edge(Z3, Z4), edge(Z5, Z6), edge(Z7, Z8), edge(Z9, Z10), edge(Z11, Z12), edge(Z13, Z14), edge(Z15, Z16).", "--max-facts", "100000"], status: 65, message: "a missing join condition makes a cartesian product"),
  // why / why not
  BadInput(name: "why: not a ground fact", arguments: ["why", "edge(a, X)"], status: 65, message: "<arguments>:1:9: error: `why` needs a fact"),
  BadInput(name: "why: a conjunction", arguments: ["why", "?- edge(a, X), edge(X, Y)."], status: 65, message: "`why` explains one fact"),
  // Scripts
  BadInput(name: "run: missing file", arguments: ["run", "nope.dl"], status: 66, message: "cannot open `nope.dl`"),
  BadInput(name: "run: a directory", arguments: ["run", "."], status: 66, message: "cannot read `.`: it is a directory, not a regular file"),
  BadInput(name: "run: a character device", arguments: ["run", "/dev/zero"], status: 66, message: "cannot read `/dev/zero`: it is a character device, not a regular file"),
  BadInput(name: "run: a file name with escape sequences", arguments: ["run", "x\u{1B}[2J.dl"], status: 66, message: "cannot open `x\\u{1B}[2J.dl`"),
  BadInput(name: "run: invalid UTF-8", arguments: ["run", "bad.dl"], files: ["bad.dl": [0x3F, 0x2D, 0x20, 0x65, 0x28, 0xC3, 0x28, 0x29, 0x2E]], status: 65, message: "`bad.dl` is not valid UTF-8 (first bad byte at offset 5)"),
  BadInput(name: "run: error on line 3", arguments: ["run", "s.dl"], files: ["s.dl": text("% a script\n?- edge(a, X).\n?- edge(a, X, Y).\n")], status: 65, message: "s.dl:3:4: error:"),
  BadInput(name: "test: missing path", arguments: ["test", "nope/"], status: 66, message: "cannot read `nope/`"),
  BadInput(name: "test: no scripts", arguments: ["test", "empty"], files: ["empty/readme.txt": text("x")], status: 66, message: "no scripts (*.dl) under empty"),
  // Writes
  BadInput(name: "assert: variable", arguments: ["assert", "edge(X, b)."], status: 65, message: "<arguments>:1:6: error: facts must be ground, but `X` is a variable"),
  BadInput(name: "assert: three arguments", arguments: ["assert", "p(a, b, c)."], status: 65, message: "<arguments>:1:1: error: stored facts are binary"),
  BadInput(name: "assert: a rule", arguments: ["assert", "p(X) :- edge(X, _)."], status: 65, message: "expected facts, found a rule"),
  BadInput(name: "assert: a query", arguments: ["assert", "?- edge(a, X)."], status: 65, message: "expected facts, found a query"),
  BadInput(name: "assert: nothing", arguments: ["assert", ""], status: 64, message: "nothing to write: the transaction has no facts"),
  BadInput(name: "assert: invalid UTF-8 on stdin", arguments: ["assert", "-"], input: [0x65, 0x28, 0x61, 0x2C, 0xFF, 0x29, 0x2E], status: 65, message: "standard input is not valid UTF-8 (first bad byte at offset 4)"),
  BadInput(name: "retract: absent fact", arguments: ["retract", "edge(x, y)."], status: 65, message: "cannot retract a fact the store does not hold: `edge(x, y)`"),
  BadInput(name: "assert: bad metadata key", arguments: ["assert", "edge(x, y).", "--meta", "BAD KEY=v"], status: 64, message: "metadata key `BAD KEY` must match"),
  BadInput(name: "assert: metadata without =", arguments: ["assert", "edge(x, y).", "--meta", "novalue"], status: 64, message: "--meta takes KEY=VALUE, found `novalue`"),
  BadInput(name: "assert: read-only store", arguments: ["assert", "edge(x, y)."], damage: .readOnlyStore, status: 74, message: "xinzhi.log"),
  BadInput(name: "assert: store locked by another writer", arguments: ["--lock-timeout", "0.2", "assert", "edge(x, y)."], status: 74, message: "locked by another writer"),
  // Imports
  BadInput(name: "import: missing file", arguments: ["import", "nope.tsv"], status: 66, message: "cannot open `nope.tsv`"),
  BadInput(name: "import: TSV line with two fields", arguments: ["import", "bad.tsv"], files: ["bad.tsv": text("a\tedge\tb\nonly two\tfields\n")], status: 65, message: "bad.tsv:2:16: error: expected three tab-separated fields"),
  BadInput(name: "import: TSV invalid UTF-8", arguments: ["import", "bad.tsv"], files: ["bad.tsv": [0x61, 0x09, 0x65, 0x09, 0xFF, 0x0A]], status: 65, message: "bad.tsv:1:5: error: the object is not valid UTF-8"),
  BadInput(name: "import: TSV unterminated string", arguments: ["import", "bad.tsv"], files: ["bad.tsv": text("a\tlabel\t\"unterminated\n")], status: 65, message: "bad.tsv:1:9: error: unterminated string"),
  BadInput(name: "import: N-Triples space in IRI", arguments: ["import", "bad.nt"], files: ["bad.nt": text("<http://x/a b> <http://x/p> <http://x/c> .\n")], status: 65, message: "bad.nt:1:12: error: character not allowed in an IRI"),
  BadInput(name: "import: N-Triples missing dot", arguments: ["import", "bad.nt"], files: ["bad.nt": text("<http://x/a> <http://x/p> <http://x/c>\n")], status: 65, message: "bad.nt:1:39: error: expected `.`"),
  BadInput(name: "import: N-Triples unknown escape", arguments: ["import", "bad.nt"], files: ["bad.nt": text("<http://x/a> <http://x/p> \"a\\q\" .\n")], status: 65, message: "bad.nt:1:29: error: unknown escape"),
  BadInput(name: "import: N-Triples NUL in an IRI", arguments: ["import", "bad.nt"], files: ["bad.nt": text("<http://x/a\u{0}> <http://x/p> <http://x/c> .\n")], status: 65, message: "bad.nt:1:"),
  BadInput(name: "import: a character device", arguments: ["import", "/dev/zero", "--format", "tsv"], status: 66, message: "cannot read `/dev/zero`: it is a character device, not a regular file"),
  BadInput(name: "import: a directory", arguments: ["import", "g", "--format", "nt"], status: 66, message: "cannot read `g`: it is a directory"),
  BadInput(name: "import: TSV with a byte order mark and a bad line", arguments: ["import", "bom.tsv"], files: ["bom.tsv": [0xEF, 0xBB, 0xBF] + text("a\tedge\n")], status: 65, message: "bom.tsv:1:7: error: expected three tab-separated fields"),
  BadInput(name: "import: unknown extension", arguments: ["import", "x.xml"], files: ["x.xml": text("<a/>")], status: 64, message: "cannot tell the format of `x.xml`"),
  BadInput(name: "import: unknown --format", arguments: ["import", "a.tsv", "--format", "xml"], files: ["a.tsv": text("a\tb\tc\n")], status: 64, message: "unknown import format `xml`"),
  BadInput(name: "import: script block without source", arguments: ["import", "s.dl"], files: ["s.dl": text("%% claim: current\nedge(x, y).\n")], status: 65, message: "s.dl:1:1: error: the block starting here has no `%% source:` line"),
  BadInput(name: "import: script with a variable", arguments: ["import", "s.dl"], files: ["s.dl": text("%% source: 000:L1-L2\nedge(x, Y).\n")], status: 65, message: "s.dl:2:9: error: facts must be ground"),
  BadInput(name: "import: script with a rule", arguments: ["import", "s.dl"], files: ["s.dl": text("%% source: 000:L1-L2\np(X) :- edge(X, _).\n")], status: 65, message: "s.dl:2:1: error: expected facts, found a rule"),
  BadInput(name: "import: script with a bad key line", arguments: ["import", "s.dl"], files: ["s.dl": text("%% Bad Key: v\nedge(x, y).\n")], status: 65, message: "s.dl:1:1: error: expected `%% key: value`"),
  // Logs and stores
  BadInput(name: "log: not a log", arguments: ["stats"], files: ["g/xinzhi.log": text("not a log\n")], status: 65, message: "xinzhi.log:1:1: error:"),
  BadInput(name: "log: damaged first transaction", arguments: ["verify"], damage: .flipFirstTransaction, status: 65, message: "xinzhi.log:"),
  BadInput(name: "log: invalid UTF-8 inside", arguments: ["stats"], damage: .invalidUTF8InFirst, status: 65, message: "xinzhi.log:"),
  BadInput(name: "log: a hand-edited fact", arguments: ["stats"], damage: .editFirstFact, status: 65, message: "checksum"),
  BadInput(name: "log: a directory", arguments: ["stats"], damage: .replaceWithDirectory, status: 66, message: "cannot be a store's log: it is a directory, not a regular file"),
  BadInput(name: "store: missing", arguments: ["--store", "/nonexistent/s", "stats"], status: 66, message: "no store at `/nonexistent/s`", ownStore: false),
  BadInput(name: "init: store exists", arguments: ["init", "g"], status: 64, message: "`g` is already a Xinzhi store", ownStore: false),
  BadInput(name: "init: cannot create", arguments: ["init", "/proc/xinzhi/s"], status: 73, message: "cannot create directory `/proc/xinzhi"),
  // Command lines
  BadInput(name: "cli: unknown command", arguments: ["frobnicate"], status: 64, message: "unknown command `frobnicate`"),
  BadInput(name: "cli: unknown option", arguments: ["stats", "--bogus"], status: 64, message: "unknown option `--bogus` for `stats`"),
  BadInput(name: "cli: missing argument", arguments: ["query"], status: 64, message: "`query` needs TEXT|-"),
  BadInput(name: "cli: option without value", arguments: ["query", "?- edge(a, X).", "--format"], status: 64, message: "option `--format` needs a value"),
  BadInput(name: "cli: unknown output format", arguments: ["query", "?- edge(a, X).", "--format", "xml"], status: 64, message: "unknown format `xml`"),
  BadInput(name: "cli: negative timeout", arguments: ["query", "?- edge(a, X).", "--timeout", "-1"], status: 64, message: "--timeout takes a number of seconds, found `-1`"),
  BadInput(name: "cli: zero max-facts", arguments: ["query", "?- edge(a, X).", "--max-facts", "0"], status: 64, message: "--max-facts takes a positive number, found `0`"),
  BadInput(name: "cli: as-of not a number", arguments: ["--as-of", "x", "stats"], status: 64, message: "--as-of takes a transaction number, found `x`"),
  BadInput(name: "cli: as-of in the future", arguments: ["--as-of", "99", "stats"], status: 64, message: "cannot open it as of transaction 99"),
  BadInput(name: "cli: as-of with a write", arguments: ["--as-of", "1", "assert", "edge(x, y)."], status: 64, message: "--as-of opens a past state read-only"),
  BadInput(name: "cli: lock timeout not a number", arguments: ["--lock-timeout", "soon", "assert", "edge(x, y)."], status: 64, message: "--lock-timeout takes a number of seconds, found `soon`"),
  BadInput(name: "cli: extra argument", arguments: ["query", "a", "b"], status: 64, message: "unexpected argument `b` for `query`"),
  BadInput(name: "cli: bad parameter name", arguments: ["query", "?- edge($x, Y).", "--param", "1x=a"], status: 64, message: "`1x` is not a parameter name"),
  BadInput(name: "cli: help for an unknown command", arguments: ["help", "qurey"], status: 64, message: "unknown command `qurey`"),
  BadInput(name: "cli: unwritable output file", arguments: ["export", "-o", "/nonexistent/dir/out.tsv"], status: 73, message: "cannot write `/nonexistent/dir/out.tsv`: No such file or directory"),
  BadInput(name: "cli: export onto the store's log", arguments: ["export", "-o", "g/xinzhi.log"], status: 73, message: "cannot write `g/xinzhi.log`: it is the store's own log"),
  BadInput(name: "cli: why picture onto the store's checkpoint", arguments: ["why", "edge(a, b)", "--format", "dot", "-o", "g/xinzhi.checkpoint"], status: 73, message: "cannot write `g/xinzhi.checkpoint`: it is the store's own checkpoint"),
  BadInput(name: "cli: output file is a directory", arguments: ["export", "-o", "g"], status: 73, message: "cannot write `g`: it is a directory"),
  BadInput(name: "cli: negative depth", arguments: ["export", "--format", "dot", "--around", "a", "--depth", "-2"], status: 64, message: "--depth takes a number, found `-2`"),
  // REPL entries from a pipe
  BadInput(name: "repl: unknown meta-command", arguments: [], input: text("?- edge(a, X).\n.frobnicate\n"), status: 64, message: "<stdin>:2:1: error: unknown command `.frobnicate`"),
  BadInput(name: "repl: bad .mode", arguments: [], input: text(".mode xml\n"), status: 64, message: "<stdin>:1:7: error: `.mode` takes table, box, line, csv, tsv, json, markdown, found `xml`"),
  BadInput(name: "repl: .load a missing file", arguments: [], input: text(".load nope.dl\n"), status: 66, message: "cannot open `nope.dl`"),
  BadInput(name: "repl: .output onto the store's log", arguments: [], input: text(".output g/xinzhi.log\n?- edge(a, X).\n"), status: 73, message: "<stdin>:1:9: error: cannot write `g/xinzhi.log`: it is the store's own log"),
  BadInput(name: "repl: .once onto the store's rules", arguments: [], input: text(".once g/rules.dl\n?- edge(a, X).\n"), status: 73, message: "cannot write `g/rules.dl`: it is the store's own standing rules"),
  BadInput(name: "repl: .load a character device", arguments: [], input: text(".load /dev/zero\n"), status: 66, message: "cannot read `/dev/zero`: it is a character device, not a regular file"),
  BadInput(name: "repl: .asof not a number", arguments: [], input: text(".asof yesterday\n"), status: 64, message: "`.asof` takes a transaction number or `latest`"),
  BadInput(name: "repl: entry cut off by the end of input", arguments: [], input: text("?- edge(a,\n"), status: 65, message: "<stdin>:1:"),
  BadInput(name: "repl: .retract an absent fact", arguments: [], input: text(".retract edge(q, r).\n"), status: 65, message: "cannot retract a fact the store does not hold"),
]

/// Every file under a directory with its bytes (directories as markers), for before/after.
private func snapshot(_ path: String) -> [String: [UInt8]] {
  var result: [String: [UInt8]] = [:]
  guard let names = TextFile.names(inDirectory: path) else { return result }
  for name in names {
    let full = path + "/" + name
    if TextFile.isDirectory(full) == true {
      result[name + "/"] = []
      for (k, v) in snapshot(full) { result[name + "/" + k] = v }
    } else {
      result[name] = readFile(full) ?? [0xFF, 0xFE]
    }
  }
  return result
}

@Suite struct BadInputCatalogueTests {
  @Test func theCatalogueHasAtLeastSixtyCases() {
    #expect(badInputs.count >= 60)
    #expect(Set(badInputs.map(\.name)).count == badInputs.count)
  }

  @Test(arguments: badInputs)
  func badInputIsRefusedAndTheStoreIsUnchanged(_ bad: BadInput) throws {
    let dir = TemporaryDirectory()
    let g = dir.file("g")
    _ = xinzhi(["init", g])
    _ = xinzhi(["--store", g, "assert", "edge(a, b). edge(b, c). label(a, \"甲\"@zh). weight(a, 3)."])
    _ = xinzhi(["--store", g, "assert", "edge(c, d)."])
    for (path, bytes) in bad.files {
      let full = dir.file(path)
      if let slash = full.lastIndex(of: "/") { _ = mkdir(String(full[..<slash]), 0o755) }
      writeFile(full, bytes)
    }
    let log = g + "/xinzhi.log"
    var lockHolder: Int32 = -1
    switch bad.damage {
    case .flipFirstTransaction?:
      var bytes = try #require(readFile(log))
      let at = try #require(bytes.firstIndex(of: UInt8(ascii: "+")))
      bytes[at + 2] = UInt8(ascii: "z")
      writeFile(log, bytes)
    case .invalidUTF8InFirst?:
      var bytes = try #require(readFile(log))
      let at = try #require(bytes.firstIndex(of: UInt8(ascii: "+")))
      bytes[at + 2] = 0xFF
      writeFile(log, bytes)
    case .editFirstFact?:
      // A plausible hand edit: `+ a edge b` becomes `+ a edge q`, checksum left as it was.
      var bytes = try #require(readFile(log))
      let record = Array("+ a edge b".utf8)
      let at = try #require((0...(bytes.count - record.count)).first { Array(bytes[$0..<$0 + record.count]) == record })
      bytes[at + record.count - 1] = UInt8(ascii: "q")
      writeFile(log, bytes)
    case .replaceWithDirectory?:
      _ = unlink(log)
      _ = mkdir(log, 0o755)
    case .readOnlyStore?:
      _ = chmod(log, 0o444)
    case nil:
      break
    }
    if bad.name.contains("locked by another writer") {
      lockHolder = open(log, O_RDONLY)
      #expect(lockExclusively(lockHolder) == 0)
    }
    defer {
      if lockHolder >= 0 { close(lockHolder) }
      _ = chmod(log, 0o644)
    }
    let before = snapshot(g)
    let arguments = bad.ownStore ? ["--store", g] + bad.arguments : bad.arguments
    var result: ProcessResult
    if bad.damage != .readOnlyStore || geteuid() != 0 {
      result = xinzhi(arguments, inputBytes: bad.input, directory: dir.path, timeout: 60)
    } else {
      // Root writes through file permissions; run as `nobody` so the permission counts.
      _ = chmod(dir.path, 0o755)
      _ = chmod(g, 0o755)
      result = run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", productPath("xinzhi")] + arguments, environment: ["NO_COLOR": "1"], inputBytes: bad.input, directory: dir.path)
    }
    #expect(result.status == bad.status, "\(bad.name): status \(result.status)\n\(result.stderr)")
    #expect(result.stderr.contains(bad.message), "\(bad.name): \(result.stderr)")
    #expect(snapshot(g) == before, "\(bad.name) changed the store")
  }
}
