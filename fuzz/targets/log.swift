// Fuzz target: the log reader on arbitrary bytes after a valid header. Reading must end in
// transactions, a torn tail, or a diagnostic naming the line, never a crash.

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
    _ = try reader.scan(from: start, line: 2, next: 1) { transaction, _ in _ = transaction.operations.count }
  } catch {
    _ = "\(error)"
  }
  return 0
}
