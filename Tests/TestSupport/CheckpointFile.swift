// A checkpoint file taken apart into its header fields and sections, so tests (and the fuzz
// target) can change one part and put the file back together with a valid trailing checksum:
// what is then exercised is the structural validation, not the checksum.

import GraphModel

/// The parts of a checkpoint file (layout in Sources/GraphIndex/IndexedGraph+Checkpoint.swift).
public struct CheckpointFile: Sendable {
  /// The sections in file order.
  public enum Section: Int, CaseIterable, Sendable {
    case kinds, dictionaryOffsets, bytes, hashes, slots
    case spoOffsets, spoPairs, posOffsets, posPairs, ospOffsets, ospPairs
    case firstTx, moreTx, transactions

    /// The size of one element.
    public var elementSize: Int {
      switch self {
      case .kinds, .bytes, .transactions: 1
      case .spoPairs, .posPairs, .ospPairs: 8
      default: 4
      }
    }
  }

  /// The byte offsets of the header's u64 fields.
  public enum Field: Int, CaseIterable, Sendable {
    case logLength = 16, logHash = 24, lineCount = 32, lastTransaction = 40
    case termCount = 48, tripleCount = 56, transactionCount = 64, moreCount = 72
  }

  /// Magic, version, byte-order mark, stamp and counts.
  public var header: [UInt8]
  /// Each section's declared length (a test may make it disagree with the bytes).
  public var lengths: [UInt64]
  /// Each section's bytes.
  public var sections: [[UInt8]]

  /// The size of the fixed header.
  public static let headerSize = 80

  /// Takes a well-formed checkpoint apart; nil when it does not have the expected layout.
  public init?(_ bytes: [UInt8]) {
    guard bytes.count >= CheckpointFile.headerSize + 8 else { return nil }
    header = Array(bytes[0..<CheckpointFile.headerSize])
    lengths = []
    sections = []
    var at = CheckpointFile.headerSize
    for _ in Section.allCases {
      guard at + 8 <= bytes.count - 8 else { return nil }
      let length = CheckpointFile.load(bytes, at)
      at += 8
      guard length <= UInt64(bytes.count - 8 - at) else { return nil }
      lengths.append(length)
      sections.append(Array(bytes[at..<(at + Int(length))]))
      at += Int(length)
      let padding = CheckpointFile.padding(Int(length))
      guard at + padding <= bytes.count - 8, bytes[at..<(at + padding)].allSatisfy({ $0 == 0 }) else { return nil }
      at += padding
    }
    guard at == bytes.count - 8 else { return nil }
  }

  /// The file with every part in order and a recomputed trailing checksum.
  public var bytes: [UInt8] {
    var out = header
    for (length, section) in zip(lengths, sections) {
      CheckpointFile.append(length, to: &out)
      out += section
      out += [UInt8](repeating: 0, count: CheckpointFile.padding(section.count))
    }
    CheckpointFile.append(XXHash64.hash(out), to: &out)
    return out
  }

  /// The zero bytes after a section of `length` bytes (sections start 8-byte aligned).
  public static func padding(_ length: Int) -> Int { (8 - length % 8) % 8 }

  /// A header field.
  public func field(_ field: Field) -> UInt64 { CheckpointFile.load(header, field.rawValue) }

  /// Sets a header field.
  public mutating func set(_ field: Field, _ value: UInt64) {
    for k in 0..<8 { header[field.rawValue + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
  }

  /// A section's elements as unsigned integers (widened to UInt64).
  public func elements(_ section: Section) -> [UInt64] {
    let bytes = sections[section.rawValue]
    let size = section.elementSize
    return stride(from: 0, to: bytes.count - bytes.count % size, by: size).map { start in
      var v: UInt64 = 0
      for k in 0..<size { v |= UInt64(bytes[start + k]) << (8 * UInt64(k)) }
      return v
    }
  }

  /// Replaces a section's elements (truncated to the element size) and its declared length.
  public mutating func setElements(_ section: Section, _ values: [UInt64]) {
    var out: [UInt8] = []
    for v in values {
      for k in 0..<section.elementSize { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
    }
    sections[section.rawValue] = out
    lengths[section.rawValue] = UInt64(out.count)
  }

  static func load(_ bytes: [UInt8], _ at: Int) -> UInt64 {
    var v: UInt64 = 0
    for k in 0..<8 { v |= UInt64(bytes[at + k]) << (8 * UInt64(k)) }
    return v
  }

  static func append(_ value: UInt64, to out: inout [UInt8]) {
    for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) }
  }
}
