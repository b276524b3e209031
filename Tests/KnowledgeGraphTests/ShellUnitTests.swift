// Pieces of the REPL that need no terminal: when an entry is complete, the history file, and
// how meta-command arguments are split.

import KnowledgeGraph
import Platform
@testable import Shell
import TestSupport
import Testing

@Suite struct ShellUnitTests {
  @Test(arguments: [
    ("?- edge(a, X).", false),
    ("?- edge(a,", true),
    ("p(X) :- q(X), X > 1.", false),
    ("p(X) :- q(X), X > 1.5", true),
    ("p(X) :- q(X),\n  r(X).", false),
    ("% only a comment", false),
    ("", false),
    ("?- label(X, \"a.\")", true),
    ("?- label(X, \"unterminated", false),
    ("edge(a, b). edge(b", true),
    ("?- n(X), Y = X % 2.", false),
  ])
  func anEntryIsCompleteWhenItsLastTokenIsTheClausePeriod(text: String, needsMore: Bool) {
    #expect(QuerySession.needsMoreInput(text) == needsMore, "\(text)")
  }

  @Test func historyKeepsMultiLineEntriesAndIsCapped() {
    let dir = TemporaryDirectory()
    let path = dir.file("history")
    let history = History(path: path, limit: 3)
    history.add("?- a(X,\n  Y).")
    history.add("back\\slash")
    history.add("   ")
    history.add("back\\slash")
    #expect(readText(path) == "?- a(X,\\n  Y).\nback\\\\slash\n")
    #expect(History(path: path, limit: 3).entries == ["?- a(X,\n  Y).", "back\\slash"])
    for k in 1...5 { history.add("e\(k)") }
    // Reopened, only the last three remain, and the file is cut down to them.
    #expect(History(path: path, limit: 3).entries == ["e3", "e4", "e5"])
    #expect(readText(path) == "e3\ne4\ne5\n")
    // A pasted `\r\n` (one Character in Swift) is still written as escapes, on one line.
    let crlf = History(path: dir.file("crlf"), limit: 3)
    crlf.add("?- a(X),\r\n   b(X).")
    #expect(readText(dir.file("crlf")) == "?- a(X),\\r\\n   b(X).\n")
    #expect(History(path: dir.file("crlf")).entries == ["?- a(X),\r\n   b(X)."])
    #expect(History.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.xinzhi_history")
    #expect(History.defaultPath(environment: ["HOME": "/home/u", "XINZHI_HISTORY": ""]) == nil)
  }

  @Test func historyRewritesThroughAnUnpredictableTemporaryFile() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("history")
    writeFile(path, Array((1...5).map { "e\($0)\n" }.joined().utf8))
    // A link planted under the old predictable temporary name must not redirect the rewrite.
    writeFile(dir.file("victim"), Array("precious\n".utf8))
    #expect(symlink(dir.file("victim"), path + ".tmp") == 0)
    #expect(History(path: path, limit: 3).entries == ["e3", "e4", "e5"])
    #expect(readText(path) == "e3\ne4\ne5\n")
    #expect(readText(dir.file("victim")) == "precious\n")
    #expect(TestFiles.names(in: dir.path) == ["history", "history.tmp", "victim"])
  }

  @Test func specialOrHugeHistoryFilesTurnTheHistoryOff() throws {
    let dir = TemporaryDirectory()
    #expect(mkfifo(dir.file("fifo"), 0o600) == 0)
    for path in ["/dev/full", "/dev/zero", dir.file("fifo"), dir.path] where path != "/dev/full" || hasDevFull {
      let history = History(path: path)
      #expect(history.entries.isEmpty)
      #expect(history.path == nil, "\(path)")
      #expect(history.problem?.contains("not a regular file") == true, "\(path): \(history.problem ?? "no problem reported")")
      history.add("?- edge(a, X).")  // neither blocks nor writes
      #expect(history.entries == ["?- edge(a, X)."])
    }
    // A file larger than the limit is left alone, neither loaded nor cut.
    let big = dir.file("big")
    let bytes = Array(String(repeating: "?- edge(a, X).\n", count: 1000).utf8)
    writeFile(big, bytes)
    let history = History(path: big, maxFileBytes: 4096)
    #expect(history.entries.isEmpty)
    #expect(history.problem?.contains("larger than 4 KiB") == true, "\(history.problem ?? "no problem reported")")
    history.add("?- more.")
    #expect(readFile(big) == bytes)
  }

  @Test func textFileWriteDoesNotFollowALinkAtItsTemporaryName() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("script.dl")
    writeFile(path, Array("old\n".utf8))
    writeFile(dir.file("victim"), Array("precious\n".utf8))
    #expect(symlink(dir.file("victim"), path + ".tmp-\(getpid())") == 0)
    try TextFile.write("new\n", to: path)
    #expect(readText(path) == "new\n")
    #expect(readText(dir.file("victim")) == "precious\n")
    #expect(TestFiles.names(in: dir.path) == ["script.dl", "script.dl.tmp-\(getpid())", "victim"])
  }

  @Test func textFilesAreReadWithoutTheirByteOrderMarkAndWithinALimit() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("bom.dl")
    writeFile(path, [0xEF, 0xBB, 0xBF] + Array("?- a.\n".utf8))
    #expect(try TextFile.read(path) == "?- a.\n")
    writeFile(path, Array(repeating: UInt8(ascii: "a"), count: 2048))
    #expect(throws: DiagnosticError.self) { try TextFile.read(path, limit: 1024) }
    #expect(try TextFile.read(path, limit: 2048).count == 2048)
  }

  @Test func metaCommandArgumentsAndWriteOptions() {
    #expect(MetaCommands.words(#"a "b c" 'd \' e' f"#) == ["a", "b c", "d ' e", "f"])
    let (facts, options) = MetaCommands.splitOptions(#"label(a, "x --source y"). edge(a, b) --source "000:L1-L2" --note n"#)
    #expect(facts == #"label(a, "x --source y"). edge(a, b) "#)
    #expect(MetaCommands.words(options) == ["--source", "000:L1-L2", "--note", "n"])
  }

  @Test func byteSizesReadAsBinaryMultiples() {
    #expect(QueryCommands.byteSize("100000") == 100_000)
    #expect(QueryCommands.byteSize("512K") == 512 << 10)
    #expect(QueryCommands.byteSize("64M") == 64 << 20)
    #expect(QueryCommands.byteSize("64mb") == 64 << 20)
    #expect(QueryCommands.byteSize("2GiB") == 2 << 30)
    #expect(QueryCommands.byteSize("1T") == 1 << 40)
    for bad in ["", "M", "1.5G", "-1M", "2X", "2 G", "99999999999999999999", "9999999999T"] {
      #expect(QueryCommands.byteSize(bad) == nil, "\(bad)")
    }
  }
}
