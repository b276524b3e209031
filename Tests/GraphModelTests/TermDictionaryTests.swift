// Dictionary encoding: stable ids, decoding, growth, storage round trip, extension dictionaries.

import Testing
import TestSupport

@testable import GraphModel

@Suite struct TermDictionaryTests {
  @Test func internIsStableAndDecodes() {
    let dictionary = TermDictionary()
    let values = LiteralSyntaxTests.samples
    let ids = values.map { dictionary.intern($0) }
    #expect(Set(ids).count == Set(values).count)
    for (value, id) in zip(values, ids) {
      #expect(dictionary.intern(value) == id)
      #expect(dictionary.id(of: value) == id)
      #expect(dictionary.value(of: id) == value)
      #expect(dictionary.kind(of: id) == value.kind)
    }
    #expect(dictionary.id(of: .entity("absent")) == nil)
  }

  @Test func growsPastManyRehashes() {
    let dictionary = TermDictionary()
    for i in 0..<20_000 { _ = dictionary.intern(.entity("e\(i)")) }
    for i in stride(from: 0, to: 20_000, by: 997) {
      #expect(dictionary.value(of: dictionary.id(of: .entity("e\(i)"))!) == .entity("e\(i)"))
    }
    #expect(dictionary.count == 20_000)
  }

  @Test func entityFastPathMatchesSlowPath() {
    let dictionary = TermDictionary()
    let id = Array("bank_of_england".utf8).withUnsafeBytes { dictionary.internEntity(utf8: $0) }
    #expect(dictionary.id(of: .entity("bank_of_england")) == id)
  }

  @Test func storageRoundTrip() throws {
    let dictionary = TermDictionary()
    for value in LiteralSyntaxTests.samples { _ = dictionary.intern(value) }
    let restored = try #require(TermDictionary(storage: dictionary.storage))
    for value in LiteralSyntaxTests.samples {
      #expect(restored.id(of: value) == dictionary.id(of: value))
    }
  }

  /// A relative of the fuzz find in the index's offsets: a payload start far beyond the heap,
  /// with the offsets decreasing only after it, must be refused before the payload is read.
  @Test func offsetsAreCheckedBeforeAnyPayloadIsRead() {
    let storage = TermDictionary.Storage(kinds: [1, 2, 1], offsets: [0, 50, 60, 3], bytes: [97, 98, 99], hashes: [0, 0, 0])
    #expect(throws: TermDictionary.StorageProblem.self) { try TermDictionary(restoring: storage) }
    let dictionary = TermDictionary()
    _ = dictionary.intern(.string("x", language: "en"))
    var good = dictionary.storage
    #expect((try? TermDictionary(restoring: good)) != nil)
    good.slots = Array(repeating: 1, count: good.slots.count)
    #expect(throws: TermDictionary.StorageProblem.self) { try TermDictionary(restoring: good) }
  }

  @Test func extensionDictionaryLeavesParentUntouched() {
    let parent = TermDictionary()
    let a = parent.intern(.entity("a"))
    let child = TermDictionary(extending: parent)
    #expect(child.intern(.entity("a")) == a)
    let b = child.intern(.integer(7))
    #expect(b == TermID(parent.count))
    #expect(parent.id(of: .integer(7)) == nil)
    #expect(child.value(of: b) == .integer(7))
    #expect(child.value(of: a) == .entity("a"))
  }
}

@Suite struct XXHash64Tests {
  // Reference values computed with the `xxhash` Python package (xxh64).
  @Test(arguments: [
    ("", UInt64(0), UInt64(0xEF46_DB37_51D8_E999)),
    ("", UInt64(7), UInt64(0x95F0_626F_6F0A_4409)),
    ("abc", UInt64(0), UInt64(0x44BC_2CF5_AD77_0999)),
    ("abc", UInt64(7), UInt64(0x9E75_5206_1566_76D7)),
    (String(repeating: "a", count: 31), UInt64(0), UInt64(0xFE47_067C_DA80_2916)),
    (String(repeating: "a", count: 32), UInt64(0), UInt64(0x856E_8432_98F9_9AD7)),
    (String(repeating: "The quick brown fox jumps over the lazy dog", count: 3), UInt64(0), UInt64(0xC652_B4DB_FCD6_B853)),
    (String(repeating: "The quick brown fox jumps over the lazy dog", count: 3), UInt64(7), UInt64(0x77D8_AA7B_C210_E644)),
  ])
  func referenceVectors(text: String, seed: UInt64, expected: UInt64) {
    #expect(XXHash64.hash(Array(text.utf8), seed: seed) == expected)
  }

  @Test func streamingEqualsOneShot() {
    var random = SeededRandom(seed: 3)
    for length in [0, 1, 31, 32, 33, 64, 100, 1000] {
      let bytes = (0..<length).map { _ in UInt8(random.below(256)) }
      var hasher = XXHash64()
      var i = 0
      while i < bytes.count {
        let step = 1 + random.below(40)
        let end = min(bytes.count, i + step)
        bytes[i..<end].withUnsafeBytes { hasher.update($0) }
        i = end
      }
      #expect(hasher.finalize() == XXHash64.hash(bytes), "length \(length)")
    }
  }
}
