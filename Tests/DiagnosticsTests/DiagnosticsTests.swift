// Display width, caret rendering and name suggestions.

import Testing

@testable import Diagnostics

@Suite struct DisplayWidthTests {
  @Test(arguments: [
    ("abc", 3), ("英格兰银行", 10), ("a英b", 4), ("", 0), ("é", 1), ("e\u{301}", 1),
    ("，。", 4), ("ｆｕｌｌ", 8), ("한국", 4), ("🙂", 2), ("\u{200B}", 0),
  ])
  func widths(text: String, expected: Int) {
    #expect(DisplayWidth.of(text) == expected, "\(text)")
  }

  @Test func prefixFittingCellsNeverSplitsAWideCharacter() {
    let (text, width) = DisplayWidth.prefix(of: "ab英格兰", fitting: 5)
    #expect(text == "ab英")
    #expect(width == 4)
  }

  @Test func controlCharactersAreMadeVisible() {
    #expect(TerminalText.visible("a\tb\nc\u{1B}[31m") == "a\\tb\\nc\\u{1B}[31m")
    #expect(TerminalText.visible("plain 中文") == "plain 中文")
  }
}

@Suite struct DiagnosticRendererTests {
  @Test func caretLinesUpUnderChineseText() {
    let source = SourceText(name: "q.dl", text: "?- 标签(X, \"英格兰\"), foo(X).\n")
    let start = source.text.utf8.count - "foo(X).\n".utf8.count
    let diagnostic = Diagnostic.error(code: "t", "unknown predicate `foo`", in: source, at: SourceSpan(start: start, end: start + 3))
    let rendered = DiagnosticRenderer(style: .rich).render(diagnostic)
    // `?- 标签(X, "英格兰"), ` is 17 characters but 22 terminal cells wide.
    let expected = [
      "q.dl:1:18: error: unknown predicate `foo`",
      " 1 | ?- 标签(X, \"英格兰\"), foo(X).",
      "   | " + String(repeating: " ", count: 22) + "^~~",
    ].joined(separator: "\n")
    #expect(rendered == expected)
  }

  @Test func shortFormIsOneLinePlusNotes() {
    let d = Diagnostic(.error, .data, code: "x", "bad thing", at: SourceLocation(file: "f", line: 3, column: 4), notes: ["see here"], help: "fix it")
    #expect(d.description == "f:3:4: error: bad thing\n  note: see here\n  help: fix it")
  }

  @Test func fileNamesMessagesNotesAndHelpCannotSendEscapeSequences() {
    let evil = "x\u{1B}]0;owned\u{7}\u{1B}[2J"
    var diagnostic = Diagnostic(.error, .noInput, code: "open", "cannot open `\(evil)`", notes: ["see \(evil)"], help: "rename \(evil)")
    diagnostic.location = SourceLocation(file: evil + ".dl", line: 1, column: 1, lineText: "?- a.")
    for style in [DiagnosticRenderer.Style.short, .rich] {
      let text = DiagnosticRenderer(style: style, color: false).render(diagnostic)
      #expect(!text.contains("\u{1B}") && !text.contains("\u{7}"), "\(text)")
      #expect(text.hasPrefix("x\\u{1B}]0;owned\\u{7}\\u{1B}[2J.dl:1:1: error: cannot open `x\\u{1B}]0;owned"), "\(text)")
    }
  }

  @Test func exitStatusesFollowSysexits() {
    #expect(Diagnostic.Category.usage.exitStatus == 64)
    #expect(Diagnostic.Category.data.exitStatus == 65)
    #expect(Diagnostic.Category.noInput.exitStatus == 66)
    #expect(Diagnostic.Category.internalError.exitStatus == 70)
    #expect(Diagnostic.Category.io.exitStatus == 74)
  }

  @Test func locationOfASpanCountsCharactersNotBytes() {
    let source = SourceText(name: "x", text: "甲乙\n丙丁 wrong")
    let offset = "甲乙\n丙丁 ".utf8.count
    let location = source.location(of: SourceSpan(start: offset, end: offset + 5))
    #expect(location.line == 2)
    #expect(location.column == 4)
    #expect(location.length == 5)
    #expect(location.lineText == "丙丁 wrong")
  }
}

@Suite struct SuggestionsTests {
  @Test func nearestNamesComeFirst() {
    let names = ["financed", "founded_in", "label", "finance_sector"]
    #expect(Suggestions.nearest(to: "finaced", in: names).first == "financed")
    #expect(Suggestions.didYouMean("lable", in: names) == "did you mean `label`?")
    #expect(Suggestions.didYouMean("zzzzzz", in: names) == nil)
  }

  @Test func distanceIsLevenshtein() {
    #expect(Suggestions.distance("kitten", "sitting") == 3)
    #expect(Suggestions.distance("", "abc") == 3)
    #expect(Suggestions.distance("标签", "标记") == 1)
  }
}

@Suite struct LongLineRenderingTests {
  @Test func aLongLineIsShownAsAWindowAroundThePlace() {
    let line = String(repeating: "a, ", count: 200) + "bad" + String(repeating: ", b", count: 200)
    let location = SourceLocation(file: "x.dl", line: 3, column: 601, lineText: line, length: 3)
    let text = DiagnosticRenderer(style: .rich).render(Diagnostic(.error, .data, code: "x", "bad thing", at: location))
    let lines = text.split(separator: "\n")
    #expect(lines[0] == "x.dl:3:601: error: bad thing")
    #expect(lines[1] == " 3 | …" + String(repeating: "a, ", count: 20) + "bad" + String(repeating: ", b", count: 20) + "…")
    #expect(lines[2] == "   |" + String(repeating: " ", count: 62) + "^~~")
  }

  /// Issue 12 item 11: a location on a long line keeps only a window of it, and renders as the
  /// whole line did.
  @Test func aLocationOnALongLineKeepsOnlyAnExcerpt() {
    let line = String(repeating: "甲, ", count: 20_000) + "bad" + String(repeating: ", 乙", count: 20_000)
    let source = SourceText(name: "x.dl", text: "first\n" + line + "\nlast")
    let offset = "first\n".utf8.count + String(repeating: "甲, ", count: 20_000).utf8.count
    let location = source.location(of: SourceSpan(start: offset, end: offset + 3))
    #expect(location.line == 2)
    #expect(location.column == 60_001)
    #expect((location.lineText?.count ?? 0) <= 2 * DiagnosticRenderer.context + 3)
    #expect(location.excerptColumn == 60_001 - DiagnosticRenderer.context)
    #expect(location.excerptIsCut)
    let whole = Diagnostics.SourceLocation(file: "x.dl", line: 2, column: 60_001, lineText: line, length: 3)
    let render = { (l: Diagnostics.SourceLocation) in DiagnosticRenderer(style: .rich).render(Diagnostic(.error, .data, code: "x", "bad thing", at: l)) }
    #expect(render(location) == render(whole))
    // A short line is kept whole.
    #expect(source.location(of: SourceSpan(start: 0, end: 5)).lineText == "first")
  }

  @Test func boundedDiagnosticsBuildOnlyWhatTheyKeep() {
    var list = BoundedDiagnostics()
    var built = 0
    func make() -> Diagnostic {
      built += 1
      return Diagnostic(code: "x", "problem")
    }
    for _ in 0..<1_000 { list.append(make()) }
    #expect(built == BoundedDiagnostics.maximum)
    #expect(list.count == 1_000)
    #expect(list.hasErrors)
    #expect(list.all.count == BoundedDiagnostics.maximum + 1)
    #expect(list.all.last?.message == "… and 950 more errors")
  }
}
