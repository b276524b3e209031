// A small xterm screen model for tests of interactive programs: feed it what a program writes to
// its terminal, then read back the rows of text and the cursor position.

import Diagnostics

/// The screen of an xterm-compatible terminal, as far as a line editor uses it.
///
/// Text occupies cells as `DisplayWidth` measures it: wide characters take two cells and
/// characters that extend a grapheme cluster (combining marks, variation selectors, joiners)
/// join the cell of the character before them. Auto-wrap is deferred like xterm's: a character
/// printed into the last column leaves the cursor there with `pendingWrap` set, and the next
/// printable character wraps first. Modelled controls are CR, LF (also VT and FF), BS, TAB and
/// BEL; escape sequences are ESC 7/8/D/E/M/c and the CSI cursor movement, erase, insert, delete
/// and scroll sequences. Colours, modes, scroll regions, OSC and other strings are parsed and
/// ignored. Input is decoded as UTF-8 incrementally, so it may be split anywhere, and malformed
/// input never traps. There is no scrollback: rows scrolled off the top are gone.
public final class TerminalScreen {
  /// The width of the screen in cells.
  public private(set) var columns: Int
  /// The height of the screen in rows.
  public private(set) var rows: Int
  /// The cursor's row, from 0 at the top.
  public private(set) var cursorRow = 0
  /// The cursor's column in cells, from 0 at the left; the last column while `pendingWrap` is set.
  public private(set) var cursorColumn = 0
  /// Whether a character was just printed into the last column, so the next one wraps first.
  public private(set) var pendingWrap = false

  private var cells: [[Cell]]
  private var state = ParserState.ground
  private var parameters: [Int] = []
  private var parameter = 0
  private var privateSequence = false
  private var hasIntermediate = false
  private var utf8Remaining = 0
  private var utf8Value: UInt32 = 0
  private var utf8Minimum: UInt32 = 0
  private var saved = SavedCursor(row: 0, column: 0, pendingWrap: false)
  private var lastPrint: LastPrint?
  private var replies: [UInt8] = []

  /// Creates a blank screen with the cursor at the top left.
  ///
  /// - Parameters:
  ///   - columns: The width in cells (at least 1).
  ///   - rows: The height in rows (at least 1).
  public init(columns: Int, rows: Int) {
    self.columns = max(1, columns)
    self.rows = max(1, rows)
    cells = Array(repeating: Array(repeating: Cell.blank, count: max(1, columns)), count: max(1, rows))
  }

  // MARK: - Reading the screen

  /// Row `i` as text: each cell's character, nothing for the right half of a wide character,
  /// trailing spaces trimmed. Empty for a row outside the screen.
  public func line(_ i: Int) -> String {
    guard i >= 0, i < rows else { return "" }
    var text = ""
    for cell in cells[i] where cell.width != 0 {
      text += cell.text
    }
    while text.last == " " {
      text.removeLast()
    }
    return text
  }

  /// Every row as `line(_:)` gives it, top to bottom.
  public var lines: [String] {
    (0..<rows).map { line($0) }
  }

  /// All rows joined with "\n", trailing spaces of each row and trailing empty rows removed.
  public var text: String {
    var all = lines
    while all.last == "" {
      all.removeLast()
    }
    return all.joined(separator: "\n")
  }

  /// The text of the row the cursor is on.
  public var cursorLineText: String {
    line(cursorRow)
  }

  /// The cursor as (row, column), both 0-based; the column counts cells.
  public var cursor: (row: Int, column: Int) {
    (cursorRow, cursorColumn)
  }

  /// What one cell shows: its character (" " when blank), "" for the right half of a wide
  /// character, nil outside the screen.
  public func cellText(row: Int, column: Int) -> String? {
    guard row >= 0, row < rows, column >= 0, column < columns else { return nil }
    return cells[row][column].text
  }

  /// The bytes a terminal would send back to the program since the last call: answers to the
  /// status and cursor position reports (`ESC [ 5 n`, `ESC [ 6 n`).
  public func takeReplies() -> [UInt8] {
    defer { replies = [] }
    return replies
  }

  // MARK: - Feeding output

  /// Feeds raw output: UTF-8 text with control characters and escape sequences.
  public func feed(_ bytes: [UInt8]) {
    for byte in bytes {
      decode(byte)
    }
  }

  /// Feeds output given as a string (its UTF-8 bytes).
  public func feed(_ text: String) {
    for byte in text.utf8 {
      decode(byte)
    }
  }

  /// Resizes the screen like xterm: no reflow; rows and columns are cut or padded at the bottom
  /// and right, except that rows are dropped from the top when the cursor would fall off.
  public func resize(columns newColumns: Int, rows newRows: Int) {
    let width = max(1, newColumns)
    let height = max(1, newRows)
    if height < rows, cursorRow >= height {
      let drop = cursorRow - height + 1
      cells.removeFirst(drop)
      cursorRow -= drop
    }
    if cells.count > height {
      cells.removeLast(cells.count - height)
    }
    while cells.count < height {
      cells.append(Array(repeating: Cell.blank, count: columns))
    }
    for r in cells.indices {
      if width < columns {
        cells[r].removeLast(columns - width)
        if cells[r][width - 1].width == 2 {
          cells[r][width - 1] = .blank
        }
      } else if width > columns {
        cells[r].append(contentsOf: repeatElement(Cell.blank, count: width - columns))
      }
    }
    columns = width
    rows = height
    cursorRow = min(cursorRow, rows - 1)
    cursorColumn = min(cursorColumn, columns - 1)
    pendingWrap = false
    lastPrint = nil
  }

  // MARK: - Decoding

  /// Decodes one byte of UTF-8; malformed sequences become U+FFFD.
  private func decode(_ byte: UInt8) {
    if utf8Remaining > 0 {
      if byte & 0xC0 == 0x80 {
        utf8Value = utf8Value << 6 | UInt32(byte & 0x3F)
        utf8Remaining -= 1
        if utf8Remaining == 0 {
          if utf8Value < utf8Minimum {
            handle("\u{FFFD}")
          } else {
            handle(Unicode.Scalar(utf8Value) ?? "\u{FFFD}")
          }
        }
        return
      }
      utf8Remaining = 0
      handle("\u{FFFD}")
    }
    switch byte {
    case 0x00...0x7F:
      handle(Unicode.Scalar(byte))
    case 0xC2...0xDF:
      startSequence(remaining: 1, value: byte & 0x1F, minimum: 0x80)
    case 0xE0...0xEF:
      startSequence(remaining: 2, value: byte & 0x0F, minimum: 0x800)
    case 0xF0...0xF4:
      startSequence(remaining: 3, value: byte & 0x07, minimum: 0x10000)
    default:
      handle("\u{FFFD}")
    }
  }

  private func startSequence(remaining: Int, value: UInt8, minimum: UInt32) {
    utf8Remaining = remaining
    utf8Value = UInt32(value)
    utf8Minimum = minimum
  }

  // MARK: - Parsing

  private func handle(_ scalar: Unicode.Scalar) {
    let value = scalar.value
    switch state {
    case .ground:
      if value < 0x20 {
        control(value)
      } else if value == 0x7F || (value >= 0x80 && value < 0xA0) {
        // DEL and C1 controls: nothing to show.
      } else {
        printScalar(scalar)
      }
    case .escape:
      escape(scalar)
    case .escapeIntermediate:
      if value < 0x20 {
        control(value)
      } else if value >= 0x30 && value <= 0x7E {
        state = .ground  // the final byte: charset designations and the like are ignored
      } else if value >= 0x80 {
        state = .ground
        handle(scalar)
      }
    case .controlSequence:
      controlSequence(scalar)
    case .string:
      if value == 0x07 || value == 0x18 || value == 0x1A {
        state = .ground
      } else if value == 0x1B {
        state = .stringEscape
      }
    case .stringEscape:
      if value == 0x5C {
        state = .ground  // ST
      } else {
        state = .escape  // ESC ends the string and starts another sequence
        handle(scalar)
      }
    }
  }

  /// C0 controls, also executed in the middle of an escape sequence as xterm does.
  private func control(_ value: UInt32) {
    switch value {
    case 0x08:
      pendingWrap = false
      cursorColumn = max(0, cursorColumn - 1)
    case 0x09:
      cursorColumn = min((cursorColumn / 8 + 1) * 8, columns - 1)
    case 0x0A, 0x0B, 0x0C:
      index()
    case 0x0D:
      pendingWrap = false
      cursorColumn = 0
    case 0x18, 0x1A:
      state = .ground
    case 0x1B:
      state = .escape
    default:
      break  // BEL and the rest
    }
  }

  private func escape(_ scalar: Unicode.Scalar) {
    let value = scalar.value
    if value < 0x20 {
      control(value)
      return
    }
    state = .ground
    switch value {
    case 0x20...0x2F:
      state = .escapeIntermediate
    case 0x5B:  // [
      state = .controlSequence
      parameters = []
      parameter = 0
      privateSequence = false
      hasIntermediate = false
    case 0x5D, 0x50, 0x58, 0x5E, 0x5F:  // ] P X ^ _: OSC, DCS, SOS, PM, APC strings
      state = .string
    case 0x37:  // 7
      saved = SavedCursor(row: cursorRow, column: cursorColumn, pendingWrap: pendingWrap)
    case 0x38:  // 8
      restoreCursor()
    case 0x44:  // D
      index()
    case 0x45:  // E
      cursorColumn = 0
      index()
    case 0x4D:  // M
      reverseIndex()
    case 0x63:  // c
      reset()
    case 0x7F:
      state = .escape
    case 0x80...:
      handle(scalar)  // not a sequence after all
    default:
      break
    }
  }

  private func controlSequence(_ scalar: Unicode.Scalar) {
    let value = scalar.value
    switch value {
    case 0x00..<0x20:
      control(value)
    case 0x30...0x39:
      parameter = min(parameter * 10 + Int(value - 0x30), 65_535)
    case 0x3A, 0x3B:  // : ;
      endParameter()
    case 0x3C...0x3F:  // < = > ?
      privateSequence = true
    case 0x20...0x2F:
      hasIntermediate = true
    case 0x40...0x7E:
      state = .ground
      endParameter()
      if !privateSequence && !hasIntermediate {
        dispatch(value)
      }
    case 0x7F:
      break
    default:
      state = .ground
      handle(scalar)
    }
  }

  private func endParameter() {
    if parameters.count < 32 {
      parameters.append(parameter)
    }
    parameter = 0
  }

  /// Parameter `i`, with 0 or a missing parameter meaning `fallback`.
  private func argument(_ i: Int, default fallback: Int) -> Int {
    let value = i < parameters.count ? parameters[i] : 0
    return value == 0 ? fallback : value
  }

  private func dispatch(_ final: UInt32) {
    let n = argument(0, default: 1)
    switch final {
    case 0x41:  // A: cursor up
      moveCursor(row: cursorRow - n, column: cursorColumn)
    case 0x42, 0x65:  // B, e: cursor down
      moveCursor(row: cursorRow + n, column: cursorColumn)
    case 0x43, 0x61:  // C, a: cursor forward
      moveCursor(row: cursorRow, column: cursorColumn + n)
    case 0x44:  // D: cursor back
      moveCursor(row: cursorRow, column: cursorColumn - n)
    case 0x45:  // E: next line
      moveCursor(row: cursorRow + n, column: 0)
    case 0x46:  // F: previous line
      moveCursor(row: cursorRow - n, column: 0)
    case 0x47, 0x60:  // G, `: column
      moveCursor(row: cursorRow, column: n - 1)
    case 0x48, 0x66:  // H, f: position
      moveCursor(row: n - 1, column: argument(1, default: 1) - 1)
    case 0x64:  // d: row
      moveCursor(row: n - 1, column: cursorColumn)
    case 0x4A:  // J: erase in display
      eraseInDisplay(parameters.first ?? 0)
    case 0x4B:  // K: erase in line
      eraseInLine(parameters.first ?? 0)
    case 0x40:  // @: insert blanks
      insertCharacters(n)
    case 0x50:  // P: delete characters
      deleteCharacters(n)
    case 0x58:  // X: erase characters
      pendingWrap = false
      erase(row: cursorRow, from: cursorColumn, to: cursorColumn + n)
    case 0x4C:  // L: insert lines
      insertLines(n)
    case 0x4D:  // M: delete lines
      deleteLines(n)
    case 0x53:  // S: scroll up
      scrollUp(n)
    case 0x54:  // T: scroll down (with more parameters it is mouse tracking)
      if parameters.count <= 1 { scrollDown(n) }
    case 0x73:  // s: save cursor (with parameters it sets margins)
      if parameters == [0] {
        saved = SavedCursor(row: cursorRow, column: cursorColumn, pendingWrap: pendingWrap)
      }
    case 0x75:  // u: restore cursor
      restoreCursor()
    case 0x6E:  // n: device status report
      if parameters.first == 5 {
        replies.append(contentsOf: "\u{1B}[0n".utf8)
      } else if parameters.first == 6 {
        replies.append(contentsOf: "\u{1B}[\(cursorRow + 1);\(cursorColumn + 1)R".utf8)
      }
    default:
      break  // m (SGR), r (margins), t (window ops) and the rest are ignored
    }
  }

  // MARK: - Printing

  private func printScalar(_ scalar: Unicode.Scalar) {
    if let last = lastPrint, last.cursorRow == cursorRow, last.cursorColumn == cursorColumn,
      last.pendingWrap == pendingWrap, last.row < rows, last.column < columns,
      cells[last.row][last.column].text == last.text
    {
      var combined = last.text
      combined.unicodeScalars.append(scalar)
      if combined.count == 1 {
        extend(last, with: combined)
        return
      }
    }
    let width = DisplayWidth.of(Character(scalar))
    if width == 0 {
      attachToPreviousCell(scalar)
    } else {
      put(String(scalar), width: min(width, 2))
    }
  }

  /// Prints a character of `width` cells at the cursor, wrapping first when needed.
  private func put(_ text: String, width requested: Int) {
    let width = min(requested, columns)  // a wide character on a one-column screen takes one cell
    if pendingWrap {
      cursorColumn = 0
      index()
    }
    if cursorColumn + width > columns {
      clearCell(row: cursorRow, column: cursorColumn)
      cursorColumn = 0
      index()
    }
    let row = cursorRow
    let column = cursorColumn
    clearCell(row: row, column: column)
    if width == 2 {
      clearCell(row: row, column: column + 1)
      cells[row][column + 1] = Cell(text: "", width: 0)
    }
    cells[row][column] = Cell(text: text, width: width)
    advance(from: column, width: width)
    lastPrint = LastPrint(row: row, column: column, cursorRow: cursorRow, cursorColumn: cursorColumn, pendingWrap: pendingWrap, text: text)
  }

  /// Adds a scalar to the grapheme cluster just printed, widening its cell when the cluster
  /// became wide (an emoji presentation selector) and there is room.
  private func extend(_ last: LastPrint, with combined: String) {
    let row = last.row
    let column = last.column
    cells[row][column].text = combined
    var updated = last
    updated.text = combined
    let width = combined.first.map { DisplayWidth.of($0) } ?? 1
    if width == 2, cells[row][column].width == 1, !pendingWrap, column + 2 <= columns, cursorRow == row,
      cursorColumn == column + 1
    {
      clearCell(row: row, column: column + 1)
      cells[row][column].width = 2
      cells[row][column + 1] = Cell(text: "", width: 0)
      advance(from: column, width: 2)
      updated.cursorColumn = cursorColumn
      updated.pendingWrap = pendingWrap
    }
    lastPrint = updated
  }

  /// A zero-width scalar that does not follow a just-printed character joins the cell left of
  /// the cursor (the cursor's own cell while a wrap is pending), as in xterm.
  private func attachToPreviousCell(_ scalar: Unicode.Scalar) {
    var column = pendingWrap ? cursorColumn : cursorColumn - 1
    guard column >= 0 else { return }
    if cells[cursorRow][column].width == 0, column > 0 {
      column -= 1
    }
    cells[cursorRow][column].text.unicodeScalars.append(scalar)
  }

  private func advance(from column: Int, width: Int) {
    if column + width >= columns {
      cursorColumn = columns - 1
      pendingWrap = true
    } else {
      cursorColumn = column + width
      pendingWrap = false
    }
  }

  // MARK: - Cursor and scrolling

  private func moveCursor(row: Int, column: Int) {
    cursorRow = min(max(row, 0), rows - 1)
    cursorColumn = min(max(column, 0), columns - 1)
    pendingWrap = false
  }

  private func restoreCursor() {
    cursorRow = min(max(saved.row, 0), rows - 1)
    cursorColumn = min(max(saved.column, 0), columns - 1)
    pendingWrap = saved.pendingWrap && cursorColumn == columns - 1
  }

  /// LF: down a row, scrolling at the bottom; the column stays.
  private func index() {
    pendingWrap = false
    if cursorRow >= rows - 1 {
      scrollUp(1)
    } else {
      cursorRow += 1
    }
  }

  /// ESC M: up a row, scrolling down at the top.
  private func reverseIndex() {
    pendingWrap = false
    if cursorRow <= 0 {
      scrollDown(1)
    } else {
      cursorRow -= 1
    }
  }

  private func scrollUp(_ count: Int) {
    let n = min(max(count, 0), rows)
    cells.removeFirst(n)
    cells.append(contentsOf: repeatElement(blankRow(), count: n))
  }

  private func scrollDown(_ count: Int) {
    let n = min(max(count, 0), rows)
    cells.removeLast(n)
    cells.insert(contentsOf: repeatElement(blankRow(), count: n), at: 0)
  }

  private func insertLines(_ count: Int) {
    let n = min(max(count, 0), rows - cursorRow)
    cells.insert(contentsOf: repeatElement(blankRow(), count: n), at: cursorRow)
    cells.removeLast(n)
    cursorColumn = 0
    pendingWrap = false
  }

  private func deleteLines(_ count: Int) {
    let n = min(max(count, 0), rows - cursorRow)
    cells.removeSubrange(cursorRow..<cursorRow + n)
    cells.append(contentsOf: repeatElement(blankRow(), count: n))
    cursorColumn = 0
    pendingWrap = false
  }

  private func reset() {
    cells = Array(repeating: blankRow(), count: rows)
    cursorRow = 0
    cursorColumn = 0
    pendingWrap = false
    saved = SavedCursor(row: 0, column: 0, pendingWrap: false)
    lastPrint = nil
  }

  // MARK: - Erasing

  private func blankRow() -> [Cell] {
    Array(repeating: Cell.blank, count: columns)
  }

  /// Blanks one cell, and the other half when it is half of a wide character.
  private func clearCell(row: Int, column: Int) {
    guard row >= 0, row < rows, column >= 0, column < columns else { return }
    let width = cells[row][column].width
    if width == 0, column > 0 {
      cells[row][column - 1] = .blank
    } else if width == 2, column + 1 < columns {
      cells[row][column + 1] = .blank
    }
    cells[row][column] = .blank
  }

  /// Blanks the cells `start..<end` of a row (clamped to the screen).
  private func erase(row: Int, from start: Int, to end: Int) {
    let lower = max(0, start)
    let upper = min(columns, end)
    guard row >= 0, row < rows, lower < upper else { return }
    for column in lower..<upper {
      clearCell(row: row, column: column)
    }
  }

  private func eraseInDisplay(_ mode: Int) {
    pendingWrap = false
    switch mode {
    case 0:
      erase(row: cursorRow, from: cursorColumn, to: columns)
      for row in (cursorRow + 1)..<rows {
        erase(row: row, from: 0, to: columns)
      }
    case 1:
      for row in 0..<cursorRow {
        erase(row: row, from: 0, to: columns)
      }
      erase(row: cursorRow, from: 0, to: cursorColumn + 1)
    case 2, 3:
      cells = Array(repeating: blankRow(), count: rows)
    default:
      break
    }
  }

  private func eraseInLine(_ mode: Int) {
    pendingWrap = false
    switch mode {
    case 0: erase(row: cursorRow, from: cursorColumn, to: columns)
    case 1: erase(row: cursorRow, from: 0, to: cursorColumn + 1)
    case 2: erase(row: cursorRow, from: 0, to: columns)
    default: break
    }
  }

  private func insertCharacters(_ count: Int) {
    let row = cursorRow
    let column = cursorColumn
    let n = min(max(count, 0), columns - column)
    pendingWrap = false
    if cells[row][column].width == 0 {
      clearCell(row: row, column: column)
    }
    cells[row].insert(contentsOf: repeatElement(Cell.blank, count: n), at: column)
    cells[row].removeLast(n)
    if cells[row][columns - 1].width == 2 {
      cells[row][columns - 1] = .blank
    }
  }

  private func deleteCharacters(_ count: Int) {
    let row = cursorRow
    let column = cursorColumn
    let n = min(max(count, 0), columns - column)
    pendingWrap = false
    if cells[row][column].width == 0 {
      clearCell(row: row, column: column)
    }
    cells[row].removeSubrange(column..<column + n)
    cells[row].append(contentsOf: repeatElement(Cell.blank, count: n))
    if cells[row][column].width == 0 {
      cells[row][column] = .blank
    }
  }

  // MARK: - State

  /// One cell of the screen.
  private struct Cell: Sendable {
    /// The grapheme shown; " " when blank, empty for the right half of a wide character.
    var text: String
    /// 1 for an ordinary cell, 2 for the left half of a wide character, 0 for its right half.
    var width: Int

    static let blank = Cell(text: " ", width: 1)
  }

  /// Where the escape-sequence parser is.
  private enum ParserState {
    case ground, escape, escapeIntermediate, controlSequence, string, stringEscape
  }

  /// The cursor saved by ESC 7 or CSI s.
  private struct SavedCursor {
    var row: Int
    var column: Int
    var pendingWrap: Bool
  }

  /// The last printed character and the cursor right after it: a following scalar that extends
  /// its grapheme cluster joins its cell while the cursor has not moved since.
  private struct LastPrint {
    var row: Int
    var column: Int
    var cursorRow: Int
    var cursorColumn: Int
    var pendingWrap: Bool
    var text: String
  }
}
