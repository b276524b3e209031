// The memory bounds other tests assert are only as good as the measurement. On Linux a child's
// own ru_maxrss starts at the size of the process that spawned it, and the test runner holds
// every concurrently running test's data: CI failed bounds that a quiet run met. Children whose
// memory is asserted run under `xinzhi-bench measure`, a small process in between.

import Platform
import TestSupport
import Testing

@Suite struct MemoryMeasurementTests {
  /// With 256 MiB touched in this process, a small child still measures small; its own
  /// ru_maxrss, read by waiting for it here, would say at least 256 MiB on Linux.
  @Test func aChildsPeakIsItsOwnWhileTheRunnerIsLarge() {
    let size = 256 << 20
    let ballast = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
    defer { ballast.deallocate() }
    for offset in stride(from: 0, to: size, by: 4096) { ballast.storeBytes(of: UInt8(1), toByteOffset: offset, as: UInt8.self) }
    let result = xinzhi(["--version"], measureMemory: true)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.maxResidentKilobytes > 1_000 && result.maxResidentKilobytes < 100_000, "\(result.maxResidentKilobytes) KB")
    // The measured process's output, status and signals are its own.
    let failed = xinzhi(["--store", "/nonexistent/store", "query", "?- p(X)."], measureMemory: true)
    #expect(failed.status == 66, "\(failed.stderr)")
    #expect(failed.stderr.contains("/nonexistent/store"))
    // A kill reaches the measured process too: nothing of its group is left.
    let endless = "n(0). n(Y) :- n(X), Y = X + 1. ?- n(X), X < 0."
    guard let killed = ChildProcess(productPath("xinzhi"), ["--store", "graph", "query", endless, "--timeout", "60"], measureMemory: true)
    else {
      Issue.record("could not spawn")
      return
    }
    sleepMilliseconds(500)
    killed.kill()
    #expect(killed.wait() == 128 + SIGKILL)
    var gone = false
    for _ in 0..<200 where !gone {
      gone = SystemCall.kill(-killed.pid, 0) != 0 && errno == ESRCH
      if !gone { sleepMilliseconds(10) }
    }
    #expect(gone, "the measured xinzhi outlived its kill")
  }

  /// And the bound still catches a large child: a query that holds a million derived facts.
  @Test func aLargeChildMeasuresLarge() {
    let dir = TemporaryDirectory()
    let store = dir.file("g")
    _ = xinzhi(["init", store])
    let result = xinzhi(
      ["--store", store, "query", "n(0). n(Y) :- n(X), X < 1000000, Y = X + 1. ?- n(X), X = 1000000."], measureMemory: true)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.maxResidentKilobytes > 30_000, "\(result.maxResidentKilobytes) KB")
  }
}
