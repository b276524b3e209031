// Files written and read by commands, through the real `xinzhi` binary: outputs never land on
// the store's own files, failed writes (full disk, closed standard output) are errors that leave
// no partial file, special files (FIFOs, devices) and endless inputs end with an error instead of
// a hang, a UTF-8 byte order mark is not data, and file names in messages cannot carry escape
// sequences to the terminal.

import KnowledgeGraph
import Platform
import TestSupport
import Testing

/// A store with enough facts that an export is larger than one 512-byte block.
private func storeWithFacts(_ dir: TemporaryDirectory) -> String {
  let g = dir.file("g")
  _ = xinzhi(["init", g])
  let facts = (0..<60).map { "edge(node_\($0), node_\($0 + 1))." }.joined(separator: " ") + " label(node_0, \"甲\"@zh)."
  _ = xinzhi(["--store", g, "assert", facts])
  return g
}

/// Every file in a directory with its bytes.
private func contents(_ path: String) -> [String: [UInt8]] {
  var result: [String: [UInt8]] = [:]
  for name in TestFiles.names(in: path) { result[name] = readFile(path + "/" + name) ?? [] }
  return result
}

@Suite struct OutputSafetyTests {
  // MARK: - Outputs onto the store's own files

  @Test func outputsThatResolveToTheStoresFilesAreRefused() throws {
    let dir = TemporaryDirectory()
    let g = storeWithFacts(dir)
    writeFile(g + "/rules.dl", Array("reach(X, Y) :- edge(X, Y).\n".utf8))
    writeFile(g + "/xinzhi.log.cut", Array("# cut\n".utf8))
    #expect(symlink(g + "/xinzhi.log", dir.file("innocent.tsv")) == 0)
    #expect(link(g + "/xinzhi.log.cut", dir.file("hard-link.txt")) == 0)
    #expect(mkdir(dir.file("other"), 0o755) == 0)
    let before = contents(g)
    let targets = [
      "g/xinzhi.log", "./g/../g/xinzhi.log", "g//xinzhi.log", "innocent.tsv", "hard-link.txt", "g/rules.dl", "g/xinzhi.log.cut",
      "g/xinzhi.checkpoint",  // not there yet: the name alone is refused
    ]
    for target in targets {
      for arguments in [["export", "-o", target], ["export", "--format", "nt", "--output", target], ["why", "edge(node_0, node_1)", "-o", target]] {
        let result = xinzhi(["--store", g] + arguments, directory: dir.path)
        #expect(result.status == 73, "\(arguments): \(result.status) \(result.stderr)")
        #expect(result.stderr.contains("is the store's own"), "\(arguments): \(result.stderr)")
      }
      for entry in [".output \(target)\n?- edge(X, Y).\n", ".once \(target)\n?- edge(X, Y).\n", ".dot \(target) ?- edge(node_0, X).\n"] {
        let result = xinzhi(["--store", g], input: entry, directory: dir.path)
        #expect(result.status == 73, "\(entry): \(result.status) \(result.stderr)")
        #expect(result.stderr.contains("is the store's own"), "\(entry): \(result.stderr)")
      }
    }
    #expect(contents(g) == before, "a refused output changed the store")
    #expect(xinzhi(["--store", g, "verify"]).status == 0)
    // A file of the same name elsewhere is fine.
    let elsewhere = xinzhi(["--store", g, "export", "-o", "other/xinzhi.log"], directory: dir.path)
    #expect(elsewhere.status == 0, "\(elsewhere.stderr)")
  }

  // MARK: - Failed writes

  @Test(.enabled(if: hasDevFull, "needs /dev/full"))
  func aFullDiskOrAClosedStandardOutputIsAnError() {
    let dir = TemporaryDirectory()
    let g = storeWithFacts(dir)
    for arguments in [["export"], ["export", "--format", "nt"], ["query", "?- edge(X, Y)."], ["why", "edge(node_0, node_1)"], ["log"], ["stats"]] {
      let full = xinzhi(["--store", g] + arguments, standardOutput: .file("/dev/full"))
      #expect(full.status == 74, "\(arguments) > /dev/full: \(full.status) \(full.stderr)")
      #expect(full.stderr.contains("cannot write standard output: No space left on device"), "\(arguments): \(full.stderr)")
      let closed = xinzhi(["--store", g] + arguments, standardOutput: .closed)
      #expect(closed.status == 74, "\(arguments) >&-: \(closed.status) \(closed.stderr)")
      #expect(closed.stderr.contains("cannot write standard output: Bad file descriptor"), "\(arguments): \(closed.stderr)")
    }
    let repl = xinzhi(["--store", g], input: "?- edge(X, Y).\n", standardOutput: .file("/dev/full"))
    #expect(repl.status == 74, "\(repl.stderr)")
    #expect(xinzhi(["--store", g, "verify"]).status == 0)
  }

  @Test func outputFilesThatCannotBeWrittenAreErrorsAndLeaveNoPartialFile() {
    let dir = TemporaryDirectory()
    let g = storeWithFacts(dir)
    writeFile(dir.file("old.tsv"), Array("the previous export\n".utf8))
    for arguments in [["export", "-o", "old.tsv"], ["export", "-o", "new.tsv"], ["why", "edge(node_0, node_1)", "--format", "dot", "-o", "new.dot"]] {
      let result = xinzhiWithFileSizeLimit(blocks: 1, ["--store", g] + arguments, directory: dir.path)
      let path = arguments[arguments.count - 1]
      #expect(result.status == 74, "\(arguments): \(result.status) \(result.stderr)")
      #expect(result.stderr.contains("cannot write `\(path)`: File too large"), "\(arguments): \(result.stderr)")
    }
    #expect(readText(dir.file("old.tsv")) == "the previous export\n")
    #expect(TestFiles.names(in: dir.path) == ["g", "old.tsv"], "partial or temporary files left behind")
    // On /dev/full the device is written directly and the failure reported.
    if hasDevFull {
      let device = xinzhi(["--store", g, "export", "-o", "/dev/full"])
      #expect(device.status == 74)
      #expect(device.stderr.contains("cannot write `/dev/full`: No space left on device"), "\(device.stderr)")
    }
  }

  @Test(.enabled(if: hasDevFull, "needs /dev/full"))
  func replOutputFilesThatFailAreErrors() {
    let dir = TemporaryDirectory()
    let g = storeWithFacts(dir)
    let entries = [
      ".output /dev/full\n?- edge(X, Y).\n", ".once /dev/full\n?- edge(X, Y).\n", ".dot /dev/full ?- edge(node_0, X).\n",
      ".once /dev/full\n.schema\n",
    ]
    for entry in entries {
      let result = xinzhi(["--store", g], input: entry + "?- edge(node_0, X).\n")
      #expect(result.status == 74, "\(entry): \(result.status) \(result.stderr)")
      #expect(result.stderr.contains("cannot write `/dev/full`: No space left on device"), "\(entry): \(result.stderr)")
      // After the failure results go to the screen again.
      #expect(result.stdout.contains("node_1"), "\(entry): \(result.stdout)")
    }
    // A regular file that fills up: `.dot` and `.once` leave no partial file.
    let limited = xinzhiWithFileSizeLimit(
      blocks: 1, ["--store", g], input: ".dot pic.dot ?- edge(X, Y).\n.once once.txt\n?- edge(X, Y).\n", directory: dir.path)
    #expect(limited.status == 74, "\(limited.stderr)")
    #expect(limited.stderr.contains("cannot write `pic.dot`: File too large"), "\(limited.stderr)")
    #expect(limited.stderr.contains("cannot write `once.txt`: File too large"), "\(limited.stderr)")
    #expect(TestFiles.names(in: dir.path) == ["g"], "partial or temporary files left behind")
  }

  // MARK: - Special files and endless inputs

  @Test func specialFilesAreRefusedWithoutHanging() throws {
    let dir = TemporaryDirectory()
    let g = storeWithFacts(dir)
    #expect(mkfifo(dir.file("fifo.dl"), 0o644) == 0)
    #expect(mkdir(dir.file("scripts"), 0o755) == 0)
    #expect(mkfifo(dir.file("scripts/pipe.dl"), 0o644) == 0)
    let cases: [([String], String?, Int32, String)] = [
      (["run", "fifo.dl"], nil, 66, "cannot read `fifo.dl`: it is a named pipe (FIFO), not a regular file"),
      (["run", "/dev/zero"], nil, 66, "cannot read `/dev/zero`: it is a character device, not a regular file"),
      (["test", "scripts"], nil, 66, "cannot read `scripts/pipe.dl`: it is a named pipe (FIFO)"),
      (["test", "fifo.dl"], nil, 66, "cannot read `fifo.dl`: it is a named pipe (FIFO)"),
      (["import", "fifo.dl"], nil, 66, "cannot read `fifo.dl`: it is a named pipe (FIFO)"),
      (["import", "/dev/zero", "--format", "tsv"], nil, 66, "cannot read `/dev/zero`: it is a character device"),
      (["import", "/dev/zero", "--format", "dl"], nil, 66, "cannot read `/dev/zero`: it is a character device"),
      (["import", "scripts", "--format", "nt"], nil, 66, "cannot read `scripts`: it is a directory"),
      ([], ".load fifo.dl\n", 66, "cannot read `fifo.dl`: it is a named pipe (FIFO)"),
      ([], ".load /dev/zero\n", 66, "cannot read `/dev/zero`: it is a character device"),
    ]
    for (arguments, input, status, message) in cases {
      let result = xinzhi(["--store", g] + arguments, input: input, directory: dir.path, timeout: 20)
      #expect(result.status == status, "\(arguments) \(input ?? ""): \(result.status) \(result.stderr)")
      #expect(result.stderr.contains(message), "\(arguments) \(input ?? ""): \(result.stderr)")
    }
    // A FIFO as the store's standing rules.
    #expect(mkfifo(g + "/rules.dl", 0o644) == 0)
    let rules = xinzhi(["--store", g, "query", "?- edge(node_0, X)."], timeout: 20)
    #expect(rules.status == 66, "\(rules.status) \(rules.stderr)")
    #expect(rules.stderr.contains("rules.dl`: it is a named pipe (FIFO), not a regular file"), "\(rules.stderr)")
  }

  @Test func endlessInputsEndWithAClearError() throws {
    let dir = TemporaryDirectory()
    let g = storeWithFacts(dir)
    let xinzhiPath = productPath("xinzhi")
    // Standard input that never ends: an import stops at the line limit, a query text at the size limit.
    let endless: [([String], Int32, String)] = [
      (["import", "-", "--format", "tsv"], 65, "<stdin>:1:1: error: the line is longer than 16 MiB"),
      (["import", "-", "--format", "nt"], 65, "<stdin>:1:1: error: the line is longer than 16 MiB"),
      (["query", "-"], 65, "standard input is larger than 64 MiB"),
    ]
    for (arguments, status, message) in endless {
      let result = run(
        "/bin/sh", ["-c", "exec \"$0\" \"$@\" < /dev/zero", xinzhiPath, "--store", g] + arguments, environment: ["NO_COLOR": "1"], timeout: 60)
      #expect(result.status == status, "\(arguments): \(result.status) \(result.stderr)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
    // A file with one gigantic line.
    let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 17 << 20)
    writeFile(dir.file("huge.tsv"), huge)
    let file = xinzhi(["--store", g, "import", "huge.tsv"], directory: dir.path, timeout: 60)
    #expect(file.status == 65, "\(file.status) \(file.stderr)")
    #expect(file.stderr.contains("huge.tsv:1:1: error: the line is longer than 16 MiB"), "\(file.stderr)")
    // A pipe is a real input for imports: process substitution and `-` work.
    let piped = run(
      "/bin/sh", ["-c", "printf 'x\\tedge\\ty\\n' | exec \"$0\" \"$@\"", xinzhiPath, "--store", g, "import", "-", "--format", "tsv"],
      environment: ["NO_COLOR": "1"], timeout: 60)
    #expect(piped.status == 0, "\(piped.stderr)")
    #expect(xinzhi(["--store", g, "query", "?- edge(x, y)."]).stdout.contains("true"))
    // A transaction script on standard input, as the help's `FILE|-` promises.
    let script = xinzhi(["--store", g, "import", "-", "--format", "dl"], input: "%% source: 000:L1-L2\nedge(s1, s2).\nedge(s2, s3, s4).\n")
    #expect(script.status == 65, "\(script.stderr)")
    #expect(script.stderr.contains("<stdin>:3:1: error:"), "\(script.stderr)")
    let good = xinzhi(["--store", g, "import", "-", "--format", "dl"], input: "%% source: 000:L1-L2\nedge(s1, s2).\n")
    #expect(good.status == 0, "\(good.stderr)")
    #expect(xinzhi(["--store", g, "query", "?- edge(s1, s2)."]).stdout.contains("true"))
    #expect(xinzhi(["--store", g, "verify"]).status == 0)
  }

  // MARK: - Byte order marks

  @Test func aByteOrderMarkIsNotPartOfTheFirstLine() throws {
    let dir = TemporaryDirectory()
    let g = storeWithFacts(dir)
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    writeFile(dir.file("bom.tsv"), bom + Array("bom_a\tedge\tbom_b\n".utf8))
    writeFile(dir.file("bom.nt"), bom + Array("<urn:xinzhi:bom_c> <urn:xinzhi:edge> <urn:xinzhi:bom_d> .\n".utf8))
    writeFile(dir.file("bom.dl"), bom + Array("?- edge(bom_a, X).\n".utf8))
    writeFile(dir.file("script.dl"), bom + Array("%% source: 000:L1-L2\nedge(bom_e, bom_f).\n".utf8))
    for file in ["bom.tsv", "bom.nt", "script.dl"] {
      let result = xinzhi(["--store", g, "import", file], directory: dir.path)
      #expect(result.status == 0, "\(file): \(result.stderr)")
    }
    let answers = xinzhi(["--store", g, "query", "?- edge(bom_a, bom_b), edge(bom_c, bom_d), edge(bom_e, bom_f)."])
    #expect(answers.stdout.contains("true"), "\(answers.stdout) \(answers.stderr)")
    let script = xinzhi(["--store", g, "run", "bom.dl"], directory: dir.path)
    #expect(script.status == 0, "\(script.stderr)")
    #expect(script.stdout.contains("bom_b"))
    let repl = xinzhi(["--store", g], input: ".load bom.dl\n", directory: dir.path)
    #expect(repl.status == 0, "\(repl.stderr)")
    #expect(repl.stdout.contains("bom_b"))
  }

  // MARK: - File names in messages

  @Test func fileNamesInMessagesCannotSendEscapeSequences() throws {
    let dir = TemporaryDirectory()
    let g = storeWithFacts(dir)
    let evil = "evil\u{1B}]0;owned\u{07}\u{1B}[2J"
    writeFile(dir.file(evil + ".dl"), Array("?- edge(a, X, Y).\n".utf8))
    writeFile(dir.file(evil + ".tsv"), Array("only two\tfields\n".utf8))
    let cases: [[String]] = [
      ["run", evil + ".dl"], ["run", evil + "-missing.dl"], ["import", evil + ".tsv"], ["import", evil + "-missing.tsv"],
      ["import", evil + ".xml"], ["export", "-o", evil + "/x.tsv"], ["test", evil + "-missing"], ["test", "--update", evil + ".dl"],
    ]
    for arguments in cases {
      let result = xinzhi(["--store", g] + arguments, directory: dir.path)
      #expect(result.status != 0, "\(arguments)")
      #expect(!result.stderr.contains("\u{1B}"), "\(arguments): \(result.stderr)")
      #expect(!result.stdout.contains("\u{1B}"), "\(arguments): \(result.stdout)")
      #expect(result.stderr.contains("evil\\u{1B}]0;owned\\u{7}\\u{1B}[2J"), "\(arguments): \(result.stderr)")
    }
    let repl = xinzhi(["--store", g], input: ".load '\(evil).dl'\n.output '\(evil)/x'\n.once '\(evil)/x'\n.dot '\(evil)/x' ?- edge(X, Y).\n", directory: dir.path)
    #expect(repl.status != 0)
    #expect(!repl.stderr.contains("\u{1B}"), "\(repl.stderr)")
    #expect(repl.stderr.ranges(of: "evil\\u{1B}").count >= 4, "\(repl.stderr)")
  }
}
