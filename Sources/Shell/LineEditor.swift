// The REPL's line editor: Emacs-style editing keys, history recall and reverse search, Tab
// completion, and multi-line entries, redrawn by display width so that Chinese characters (two
// cells) and lines longer than the window wrap where the terminal wraps them.

import Diagnostics

/// Possible completions of the word before the cursor.
struct Completion {
  /// One candidate: the text that replaces the word, and how it is listed.
  struct Candidate: Equatable {
    var text: String
    var display: String
  }

  /// Where the word being completed starts (an index into the edited characters).
  var start: Int
  /// The candidates, in the order they are listed.
  var candidates: [Candidate]
}

/// Edits one entry at a time on a terminal in raw mode.
final class LineEditor {
  /// How reading an entry ended.
  enum Outcome: Equatable {
    /// An entry was entered (possibly several lines).
    case entry(String)
    /// Ctrl-C: the entry was abandoned.
    case interrupted
    /// Ctrl-D on an empty entry, or the input ended.
    case endOfInput
  }

  let terminal: Terminal
  let history: History
  /// Completes the word before the cursor.
  var completer: ((_ characters: [Character], _ cursor: Int) -> Completion?)?
  /// Whether an entry needs another line when Enter is pressed (then Enter starts a new line).
  var needsMoreInput: (String) -> Bool = { _ in false }
  /// Styles the prompt (colour), given its plain text.
  var stylePrompt: (String) -> String = { $0 }

  // The entry being edited.
  private var characters: [Character] = []
  private var cursor = 0
  private var prompt = ""
  private var continuationPrompt = ""
  // Where the last redraw left the cursor, in rows below the first row of the entry.
  private var cursorRow = 0
  private var killed: [Character] = []
  // History recall: the index of the entry shown (entries.count for the one being typed).
  private var historyIndex = 0
  private var typed: [Character] = []

  init(terminal: Terminal, history: History) {
    self.terminal = terminal
    self.history = history
  }

  /// Reads one entry. Enter ends it unless ``needsMoreInput`` says the text needs another line.
  func readEntry(prompt: String, continuationPrompt: String) -> Outcome {
    self.prompt = prompt
    self.continuationPrompt = continuationPrompt
    characters = []
    cursor = 0
    cursorRow = 0
    historyIndex = history.entries.count
    guard terminal.enterRawMode() else { return .endOfInput }
    defer { terminal.enterRunningMode() }
    refresh()
    while let key = terminal.readKey() {
      if let outcome = handle(key) { return outcome }
    }
    finishLine()
    return .endOfInput
  }

  /// Applies a key; returns an outcome when the entry is over.
  private func handle(_ key: Key) -> Outcome? {
    switch key {
    case .text(let c): insert([c])
    case .enter:
      let text = String(characters)
      if needsMoreInput(text) {
        insert(["\n"])
      } else {
        finishLine()
        return .entry(text)
      }
    case .newline: insert(["\n"])
    case .tab: complete()
    case .backspace, .control("h"):
      guard cursor > 0 else { return nil }
      cursor -= 1
      characters.remove(at: cursor)
      refresh()
    case .delete:
      deleteForward()
    case .control("d"):
      if characters.isEmpty {
        finishLine()
        return .endOfInput
      }
      deleteForward()
    case .control("c"):
      cursor = characters.count
      refresh()
      terminal.write(characters.isEmpty ? "\r\n" : "^C\r\n")
      cursorRow = 0
      return .interrupted
    case .left, .control("b"): move(to: cursor - 1)
    case .right, .control("f"): move(to: cursor + 1)
    case .home, .control("a"): move(to: lineStart(of: cursor))
    case .end, .control("e"): move(to: lineEnd(of: cursor))
    case .wordLeft: move(to: wordStart(before: cursor))
    case .wordRight: move(to: wordEnd(after: cursor))
    case .up, .control("p"): up()
    case .down, .control("n"): down()
    case .control("k"):
      let end = lineEnd(of: cursor)
      kill(cursor..<(end == cursor && end < characters.count ? end + 1 : end))
    case .control("u"): kill(lineStart(of: cursor)..<cursor)
    case .control("w"):
      var start = cursor
      while start > 0, characters[start - 1] == " " { start -= 1 }
      while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
      kill(start..<cursor)
    case .deleteWordLeft: kill(wordStart(before: cursor)..<cursor)
    case .deleteWordRight: kill(cursor..<wordEnd(after: cursor))
    case .control("y"): insert(killed)
    case .control("t"):
      guard cursor > 0, characters.count >= 2 else { return nil }
      let at = cursor == characters.count ? cursor - 1 : cursor
      characters.swapAt(at - 1, at)
      cursor = at + 1
      refresh()
    case .control("l"):
      terminal.write("\u{1B}[H\u{1B}[2J")
      cursorRow = 0
      refresh()
    case .control("r"): return reverseSearch()
    default: break
    }
    return nil
  }

  // MARK: - Editing

  private func insert(_ text: [Character]) {
    for c in text {
      // A combining mark joins the character before it.
      if cursor > 0, DisplayWidth.of(c) == 0, c != "\n" {
        let joined = String(characters[cursor - 1]) + String(c)
        if joined.count == 1, let merged = joined.first {
          characters[cursor - 1] = merged
          continue
        }
      }
      characters.insert(c, at: cursor)
      cursor += 1
    }
    refresh()
  }

  private func deleteForward() {
    guard cursor < characters.count else { return }
    characters.remove(at: cursor)
    refresh()
  }

  private func kill(_ range: Range<Int>) {
    guard !range.isEmpty else { return }
    killed = Array(characters[range])
    characters.removeSubrange(range)
    cursor = range.lowerBound
    refresh()
  }

  private func move(to position: Int) {
    let clamped = min(max(position, 0), characters.count)
    guard clamped != cursor else { return }
    cursor = clamped
    refresh()
  }

  private func isWordCharacter(_ c: Character) -> Bool {
    c.isLetter || c.isNumber || c == "_"
  }

  private func wordStart(before position: Int) -> Int {
    var i = position
    while i > 0, !isWordCharacter(characters[i - 1]) { i -= 1 }
    while i > 0, isWordCharacter(characters[i - 1]) { i -= 1 }
    return i
  }

  private func wordEnd(after position: Int) -> Int {
    var i = position
    while i < characters.count, !isWordCharacter(characters[i]) { i += 1 }
    while i < characters.count, isWordCharacter(characters[i]) { i += 1 }
    return i
  }

  private func lineStart(of position: Int) -> Int {
    var i = position
    while i > 0, characters[i - 1] != "\n" { i -= 1 }
    return i
  }

  private func lineEnd(of position: Int) -> Int {
    var i = position
    while i < characters.count, characters[i] != "\n" { i += 1 }
    return i
  }

  // MARK: - History

  /// Up: to the line above within a multi-line entry, else to the previous history entry.
  private func up() {
    let start = lineStart(of: cursor)
    if start > 0 {
      let column = cursor - start
      let previousStart = lineStart(of: start - 1)
      move(to: min(previousStart + column, start - 1))
      return
    }
    guard historyIndex > 0 else { return }
    if historyIndex == history.entries.count { typed = characters }
    historyIndex -= 1
    show(Array(history.entries[historyIndex]))
  }

  /// Down: to the line below within a multi-line entry, else to the next history entry.
  private func down() {
    let end = lineEnd(of: cursor)
    if end < characters.count {
      let column = cursor - lineStart(of: cursor)
      move(to: min(end + 1 + column, lineEnd(of: end + 1)))
      return
    }
    guard historyIndex < history.entries.count else { return }
    historyIndex += 1
    show(historyIndex == history.entries.count ? typed : Array(history.entries[historyIndex]))
  }

  private func show(_ text: [Character]) {
    characters = text
    cursor = characters.count
    refresh()
  }

  /// Ctrl-R: incremental search backwards through the history. Typing narrows the search,
  /// Ctrl-R finds an older match, Backspace widens it, Ctrl-G or Ctrl-C gives up, Enter runs
  /// the match, and any other key takes the match for editing and then acts as usual.
  private func reverseSearch() -> Outcome? {
    let original = (characters, cursor)
    var query: [Character] = []
    var index = history.entries.count  // the entry matched; entries.count: none yet
    var failed = false
    // The state before each typed character, so that Backspace returns to it.
    var before: [(index: Int, failed: Bool)] = []

    func search(from start: Int) {
      var i = start
      let needle = String(query)
      while i >= 0 {
        if i < history.entries.count, needle.isEmpty || history.entries[i].contains(needle) {
          index = i
          failed = false
          let entry = Array(history.entries[i])
          characters = entry
          cursor = needle.isEmpty ? entry.count : lastOccurrence(of: query, in: entry) ?? entry.count
          return
        }
        i -= 1
      }
      failed = true
    }
    func draw() {
      let label = (failed ? "(failed reverse-i-search)`" : "(reverse-i-search)`") + String(query) + "': "
      refresh(promptOverride: label)
    }
    characters = []
    cursor = 0
    draw()
    while let key = terminal.readKey() {
      switch key {
      case .text(let c):
        before.append((index, failed))
        query.append(c)
        if !failed { search(from: min(index, history.entries.count - 1)) }
        draw()
      case .control("r"):
        search(from: index - 1)
        draw()
      case .backspace:
        if let previous = before.popLast() {
          query.removeLast()
          (index, failed) = previous
          if index < history.entries.count {
            let entry = Array(history.entries[index])
            characters = entry
            cursor = lastOccurrence(of: query, in: entry) ?? entry.count
          } else {
            (characters, cursor) = ([], 0)
          }
        }
        draw()
      case .control("g"), .control("c"):
        (characters, cursor) = original
        refresh()
        return nil
      default:
        historyIndex = index
        refresh()
        return handle(key)
      }
    }
    return .endOfInput
  }

  private func lastOccurrence(of needle: [Character], in text: [Character]) -> Int? {
    guard !needle.isEmpty, needle.count <= text.count else { return nil }
    for start in stride(from: text.count - needle.count, through: 0, by: -1) where Array(text[start..<start + needle.count]) == needle {
      return start
    }
    return nil
  }

  // MARK: - Completion

  private func complete() {
    guard let completion = completer?(characters, cursor), !completion.candidates.isEmpty else {
      terminal.write("\u{07}")
      return
    }
    let word = String(characters[completion.start..<cursor])
    let texts = completion.candidates.map(\.text)
    var replacement = texts[0]
    if texts.count > 1 {
      replacement = texts.dropFirst().reduce(texts[0]) { commonPrefix($0, $1) }
    }
    if texts.count == 1 || (replacement.count > word.count && replacement.hasPrefix(word)) {
      characters.replaceSubrange(completion.start..<cursor, with: Array(replacement))
      cursor = completion.start + replacement.count
      refresh()
      return
    }
    list(completion.candidates)
  }

  private func commonPrefix(_ a: String, _ b: String) -> String {
    var result = ""
    for (x, y) in zip(a, b) {
      guard x == y else { break }
      result.append(x)
    }
    return result
  }

  /// Lists candidates in columns below the entry, then draws the entry again. A list taller
  /// than the screen is shown only after asking (`y`), as shells do.
  private func list(_ candidates: [Completion.Candidate]) {
    let shownLimit = 100
    let shown = candidates.prefix(shownLimit).map { TerminalText.visible($0.display) }
    let width = (shown.map { DisplayWidth.of($0) }.max() ?? 0) + 2
    let columns = max(1, terminal.columns / max(width, 1))
    let rowsNeeded = (shown.count + columns - 1) / columns
    if rowsNeeded > max(1, terminal.rows - 2) {
      let saved = cursor
      cursor = characters.count
      refresh()
      terminal.write("\r\nshow all \(candidates.count) candidates? (y or n) ")
      let answer = terminal.readByte()
      terminal.write("\r\n")
      cursor = saved
      cursorRow = 0
      guard answer == UInt8(ascii: "y") || answer == UInt8(ascii: "Y") else {
        refresh()
        return
      }
      cursor = characters.count
      cursorRow = 0
    }
    var out = ""
    for (i, item) in shown.enumerated() {
      out += item
      if (i + 1) % columns == 0 || i == shown.count - 1 {
        out += "\r\n"
      } else {
        out += String(repeating: " ", count: width - DisplayWidth.of(item))
      }
    }
    if candidates.count > shownLimit {
      out += "… and \(candidates.count - shownLimit) more; type more letters to narrow them\r\n"
    }
    let saved = cursor
    cursor = characters.count
    refresh()
    terminal.write("\r\n" + out)
    cursor = saved
    cursorRow = 0
    refresh()
  }

  // MARK: - Drawing

  /// Ends the entry's display: the cursor goes below its last row.
  private func finishLine() {
    cursor = characters.count
    refresh()
    terminal.write("\r\n")
    cursorRow = 0
  }

  /// Redraws the entry from its first row: prompt, text (continuation prompts after each
  /// newline), then puts the cursor in place. Positions follow the terminal's wrapping: a
  /// character that does not fit in what is left of a row starts the next row.
  private func refresh(promptOverride: String? = nil) {
    let width = terminal.columns
    var out = ""
    if cursorRow > 0 { out += "\u{1B}[\(cursorRow)A" }
    out += "\r\u{1B}[J"
    var row = 0
    var column = 0
    func place(_ cells: Int) {
      if column + cells > width {
        row += 1
        column = 0
      }
      column += cells
    }
    func emitPrompt(_ text: String) {
      out += promptOverride == nil ? stylePrompt(text) : text
      for c in text { place(DisplayWidth.of(c)) }
    }
    emitPrompt(promptOverride ?? prompt)
    var cursorPosition = (row: row, column: column)
    for (i, c) in characters.enumerated() {
      if c == "\n" {
        if i == cursor { cursorPosition = (row, min(column, width - 1)) }
        out += "\r\n"
        row += 1
        column = 0
        emitPrompt(continuationPrompt)
        continue
      }
      let cells = DisplayWidth.of(c)
      if column + cells > width {
        row += 1
        column = 0
      }
      if i == cursor { cursorPosition = (row, column) }
      out.append(c)
      column += cells
    }
    if cursor == characters.count {
      cursorPosition = column >= width ? (row + 1, 0) : (row, column)
    }
    if column >= width {
      // The terminal waits to wrap; make the row below exist so the cursor can go there.
      out += "\r\n"
      row += 1
      column = 0
    }
    if row > cursorPosition.row { out += "\u{1B}[\(row - cursorPosition.row)A" }
    out += "\r"
    if cursorPosition.column > 0 { out += "\u{1B}[\(cursorPosition.column)C" }
    cursorRow = cursorPosition.row
    terminal.write(out)
  }
}
