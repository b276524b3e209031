// The REPL on a real pseudo-terminal: keys are typed into `xinzhi` running under forkpty, and a
// VT100 screen model checks what the user would see — edited lines, history across sessions,
// Ctrl-R, Tab, multi-line entries, Ctrl-C, Ctrl-D, Chinese display width, .mode and .timer.

import KnowledgeGraph
import Platform
import TestSupport
import Testing

private enum Keys {
  static let up = "\u{1B}[A", down = "\u{1B}[B", right = "\u{1B}[C", left = "\u{1B}[D"
  static let home = "\u{1B}[H", end = "\u{1B}[F", delete = "\u{1B}[3~"
  static let wordRight = "\u{1B}f", wordLeft = "\u{1B}b"
  static let backspace = "\u{7F}", enter = "\r", tab = "\t"
  static func control(_ letter: Character) -> String {
    String(Unicode.Scalar(UInt8(letter.asciiValue ?? 0x40) & 0x1F))
  }
}

/// A store with a few labelled facts, and a history file beside it.
private struct Fixture {
  let dir = TemporaryDirectory()
  let store: String
  var historyPath: String { dir.file("history") }

  init() {
    store = dir.file("g")
    _ = xinzhi(["init", store])
    _ = xinzhi([
      "--store", store, "assert",
      "edge(a, b). edge(b, c). edge(c, central_bank). label(a, \"甲乙\"@zh). label(b, \"乙\"@zh). label(c, \"central\"@en). label(central_bank, \"中央银行\"@zh).",
    ])
  }

  /// Starts the REPL on a terminal of the given size and waits for its first prompt.
  func start(columns: Int = 80, rows: Int = 24, extra: [String: String] = [:]) throws -> PseudoTerminal {
    var environment = ["XINZHI_HISTORY": historyPath, "TERM": "xterm-256color", "NO_COLOR": "", "XINZHI_PAGER": "off"]
    for (k, v) in extra { environment[k] = v }
    let terminal = try #require(
      PseudoTerminal(productPath("xinzhi"), ["--store", store], environment: environment, columns: columns, rows: rows))
    #expect(terminal.waitFor("xinzhi>"), "no prompt: \(terminal.output)")
    return terminal
  }
}

/// The REPL on a copy of the shipped graph, at its first prompt.
private func shippedGraphSession(_ dir: TemporaryDirectory, columns: Int, rows: Int = 40, pager: String = "off") throws -> PseudoTerminal {
  let store = try ShippedGraphTests.shippedCopy(dir).directory
  let terminal = try #require(PseudoTerminal(
    productPath("xinzhi"), ["--store", store], environment: ["XINZHI_HISTORY": dir.file("history"), "NO_COLOR": "", "XINZHI_PAGER": pager],
    columns: columns, rows: rows))
  #expect(terminal.waitFor("xinzhi>"), "no prompt: \(terminal.output)")
  return terminal
}

/// Ends a session with Ctrl-D once the prompt is back on the screen, as a user would (a Ctrl-D
/// typed ahead is kept too: `keysTypedWhileAnEntryRunsAreKeptForTheNextPrompt`).
private func leave(_ t: PseudoTerminal) {
  #expect(t.wait { cursorLine($0) == "xinzhi>" }, "no prompt before Ctrl-D: \(t.output.suffix(300))")
  t.send(Keys.control("d"))
}

/// The screen line holding the cursor.
private func cursorLine(_ t: PseudoTerminal) -> String { t.screen.line(t.screen.cursorRow) }

/// Types text and waits until the line under the cursor ends with `expected`.
private func type(_ t: PseudoTerminal, _ keys: String, showing expected: String) -> Bool {
  t.send(keys)
  return t.wait(timeout: 10) { cursorLine($0).hasSuffix(expected) }
}

@Suite(.serialized) struct ReplTerminalTests {
  @Test(arguments: ["/dev/full", "/dev/zero", "fifo"].filter { $0 != "/dev/full" || hasDevFull })
  func aSpecialHistoryFileTurnsTheHistoryOffWithoutHanging(history: String) throws {
    let f = Fixture()
    let path = history == "fifo" ? f.dir.file("fifo") : history
    if history == "fifo" { #expect(mkfifo(path, 0o600) == 0) }
    let t = try f.start(extra: ["XINZHI_HISTORY": path])
    #expect(t.screen.text.contains("history is off"), "\(t.screen.text)")
    t.send("?- edge(a, X)." + Keys.enter)
    #expect(t.waitFor("(1 row)"), "\(t.screen.text)")
    t.send(Keys.control("d"))
    #expect(t.waitForExit() == 0)
  }

  @Test func typingAndEditingKeys() throws {
    let f = Fixture()
    let t = try f.start()
    #expect(type(t, "?- edgx(a, X).", showing: "xinzhi> ?- edgx(a, X)."))
    // Start of line, one word right (past `edgx`), fix the typo.
    t.send(Keys.control("a") + Keys.wordRight + Keys.backspace + "e")
    #expect(t.wait { cursorLine($0) == "xinzhi> ?- edge(a, X)." && $0.screen.cursorColumn == 15 })
    // Left and Right, Delete under the cursor, then insert.
    t.send(Keys.end + Keys.left + Keys.left + Keys.left + Keys.delete + "Y")
    #expect(t.wait { cursorLine($0) == "xinzhi> ?- edge(a, Y)." && $0.screen.cursorColumn == 20 })
    // Kill to the end and yank it back.
    t.send(Keys.home + Keys.control("k"))
    #expect(t.wait { cursorLine($0) == "xinzhi>" && $0.screen.cursorColumn == 8 })
    t.send(Keys.control("y"))
    #expect(t.wait { cursorLine($0) == "xinzhi> ?- edge(a, Y)." })
    t.send(Keys.enter)
    #expect(t.waitFor("(1 row)"))
    #expect(t.screen.text.contains("b  乙"))
    // Ctrl-U removes what is before the cursor; Ctrl-W a word.
    #expect(type(t, "junk more", showing: "xinzhi> junk more"))
    t.send(Keys.control("w"))
    #expect(t.wait { cursorLine($0) == "xinzhi> junk" })
    t.send(Keys.control("u"))
    #expect(t.wait { cursorLine($0) == "xinzhi>" })
    t.send(Keys.control("d"))
    #expect(t.waitForExit() == 0)
  }

  @Test func historyIsRecalledWithArrowsInALaterSession() throws {
    let f = Fixture()
    do {
      let first = try f.start()
      first.send("?- edge(a, X)." + Keys.enter)
      #expect(first.waitFor("(1 row)"))
      first.send(".mode csv" + Keys.enter)
      // Keys typed while an entry runs meet the terminal in cooked mode: wait for the prompt.
      #expect(first.wait { cursorLine($0) == "xinzhi>" && $0.screen.text.contains(".mode csv") })
      first.send(Keys.control("d"))
      #expect(first.waitForExit() == 0)
    }
    #expect(readText(f.historyPath) == "?- edge(a, X).\n.mode csv\n")
    let second = try f.start()
    second.send(Keys.up)
    #expect(second.wait { cursorLine($0) == "xinzhi> .mode csv" })
    second.send(Keys.up)
    #expect(second.wait { cursorLine($0) == "xinzhi> ?- edge(a, X)." })
    second.send(Keys.down)
    #expect(second.wait { cursorLine($0) == "xinzhi> .mode csv" })
    second.send(Keys.down)
    #expect(second.wait { cursorLine($0) == "xinzhi>" })
    second.send(Keys.up + Keys.up + Keys.enter)
    #expect(second.waitFor("(1 row)"))
    #expect(second.wait { cursorLine($0) == "xinzhi>" })
    second.send(Keys.control("d"))
    #expect(second.waitForExit() == 0)
  }

  @Test func reverseSearchFindsAnOlderEntry() throws {
    let f = Fixture()
    writeFile(f.historyPath, Array("?- edge(b, X).\n.timer on\n?- edge(a, X).\n".utf8))
    let t = try f.start()
    t.send(Keys.control("r") + "edge(")
    #expect(t.wait { cursorLine($0) == "(reverse-i-search)`edge(': ?- edge(a, X)." })
    t.send(Keys.control("r"))
    #expect(t.wait { cursorLine($0) == "(reverse-i-search)`edge(': ?- edge(b, X)." })
    t.send("zz")
    #expect(t.wait { cursorLine($0).hasPrefix("(failed reverse-i-search)`edge(zz'") })
    t.send(Keys.backspace + Keys.backspace + Keys.enter)
    #expect(t.waitFor("c\n(1 row)"))
    // Ctrl-G gives up and leaves the entry as it was.
    #expect(type(t, "?- ed", showing: "xinzhi> ?- ed"))
    t.send(Keys.control("r") + "timer")
    #expect(t.wait { cursorLine($0).hasSuffix(".timer on") })
    t.send(Keys.control("g"))
    #expect(t.wait { cursorLine($0) == "xinzhi> ?- ed" })
    t.close()
  }

  @Test func tabCompletesPredicatesEntitiesLabelsCommandsAndPaths() throws {
    let f = Fixture()
    _ = f.dir.write("script-one.dl", "?- edge(a, X).\n")
    let t = try f.start()
    #expect(type(t, "?- ed", showing: "?- ed"))
    t.send(Keys.tab)
    #expect(t.wait { cursorLine($0) == "xinzhi> ?- edge" })
    // A label prefix completes to the entity's id.
    #expect(type(t, "(X, 甲", showing: "edge(X, 甲"))
    t.send(Keys.tab)
    #expect(t.wait { cursorLine($0) == "xinzhi> ?- edge(X, a" })
    t.send(Keys.control("u"))
    // Several candidates with nothing in common to add are listed with their labels (an id
    // and a label match), and the entry is drawn again below the list.
    #expect(type(t, "?- edge(X, cen", showing: "edge(X, cen"))
    t.send(Keys.tab)
    #expect(t.wait { $0.screen.text.contains("central_bank  中央银行") && $0.screen.text.contains("c  central") && cursorLine($0) == "xinzhi> ?- edge(X, cen" })
    t.send(Keys.control("a") + Keys.control("k") + ".ti" + Keys.tab)
    #expect(t.wait { cursorLine($0) == "xinzhi> .timer" })
    t.send(Keys.control("u") + ".load " + f.dir.path + "/scr" + Keys.tab)
    #expect(t.wait { cursorLine($0).hasSuffix("/script-one.dl") })
    t.send(Keys.enter)
    #expect(t.waitFor("b  乙"))
    t.send(Keys.control("u") + "." + Keys.tab)
    #expect(t.waitFor(".whynot"))
    #expect(t.screen.text.contains(".assert"))
    t.close()
  }

  /// Issue 15: on the shipped graph, a Chinese label that other labels start with, an alias
  /// and a capitalised English label complete to their entity; after `type(X, ` only classes
  /// are offered; `.mode ` completes the modes.
  @Test func completionKnowsNamesAliasesAndTheArgumentExpected() throws {
    let dir = TemporaryDirectory("xinzhi-complete")
    let t = try shippedGraphSession(dir, columns: 120)
    /// Types `typed`, presses Tab, expects the entry to become `completed`, clears it.
    func expectCompletion(_ typed: String, _ completed: String) {
      #expect(type(t, typed, showing: typed))
      t.send(Keys.tab)
      #expect(t.wait { cursorLine($0) == "xinzhi> " + completed }, "\(typed): \(cursorLine(t))")
      t.send(Keys.control("u"))
    }
    expectCompletion("?- provides(X, 科技创新再贷款", "?- provides(X, sci_tech_innovation_relending")
    expectCompletion("?- provides(央行", "?- provides(peoples_bank_of_china")
    expectCompletion("?- financed(Renmin", "?- financed(renmin_university_of_china")
    // The object of type/2 is a class: central_bank, not the banks or other `cent…` names.
    expectCompletion("?- type(X, centr", "?- type(X, central_bank")
    expectCompletion(".mode bo", ".mode box")
    // More candidates than the screen holds: asked first; `n` keeps the entry, `y` lists.
    #expect(type(t, "?- f", showing: "?- f"))
    t.mark()
    t.send(Keys.tab)
    #expect(t.waitForOutputSinceMark("candidates? (y or n)"), "\(t.outputSinceMark)")
    t.send("n")
    #expect(t.wait { cursorLine($0) == "xinzhi> ?- f" })
    #expect(!t.outputSinceMark.contains("financed  "))
    t.mark()
    t.send(Keys.tab)
    #expect(t.waitForOutputSinceMark("candidates? (y or n)"))
    t.send("y")
    #expect(t.waitForOutputSinceMark("financed"), "\(t.outputSinceMark)")
    #expect(t.wait { cursorLine($0) == "xinzhi> ?- f" })
    t.close()
  }

  @Test func enterBeforeTheFinalPeriodContinuesTheEntry() throws {
    let f = Fixture()
    let t = try f.start()
    t.send("reach(X, Y) :- edge(X, Y)." + Keys.enter)
    #expect(t.waitFor("rule"))
    t.send("reach(X, Z) :-" + Keys.enter)
    #expect(t.wait { cursorLine($0) == "   ...>" })
    t.send("  edge(X, Y), reach(Y, Z)." + Keys.enter + "?- reach(a," + Keys.enter + "X)." + Keys.enter)
    #expect(t.waitFor("(3 rows)"))
    #expect(t.screen.text.contains("xinzhi> ?- reach(a,\n   ...> X)."))
    // The multi-line entry is one history entry; recalled, it shows on two lines again.
    t.send(Keys.up)
    #expect(t.wait { $0.screen.line($0.screen.cursorRow - 1) == "xinzhi> ?- reach(a," && cursorLine($0) == "   ...> X)." })
    t.close()
    #expect(readText(f.historyPath).contains("?- reach(a,\\nX).\n"))
  }

  /// Issue 13: printing a long answer could not be stopped (the whole table was built, then
  /// written). Rows now stream out, and Ctrl-C stops the printing and returns to the prompt.
  @Test func ctrlCStopsALongAnswerWhileItPrints() throws {
    let f = Fixture()
    let t = try f.start()
    // A million rows: far more than print before Ctrl-C, and little enough to free quickly when
    // the session ends on a machine the other suites keep busy.
    t.send("n(0). n(Y) :- n(X), Y = X + 1, Y < 1000000." + Keys.enter)
    t.send(".maxrows 0" + Keys.enter)
    t.mark()
    t.send("?- n(X)." + Keys.enter)
    // The first rows are on the screen: the answer is printing, not being computed.
    #expect(t.waitForOutputSinceMark("\n20000\r\n", timeout: 60))
    t.mark()
    t.send(Keys.control("c"))
    #expect(t.waitForOutputSinceMark("(Ctrl-C: printing stopped after", timeout: 10))
    #expect(t.waitForOutputSinceMark("xinzhi> "))
    #expect(!t.outputSinceMark.contains("999999\r"))
    t.send("?- edge(a, X)." + Keys.enter)
    #expect(t.waitFor("(1 row)"))
    leave(t)
    // Freeing a million facts in a debug build on a loaded machine can take a while.
    #expect(t.waitForExit(timeout: 180) == 0)
  }

  /// Issue 14 in the REPL: `.find` ranks names, `.show` takes a label, `.why` prints the cited
  /// lines when the source documents are at hand (here a synthetic document through
  /// XINZHI_SOURCES), and `.source` prints a range.
  @Test func findShowAndWhyWithPassages() throws {
    let f = Fixture()
    _ = xinzhi([
      "--store", f.store, "assert", #"type(doc_007, document). text_file(doc_007, "007_t.txt"). title(doc_007, "样本"@zh). alias(central_bank, "央行"@zh)."#,
      "--source", "vocabulary",
    ])
    _ = xinzhi(["--store", f.store, "assert", "funds(central_bank, a).", "--source", "007:L2-L3"])
    let texts = f.dir.file("texts")
    mkdir(texts, 0o755)
    writeFile(texts + "/007_t.txt", Array("one\n央行向甲提供资金。\n第三行\n".utf8))
    let t = try f.start(columns: 120, extra: ["XINZHI_SOURCES": texts])
    t.mark()
    t.send(".find 央行" + Keys.enter)
    #expect(t.waitForOutputSinceMark("alias = 央行 @zh"), "\(t.outputSinceMark)")
    #expect(t.waitForOutputSinceMark("(1 match)"))
    t.mark()
    t.send(".show 中央银行" + Keys.enter)
    #expect(t.waitForOutputSinceMark("central_bank  ·  中央银行"), "\(t.outputSinceMark)")
    #expect(t.waitForOutputSinceMark("a  甲乙    [007:L2-L3]"), "\(t.outputSinceMark)")
    t.mark()
    t.send(".why funds(central_bank, a)" + Keys.enter)
    #expect(t.waitForOutputSinceMark("007:L2-L3 《样本》"), "\(t.outputSinceMark)")
    #expect(t.waitForOutputSinceMark("2 │ 央行向甲提供资金。"), "\(t.outputSinceMark)")
    #expect(t.waitForOutputSinceMark("3 │ 第三行"), "\(t.outputSinceMark)")
    t.mark()
    t.send(".source 007:L1" + Keys.enter)
    #expect(t.waitForOutputSinceMark("1 │ one"), "\(t.outputSinceMark)")
    leave(t)
    #expect(t.waitForExit() == 0)
  }

  /// Issue 15: on the shipped graph, the README's first query fits the terminal at 120, 80 and
  /// 50 columns (no screen line wraps, CJK labels are cut whole with `…`); `.labels off` and
  /// `.headers off` change the table; piped output is not fitted (see ReplScriptTests).
  @Test(arguments: [120, 80, 50])
  func tablesFitTheTerminal(columns: Int) throws {
    let dir = TemporaryDirectory("xinzhi-fit")
    let terminal = try shippedGraphSession(dir, columns: columns)
    terminal.mark()
    terminal.send("?- (financed(X, R) ; supports(X, R)), type(R, industrial_revolution)." + Keys.enter)
    #expect(terminal.waitForOutputSinceMark("(6 rows)"), "\(terminal.outputSinceMark)")
    let shown = terminal.outputSinceMark.split(separator: "\n").map { String($0.filter { $0 != "\r" }) }
    let rows = shown.filter { $0.contains("industrial_revolution") || $0.contains("industrial_re") || $0.contains("uk_banking") }
    #expect(!rows.isEmpty)
    for line in shown where !line.contains("?- (financed") {
      #expect(DisplayWidth.of(line) <= columns, "\(columns) columns: `\(line)` is \(DisplayWidth.of(line)) cells")
    }
    if columns >= 80 {
      #expect(terminal.outputSinceMark.contains("third_industrial_revolution   第三次工业革命"))
    } else {
      #expect(terminal.outputSinceMark.contains("…"), "\(terminal.outputSinceMark)")
    }
    terminal.mark()
    terminal.send(".labels off" + Keys.enter)
    terminal.send(".headers off" + Keys.enter)
    terminal.send("?- supports(X, third_industrial_revolution)." + Keys.enter)
    #expect(terminal.waitForOutputSinceMark("(1 row)"))
    #expect(terminal.outputSinceMark.contains("finance\r\n"), "\(terminal.outputSinceMark)")
    #expect(!terminal.outputSinceMark.contains("金融") && !terminal.outputSinceMark.contains("-----"))
    leave(terminal)
    #expect(terminal.waitForExit() == 0)
  }

  /// The checkpoint is read through a memory mapping. Another program truncating it in place
  /// while a session has it mapped makes the next read fault (SIGBUS): the session ends with an
  /// I/O error naming the file (exit 74), not with a crash.
  @Test func aCheckpointTruncatedUnderAnOpenSessionEndsItWithAnIOError() throws {
    let f = Fixture()
    _ = xinzhi(["--store", f.store, "stats"], environment: ["XINZHI_CHECKPOINT_THRESHOLD": "0"])
    let checkpoint = f.store + "/xinzhi.checkpoint"
    #expect(access(checkpoint, F_OK) == 0, "no checkpoint was written")
    let t = try f.start()
    t.send("?- edge(a, X)." + Keys.enter)
    #expect(t.waitFor("(1 row)"))
    #expect(truncate(checkpoint, 0) == 0)
    t.mark()
    t.send("?- edge(X, Y)." + Keys.enter)
    #expect(t.waitForExit() == 74)
    #expect(t.outputSinceMark.contains("xinzhi.checkpoint` was truncated by another program"), "\(t.outputSinceMark)")
  }

  /// Keys typed while an entry runs are kept for the next prompt: a whole entry typed ahead
  /// runs next, and a Ctrl-D typed ahead ends the session once the answers are out. (In
  /// canonical mode the line discipline took a typed-ahead Ctrl-D as an empty end of line, and
  /// the session waited at the prompt.)
  @Test func keysTypedWhileAnEntryRunsAreKeptForTheNextPrompt() throws {
    let f = Fixture()
    let t = try f.start()
    // A moment of counting (long enough to type ahead during it), then the answer.
    t.send("n(0). n(Y) :- n(X), Y = X + 1, Y < 300000." + Keys.enter)
    t.send("?- N = count { X : n(X) }." + Keys.enter)
    sleepMilliseconds(100)
    t.send("?- edge(a, X)." + Keys.enter + Keys.control("d"))
    #expect(t.waitForExit(timeout: 60) == 0, "the session did not end: \(t.output.suffix(400))")
    // The count's answer, then the typed-ahead query's: b with its label 乙 (typed text is never
    // echoed with a label).
    #expect(t.output.contains("\n300000\r\n"), "\(t.output.suffix(400))")
    #expect(t.output.contains("b  乙"), "\(t.output.suffix(400))")
  }

  @Test func ctrlCCancelsARunningQueryAndClearsTheEntry() throws {
    let f = Fixture()
    let t = try f.start()
    // Counting to a billion, one fact per iteration: runs far longer than the test waits.
    t.send("n(0). n(Y) :- n(X), Y = X + 1, Y < 1000000000." + Keys.enter)
    t.send("?- n(X), X > 999999990." + Keys.enter)
    sleepMilliseconds(500)
    t.mark()
    t.send(Keys.control("c"))
    #expect(t.waitForOutputSinceMark("cancelled (Ctrl-C)", timeout: 10))
    #expect(t.waitForOutputSinceMark("xinzhi> "))
    // The session still works, and keeps its rules.
    t.send("?- edge(a, X)." + Keys.enter)
    #expect(t.waitFor("(1 row)"))
    t.send(".rules" + Keys.enter)
    #expect(t.waitFor("n(Y) :- n(X), Y = X + 1, Y < 1000000000."))
    // Ctrl-C on a typed entry abandons it; at an empty prompt it just gives a new prompt.
    #expect(type(t, "?- half typed", showing: "?- half typed"))
    t.send(Keys.control("c"))
    #expect(t.wait { cursorLine($0) == "xinzhi>" && $0.screen.text.contains("?- half typed^C") })
    t.send(Keys.control("c"))
    #expect(t.wait { cursorLine($0) == "xinzhi>" })
    t.send(Keys.control("d"))
    // Leaving frees what the cancelled query had derived: quick alone, slower when the other
    // suites keep both cores busy.
    #expect(t.waitForExit(timeout: 60) == 0)
  }

  @Test func chineseTextAndLongLinesWrapWhereTheTerminalWraps() throws {
    let f = Fixture()
    let t = try f.start(columns: 20)
    // The prompt takes 8 cells; 6 Chinese characters fill the row exactly (8 + 12 = 20).
    t.send("中文中文中文")
    #expect(t.wait { $0.screen.cursorColumn == 0 && $0.screen.line($0.screen.cursorRow - 1) == "xinzhi> 中文中文中文" })
    // One more: it goes to the next row.
    t.send("字")
    #expect(t.wait { cursorLine($0) == "字" && $0.screen.cursorColumn == 2 })
    // An ASCII character and then a wide one that does not fit in the last cell of a row.
    t.send(Keys.control("u") + "abcdefghijk" + "甲")
    #expect(t.wait { $0.screen.line($0.screen.cursorRow - 1) == "xinzhi> abcdefghijk" && cursorLine($0) == "甲" })
    // Moving left over a wide character moves two cells, and back across the wrap.
    t.send(Keys.left)
    #expect(t.wait { $0.screen.cursorColumn == 0 && cursorLine($0) == "甲" })
    t.send(Keys.left)
    #expect(t.wait { $0.screen.cursorColumn == 18 && cursorLine($0) == "xinzhi> abcdefghijk" })
    // Inserting at the start of the entry reflows both rows.
    t.send(Keys.home + "乙")
    #expect(t.wait { $0.screen.line($0.screen.cursorRow) == "xinzhi> 乙abcdefghij" && $0.screen.cursorColumn == 10 })
    #expect(t.wait { $0.screen.line($0.screen.cursorRow + 1) == "k甲" })
    t.send(Keys.control("e") + Keys.control("u") + "?- label(X, L)." + Keys.enter)
    #expect(t.waitFor("(4 rows)"))
    t.close()
  }

  /// An answer taller than the screen goes through the pager (here `sed`, marking each line it
  /// passes on); one that fits does not; `.pager off` turns it off; `.mode box` and `.mode line`
  /// go through it too. From a pipe the pager is never used (see ReplScriptTests).
  @Test func tallAnswersGoThroughThePager() throws {
    let dir = TemporaryDirectory("xinzhi-pager")
    let terminal = try shippedGraphSession(dir, columns: 100, rows: 12, pager: "sed 's/^/P|/'")
    terminal.mark()
    terminal.send("?- type(X, central_bank)." + Keys.enter)
    #expect(terminal.waitForOutputSinceMark("(3 rows)"), "\(terminal.outputSinceMark)")
    #expect(!terminal.outputSinceMark.contains("P|"), "a short answer was paged: \(terminal.outputSinceMark)")
    terminal.mark()
    terminal.send("?- type(X, C), C = industry limit 20." + Keys.enter)
    #expect(terminal.waitForOutputSinceMark("(20 of"), "\(terminal.outputSinceMark)")
    #expect(terminal.outputSinceMark.contains("P|advanced_manufacturing"), "\(terminal.outputSinceMark)")
    terminal.mark()
    terminal.send(".mode line" + Keys.enter + "?- type(X, C), C = industry limit 5." + Keys.enter)
    #expect(terminal.waitForOutputSinceMark("the first 5)"), "\(terminal.outputSinceMark)")
    // Five rows of two fields each, blank lines between them, and the count: 16 lines.
    #expect(terminal.outputSinceMark.components(separatedBy: "P|").count > 10, "\(terminal.outputSinceMark)")
    terminal.mark()
    terminal.send(".pager off" + Keys.enter + ".mode box" + Keys.enter + "?- type(X, C), C = industry limit 20." + Keys.enter)
    #expect(terminal.waitForOutputSinceMark("(20 of"), "\(terminal.outputSinceMark)")
    #expect(!terminal.outputSinceMark.contains("P|"), "\(terminal.outputSinceMark)")
    #expect(terminal.outputSinceMark.contains("┌"), "\(terminal.outputSinceMark)")
    leave(terminal)
    #expect(terminal.waitForExit() == 0)
  }

  @Test func modeAndTimerChangeTheOutput() throws {
    let f = Fixture()
    let t = try f.start()
    t.send(".mode csv" + Keys.enter + "?- edge(X, c)." + Keys.enter)
    #expect(t.waitFor("X\nb\nxinzhi>"))
    t.send(".mode markdown" + Keys.enter + "?- edge(a, X)." + Keys.enter)
    #expect(t.waitFor("| X |\n|---|\n| b  乙 |"))
    t.send(".mode table" + Keys.enter + ".timer on" + Keys.enter + "?- edge(a, X)." + Keys.enter)
    #expect(t.waitFor("Run time: "))
    t.send(".lang en" + Keys.enter + "?- edge(b, X)." + Keys.enter)
    #expect(t.waitFor("c  central"))
    t.send(".quit" + Keys.enter)
    #expect(t.waitForExit() == 0)
    // Colour on a terminal: the prompt, table headers and errors.
    #expect(t.output.contains("\u{1B}[36mxinzhi> \u{1B}[0m"))
    #expect(t.output.contains("\u{1B}[1mX\u{1B}[0m"))
  }

  @Test func noColorTurnsColourOff() throws {
    let f = Fixture()
    let t = try f.start(extra: ["NO_COLOR": "1"])
    t.send("?- edge(a, X)." + Keys.enter + "?- nope(X)." + Keys.enter)
    #expect(t.waitFor("unknown predicate `nope`"))
    #expect(t.screen.text.contains("?- nope(X).\n   |    ^~~~"))
    t.close()
    #expect(!t.output.contains("\u{1B}[1m") && !t.output.contains("\u{1B}[36m") && !t.output.contains("\u{1B}[1;31m"))
  }

  @Test func dumbTerminalsGetPlainLines() throws {
    let f = Fixture()
    let t = try #require(
      PseudoTerminal(productPath("xinzhi"), ["--store", f.store], environment: ["TERM": "dumb", "XINZHI_HISTORY": f.historyPath, "XINZHI_PAGER": "off"]))
    #expect(t.waitFor("xinzhi>"))
    t.send("?- edge(a,\n X).\n")
    #expect(t.waitFor("(1 row)"))
    // No escape sequences at all: no colour, no cursor movement.
    #expect(!t.output.contains("\u{1B}"))
    t.send("\u{04}")
    #expect(t.waitForExit() == 0)
  }
}
