// Fuzz target: the log reader on arbitrary bytes after a valid header. Reading must end in
// transactions, a torn tail, or a diagnostic naming the line, never a crash; and whatever it
// accepts, the writer writes back in a form it reads as the same transactions.

import Diagnostics
import GraphModel
import TripleLog

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLog(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = Array(UnsafeBufferPointer(start: data, count: size))
  // The first byte chooses: even, a valid header goes before the rest, so the fuzzer spends
  // its time on the records; odd, the rest is the whole file.
  guard let first = input.first else { return 0 }
  let bytes = first & 1 == 0 ? Array((LogFormat.header + "\n").utf8) + input.dropFirst() : Array(input.dropFirst())
  let reader = LogReader(path: "fuzz.log", bytes: bytes)
  do {
    guard let start = try reader.headerEnd() else { return 0 }
    var read: [Transaction] = []
    _ = try reader.scan(from: start, line: 2, next: 1) { transaction, _ in read.append(transaction) }
    // Whatever the reader accepts, the writer writes back in a form the reader reads as the
    // same transactions (the writer's own check accepts it).
    if let first = read.first {
      var again: [UInt8] = []
      for transaction in read { again += LogFormat.block(for: transaction) }
      do {
        try LogReader.checkNewBlocks(again, path: "rewritten.log", first: first.number, count: read.count, expected: read)
      } catch {
        fatalError("a log the reader accepted does not survive rewriting: \(error)")
      }
    }
  } catch {
    _ = "\(error)"
  }
  return 0
}
