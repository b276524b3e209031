// Fuzz target: differential testing of the evaluator. The input's first 8 bytes seed a random
// program over a random small graph (Tests/TestSupport/RandomProgram, the generator the oracle
// and clingo tests use); its ninth byte, when present, picks the clingo fragment instead of the
// whole language. The engine must give the naive evaluator's answers in every configuration
// (index and array sources, magic sets, dense closures and inlining on and off, one session or
// a session per query). A disagreement aborts, so libFuzzer saves the input; the seed goes into
// OracleTests.pinned.

import Glibc

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOracle(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  guard size >= 8 else { return 0 }
  var seed: UInt64 = 0
  for k in 0..<8 { seed = seed << 8 | UInt64(data[k]) }
  let program = RandomProgram(seed: seed, fragment: size > 8 && data[8] & 1 == 1 ? .clingo : .full)
  do {
    if let disagreement = try Differential.check(program).1 {
      print(disagreement)
      abort()
    }
  } catch {
    print("seed \(seed): \(error)\n\(program.fullText)")
    abort()
  }
  return 0
}
