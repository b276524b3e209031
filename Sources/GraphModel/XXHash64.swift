// XXH64 (Yann Collet's xxHash, 64-bit variant): the checksum of log transactions, the hash of
// the log prefix a checkpoint covers, and the hash of dictionary entries.

/// The XXH64 hash function, one-shot and streaming.
public struct XXHash64: Sendable {
  static let prime1: UInt64 = 11_400_714_785_074_694_791
  static let prime2: UInt64 = 14_029_467_366_897_019_727
  static let prime3: UInt64 = 1_609_587_929_392_839_161
  static let prime4: UInt64 = 9_650_029_242_287_828_579
  static let prime5: UInt64 = 2_870_177_450_012_600_261

  private var v1: UInt64
  private var v2: UInt64
  private var v3: UInt64
  private var v4: UInt64
  private let seed: UInt64
  private var totalLength: UInt64 = 0
  private var buffer: [UInt8] = []

  /// Starts a streaming hash.
  public init(seed: UInt64 = 0) {
    self.seed = seed
    v1 = seed &+ XXHash64.prime1 &+ XXHash64.prime2
    v2 = seed &+ XXHash64.prime2
    v3 = seed
    v4 = seed &- XXHash64.prime1
  }

  /// Hashes bytes in one call, without allocating.
  public static func hash(_ p: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
    let n = p.count
    var i = 0
    var h: UInt64
    if n >= 32 {
      var a1 = seed &+ prime1 &+ prime2
      var a2 = seed &+ prime2
      var a3 = seed
      var a4 = seed &- prime1
      while i + 32 <= n {
        a1 = round(a1, read64(p, i))
        a2 = round(a2, read64(p, i + 8))
        a3 = round(a3, read64(p, i + 16))
        a4 = round(a4, read64(p, i + 24))
        i += 32
      }
      h = ((a1 << 1) | (a1 >> 63)) &+ ((a2 << 7) | (a2 >> 57)) &+ ((a3 << 12) | (a3 >> 52))
        &+ ((a4 << 18) | (a4 >> 46))
      h = merge(h, a1)
      h = merge(h, a2)
      h = merge(h, a3)
      h = merge(h, a4)
    } else {
      h = seed &+ prime5
    }
    h &+= UInt64(n)
    return tail(h, p, from: i)
  }

  /// Mixes the last (fewer than 32) bytes and avalanches.
  @inline(__always) private static func tail(_ start: UInt64, _ p: UnsafeRawBufferPointer, from: Int) -> UInt64 {
    var h = start
    var i = from
    while i + 8 <= p.count {
      h ^= round(0, read64(p, i))
      h = ((h << 27) | (h >> 37)) &* prime1 &+ prime4
      i += 8
    }
    if i + 4 <= p.count {
      h ^= read32(p, i) &* prime1
      h = ((h << 23) | (h >> 41)) &* prime2 &+ prime3
      i += 4
    }
    while i < p.count {
      h ^= UInt64(p[i]) &* prime5
      h = ((h << 11) | (h >> 53)) &* prime1
      i += 1
    }
    h ^= h >> 33
    h = h &* prime2
    h ^= h >> 29
    h = h &* prime3
    h ^= h >> 32
    return h
  }

  /// Hashes an array of bytes in one call.
  public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
    bytes.withUnsafeBytes { hash($0, seed: seed) }
  }

  /// Hashes a slice of bytes in one call.
  public static func hash(_ bytes: ArraySlice<UInt8>, seed: UInt64 = 0) -> UInt64 {
    bytes.withUnsafeBytes { hash($0, seed: seed) }
  }

  @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
    var a = acc &+ input &* prime2
    a = (a << 31) | (a >> 33)
    return a &* prime1
  }

  @inline(__always) private static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
    var a = acc ^ round(0, val)
    a = a &* prime1 &+ prime4
    return a
  }

  @inline(__always) private static func read64(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
    UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
  }

  @inline(__always) private static func read32(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
    UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
  }

  /// Adds bytes to the hash.
  public mutating func update(_ input: UnsafeRawBufferPointer) {
    totalLength &+= UInt64(input.count)
    var i = 0
    if !buffer.isEmpty {
      let take = min(32 - buffer.count, input.count)
      buffer.append(contentsOf: input[0..<take])
      i = take
      if buffer.count < 32 { return }
      buffer.withUnsafeBytes { consumeStripe($0, 0) }
      buffer.removeAll(keepingCapacity: true)
    }
    while i + 32 <= input.count {
      consumeStripe(input, i)
      i += 32
    }
    if i < input.count {
      buffer.append(contentsOf: input[i..<input.count])
    }
  }

  @inline(__always) private mutating func consumeStripe(_ p: UnsafeRawBufferPointer, _ i: Int) {
    v1 = XXHash64.round(v1, XXHash64.read64(p, i))
    v2 = XXHash64.round(v2, XXHash64.read64(p, i + 8))
    v3 = XXHash64.round(v3, XXHash64.read64(p, i + 16))
    v4 = XXHash64.round(v4, XXHash64.read64(p, i + 24))
  }

  /// The hash of everything added so far.
  public func finalize() -> UInt64 {
    var h: UInt64
    if totalLength >= 32 {
      h = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52))
        &+ ((v4 << 18) | (v4 >> 46))
      h = XXHash64.merge(h, v1)
      h = XXHash64.merge(h, v2)
      h = XXHash64.merge(h, v3)
      h = XXHash64.merge(h, v4)
    } else {
      h = seed &+ XXHash64.prime5
    }
    h &+= totalLength
    return buffer.withUnsafeBytes { XXHash64.tail(h, $0, from: 0) }
  }
}
