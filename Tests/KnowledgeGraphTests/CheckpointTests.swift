// Issue 12: the checkpoint is derived data, so nothing in it may crash, hang or mislead a
// command. Crafted checkpoints with a valid checksum are rejected with a warning and the store
// is read from the log; a FIFO at its path never blocks; symbolic links planted where the
// checkpoint's temporary goes are never followed.

import KnowledgeGraph
import Platform
import TestSupport
import Testing

@Suite struct CheckpointTests {
  /// A store of a few transactions (one triple asserted twice, so provenance has more than one
  /// transaction) and the checkpoint written for it.
  func makeStore(_ dir: TemporaryDirectory) throws -> (path: String, checkpoint: CheckpointFile) {
    let g = dir.file("g")
    let store = try GraphStore.create(at: g)
    for i in 0..<12 {
      try store.transact(asserting: [Triple("e\(i % 5)", "p", .entity("v\(i)")), Triple("e\(i)", "q", .integer(Int64(i)))])
    }
    try store.transact(asserting: [Triple("e0", "p", .entity("v0")), Triple("e1", "p", .entity("v1"))])
    var options = GraphStore.Options()
    options.checkpointThreshold = 0
    _ = try GraphStore.open(at: g, options: options)
    let bytes = try #require(readFile(g + "/xinzhi.checkpoint"))
    let checkpoint = try #require(CheckpointFile(bytes))
    #expect(checkpoint.bytes == bytes, "the test's reading of the layout is out of date")
    return (g, checkpoint)
  }

  static let queries = ["?- p(X, Y).", "?- q(e3, Y).", "?- tx_of(S, P, O, T).", "?- q(zzz, Y)."]

  /// Changes made to a valid checkpoint, each keeping the checksum valid.
  static let crafted: [(name: String, reason: String, change: @Sendable (inout CheckpointFile) -> Void)] = [
    ("non-monotonic spo offsets", "spo: the offsets decrease", { c in swapFirstIncreasing(&c, .spoOffsets) }),
    ("non-monotonic dictionary offsets", "offsets of entries decrease", { c in swapFirstIncreasing(&c, .dictionaryOffsets) }),
    ("unsorted pos run", "pos: the run of id", { c in
      var pairs = c.elements(.posPairs)
      let offsets = c.elements(.posOffsets)
      if let k = (0..<(offsets.count - 1)).first(where: { offsets[$0 + 1] - offsets[$0] >= 2 }) {
        pairs.swapAt(Int(offsets[k]), Int(offsets[k]) + 1)
      }
      c.setElements(.posPairs, pairs)
    }),
    ("object id beyond the dictionary", "names an id beyond the", { c in
      var pairs = c.elements(.spoPairs)
      pairs[pairs.count - 1] = pairs[pairs.count - 1] | 0xFFFF_FF00
      c.setElements(.spoPairs, pairs)
    }),
    ("osp holds a triple spo does not", "osp does not hold the triples of spo", { c in
      var pairs = c.elements(.ospPairs)
      pairs[pairs.count - 1] = (pairs[pairs.count - 1] & ~0xFFFF_FFFF) | (c.field(.termCount) - 1)
      c.setElements(.ospPairs, pairs)
    }),
    ("triple count with the high bit set", "disagree with its sections", { c in c.set(.tripleCount, UInt64.max) }),
    ("term count one too many", "disagree with its sections", { c in c.set(.termCount, c.field(.termCount) + 1) }),
    ("truncated pairs section", "disagree with its sections", { c in c.setElements(.spoPairs, Array(c.elements(.spoPairs).dropLast())) }),
    ("truncated transactions section", "table of transactions", { c in
      c.sections[CheckpointFile.Section.transactions.rawValue].removeLast(3)
      c.lengths[CheckpointFile.Section.transactions.rawValue] -= 3
    }),
    ("huge section length", "length does not fit the file", { c in c.lengths[CheckpointFile.Section.spoPairs.rawValue] = UInt64.max - 7 }),
    ("section length not a multiple of the element size", "length does not fit the file", { c in c.lengths[CheckpointFile.Section.hashes.rawValue] += 1 }),
    ("line count that overflows", "its stamp", { c in c.set(.lineCount, UInt64.max) }),
    ("last transaction beyond 32 bits", "its stamp", { c in c.set(.lastTransaction, UInt64(UInt32.max) + 1) }),
    ("provenance naming transaction 0", "names transaction 0", { c in
      var first = c.elements(.firstTx)
      first[0] = 0
      c.setElements(.firstTx, first)
    }),
    ("further provenance beyond the last transaction", "not rising through known transactions", { c in
      var more = c.elements(.moreTx)
      more[more.count - 1] = 999
      c.setElements(.moreTx, more)
    }),
    ("further provenance for an absent triple", "absent triple", { c in
      var more = c.elements(.moreTx)
      more[2] = c.field(.termCount) - 1
      c.setElements(.moreTx, more)
    }),
    ("hash table without an empty slot", "hash table", { c in
      c.setElements(.slots, Array(repeating: 1, count: c.elements(.slots).count))
    }),
    ("transactions numbered out of order", "is numbered 7", { c in
      c.sections[CheckpointFile.Section.transactions.rawValue][0] = 7
    }),
  ]

  static func swapFirstIncreasing(_ c: inout CheckpointFile, _ section: CheckpointFile.Section) {
    var values = c.elements(section)
    if let k = (1..<(values.count - 1)).first(where: { values[$0] < values[$0 + 1] }) { values.swapAt(k, k + 1) }
    c.setElements(section, values)
  }

  /// Issue 12, item 9: each crafted checkpoint makes `query` and `verify` warn and answer from
  /// the log, within a time limit, instead of crashing (SIGILL), hanging or answering wrongly.
  @Test func craftedCheckpointsAreRejectedWithAWarning() throws {
    let dir = TemporaryDirectory("xinzhi-crafted")
    let (g, original) = try makeStore(dir)
    let path = g + "/xinzhi.checkpoint"
    unlink(path)
    let expected = Self.queries.map { xinzhi(["--store", g, "query", $0]).stdout }
    for (name, reason, change) in Self.crafted {
      var crafted = original
      change(&crafted)
      #expect(crafted.bytes != original.bytes, "\(name): the change changed nothing")
      writeFile(path, crafted.bytes)
      for (query, answer) in zip(Self.queries, expected) {
        let result = xinzhi(["--store", g, "query", query], timeout: 20)
        #expect(result.status == 0, "\(name), \(query): status \(result.status): \(result.stderr)")
        #expect(result.stdout == answer, "\(name), \(query)")
        #expect(result.stderr.contains("warning: the checkpoint") && result.stderr.contains("rejected: "), "\(name), \(query): \(result.stderr)")
        #expect(result.stderr.contains(reason), "\(name), \(query): \(result.stderr)")
      }
      let verify = xinzhi(["--store", g, "verify"], timeout: 20)
      #expect(verify.status == 0, "\(name), verify: status \(verify.status): \(verify.stderr)")
      #expect(verify.stdout.hasPrefix("ok: 13 transactions"), "\(name), verify: \(verify.stdout)")
      #expect(verify.stderr.contains("rejected"), "\(name), verify: \(verify.stderr)")
    }
    // The original itself is accepted, silently.
    writeFile(path, original.bytes)
    let result = xinzhi(["--store", g, "query", Self.queries[0]])
    #expect(result.stdout == expected[0] && result.stderr.isEmpty, "\(result.stderr)")
    #expect(xinzhi(["--store", g, "verify"]).stdout.contains("and so is the checkpoint"))
  }

  /// A rejected checkpoint of a store large enough to checkpoint is replaced by a good one.
  @Test func rejectedCheckpointIsRebuiltFromTheLog() throws {
    let dir = TemporaryDirectory("xinzhi-rebuilt")
    let (g, original) = try makeStore(dir)
    var crafted = original
    Self.swapFirstIncreasing(&crafted, .spoOffsets)
    writeFile(g + "/xinzhi.checkpoint", crafted.bytes)
    var options = GraphStore.Options()
    options.checkpointThreshold = 0
    let store = try GraphStore.open(at: g, options: options)
    #expect(store.warnings.map(\.code) == ["checkpoint-rejected"])
    #expect(!store.openedFromCheckpoint)
    #expect(store.tripleCount == 24)
    let reopened = try GraphStore.open(at: g)
    #expect(reopened.warnings.isEmpty)
    #expect(reopened.openedFromCheckpoint)
    #expect(reopened.verify().checkedCheckpoint)
  }

  /// A sound checkpoint whose stamp matches the log's bytes but claims a prefix ending inside a
  /// line: the log does not go on from there, so the store is replayed from the start.
  @Test func checkpointEndingInsideALineIsDroppedForAFullReplay() throws {
    let dir = TemporaryDirectory("xinzhi-ckpt-midline")
    let (g, original) = try makeStore(dir)
    let log = try #require(readFile(g + "/xinzhi.log"))
    var crafted = original
    let length = log.count - 5
    crafted.set(.logLength, UInt64(length))
    crafted.set(.logHash, XXHash64.hash(Array(log[0..<length])))
    writeFile(g + "/xinzhi.checkpoint", crafted.bytes)
    let store = try GraphStore.open(at: g)
    #expect(store.warnings.map(\.code) == ["checkpoint-rejected"])
    #expect(store.warnings.first?.message.contains("does not continue") == true)
    #expect(!store.openedFromCheckpoint)
    #expect(store.tripleCount == 24 && store.lastTransaction == 13)
    let result = xinzhi(["--store", g, "verify"], timeout: 20)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("does not continue"), "\(result.stderr)")
  }

  /// Issue 12, item 8: a FIFO (or a directory) at the checkpoint's path neither blocks nor is
  /// replaced, even when the command would write a checkpoint; it draws a warning.
  @Test func fifoOrDirectoryCheckpointNeitherHangsNorIsReplaced() throws {
    let dir = TemporaryDirectory("xinzhi-fifo")
    let (g, _) = try makeStore(dir)
    let path = g + "/xinzhi.checkpoint"
    let expected = xinzhi(["--store", g, "query", "?- p(X, Y)."])
    for kind in ["fifo", "directory"] {
      unlink(path)
      rmdir(path)
      #expect((kind == "fifo" ? mkfifo(path, 0o644) : mkdir(path, 0o755)) == 0)
      for threshold in ["0", "100000000"] {
        let result = xinzhi(["--store", g, "query", "?- p(X, Y)."], environment: ["XINZHI_CHECKPOINT_THRESHOLD": threshold], timeout: 20)
        #expect(result.status == 0, "\(kind): \(result.stderr)")
        #expect(result.stdout == expected.stdout, "\(kind)")
        #expect(result.stderr.contains("warning: the checkpoint") && result.stderr.contains("not a regular file"), "\(kind): \(result.stderr)")
        #expect(SystemFile.kind(of: path) == (kind == "fifo" ? .fifo : .directory), "\(kind): the checkpoint path was replaced")
      }
      let verify = xinzhi(["--store", g, "verify"], timeout: 20)
      #expect(verify.status == 0, "\(kind): \(verify.stderr)")
      #expect(verify.stderr.contains("not a regular file"), "\(kind): \(verify.stderr)")
      let write = xinzhi(["--store", g, "assert", "r(e9, v9)."], environment: ["XINZHI_CHECKPOINT_THRESHOLD": "0"], timeout: 20)
      #expect(write.status == 0, "\(kind): \(write.stderr)")
      #expect(SystemFile.kind(of: path) == (kind == "fifo" ? .fifo : .directory))
    }
  }

  /// Issue 12, item 5: a symbolic link at the old temporary name, or at a name like the new
  /// temporaries', is never followed when a reading command writes a checkpoint.
  @Test func symbolicLinksWhereTheTemporaryGoesAreNotFollowed() throws {
    let dir = TemporaryDirectory("xinzhi-ckpt-link")
    let (g, _) = try makeStore(dir)
    let path = g + "/xinzhi.checkpoint"
    unlink(path)
    let victims = [dir.write("victim-legacy", "precious\n"), dir.write("victim-new", "precious too\n")]
    let links = [path + ".tmp", path + ".tmp-0123456789abcdef"]
    for (link, victim) in zip(links, victims) { #expect(symlink(victim, link) == 0) }
    let result = xinzhi(["--store", g, "query", "?- p(e0, Y)."], environment: ["XINZHI_CHECKPOINT_THRESHOLD": "0"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(dir.read("victim-legacy") == "precious\n")
    #expect(dir.read("victim-new") == "precious too\n")
    #expect(SystemFile.kind(of: path) == .regular, "no checkpoint was written")
    for link in links {
      var info = stat()
      #expect(lstat(link, &info) != 0, "`\(link)` was left in place")
    }
    #expect(try GraphStore.open(at: g).openedFromCheckpoint)
  }

  /// A symbolic link at the checkpoint's own path is neither read through nor replaced.
  @Test func symbolicLinkAsTheCheckpointIsLeftAlone() throws {
    let dir = TemporaryDirectory("xinzhi-ckpt-self-link")
    let (g, original) = try makeStore(dir)
    let path = g + "/xinzhi.checkpoint"
    let elsewhere = dir.file("elsewhere.checkpoint")
    writeFile(elsewhere, original.bytes)
    unlink(path)
    #expect(symlink(elsewhere, path) == 0)
    var options = GraphStore.Options()
    options.checkpointThreshold = 0
    let store = try GraphStore.open(at: g, options: options)
    #expect(!store.openedFromCheckpoint)
    #expect(store.warnings.map(\.code) == ["checkpoint-not-regular"])
    var info = stat()
    #expect(lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
    #expect(readFile(elsewhere) == original.bytes)
  }
}
