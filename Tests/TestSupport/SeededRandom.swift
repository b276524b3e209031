// Seeded randomness for tests (no dependencies): SplitMix64, so a failing seed can be printed
// and pinned.

/// A small, fast, seedable random number generator (SplitMix64).
public struct SeededRandom: RandomNumberGenerator {
  /// The current state.
  public private(set) var state: UInt64

  /// Creates a generator from a seed.
  public init(seed: UInt64) {
    state = seed
  }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform integer in `0..<n`.
  public mutating func below(_ n: Int) -> Int {
    Int(next() % UInt64(max(1, n)))
  }

  /// True with probability `p`.
  public mutating func chance(_ p: Double) -> Bool {
    Double(next() >> 11) / Double(1 << 53) < p
  }
}
