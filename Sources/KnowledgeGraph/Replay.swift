// Replaying transactions read from the log into a change batch: the one place where log
// records become dictionary-encoded index changes (open, catch-up and verify all use it).

import GraphIndex
import GraphModel
import TripleLog

extension ChangeBatch {
  /// Records a transaction read from the log, interning its values in `dictionary`.
  mutating func record(_ transaction: Transaction, dictionary: TermDictionary) {
    begin(transaction.info)
    for operation in transaction.operations {
      let triple = IDTriple(
        dictionary.intern(.entity(operation.triple.subject)),
        dictionary.intern(.entity(operation.triple.predicate)),
        dictionary.intern(operation.triple.object))
      switch operation.action {
      case .assert: assert(triple, by: transaction.number)
      case .retract: retract(triple)
      }
    }
  }
}

extension LogReader {
  /// Scans like `scan(from:line:next:through:_:)`, turning any error into a `DiagnosticError`.
  func scanDiagnosing(
    from start: Int, line: Int, next: TxNumber, through last: TxNumber? = nil,
    _ body: (Transaction, Int) -> Void
  ) throws(DiagnosticError) -> LogScan {
    do {
      return try scan(from: start, line: line, next: next, through: last) { body($0, $1) }
    } catch let error as DiagnosticError {
      throw error
    } catch {
      throw DiagnosticError(.internalError, code: "scan", "internal error while reading the log: \(error)")
    }
  }
}
