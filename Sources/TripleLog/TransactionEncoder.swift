// Encodes one transaction block incrementally, so that a large import can stream its records to
// the log without holding the whole block in memory; the checksum is computed as bytes go by.

import GraphModel

/// Produces the bytes of one log block: header and metadata, records, then the commit line.
///
/// Call ``add(_:_:)`` for each record and ``takeBytes()`` whenever the pending bytes should be
/// written; ``finish()`` returns the final bytes, commit line included.
public struct TransactionEncoder {
  /// The transaction number.
  public let number: TxNumber
  private var pending: [UInt8] = []
  private var hasher = XXHash64()
  /// The number of records added so far.
  public private(set) var recordCount = 0

  /// Starts a block with its header and metadata lines.
  public init(info: TransactionInfo) {
    number = info.number
    var text = "tx \(info.number) \(info.timestamp)\n"
    for (key, value) in info.metadata {
      text += "@\(key) \(LiteralSyntax.formatString(value, language: nil))\n"
    }
    append(Array(text.utf8))
  }

  /// Adds one record.
  public mutating func add(_ action: Transaction.Action, _ triple: Triple) {
    var line = action == .assert ? "+ " : "- "
    line += LiteralSyntax.formatEntity(triple.subject)
    line += " "
    line += LiteralSyntax.formatEntity(triple.predicate)
    line += " "
    line += LiteralSyntax.format(triple.object)
    line += "\n"
    append(Array(line.utf8))
    recordCount += 1
  }

  /// Adds one assertion given the literal-syntax bytes of its three terms (the importers' fast
  /// path; the caller guarantees the bytes are valid literals).
  public mutating func addTerms(_ subject: [UInt8], _ predicate: [UInt8], _ object: [UInt8]) {
    var line: [UInt8] = [UInt8(ascii: "+"), 0x20]
    line.reserveCapacity(subject.count + predicate.count + object.count + 5)
    line += subject
    line.append(0x20)
    line += predicate
    line.append(0x20)
    line += object
    line.append(0x0A)
    append(line)
    recordCount += 1
  }

  /// The number of bytes waiting to be taken.
  public var pendingCount: Int { pending.count }

  /// Removes and returns the bytes encoded so far (they are already part of the checksum).
  public mutating func takeBytes() -> [UInt8] {
    defer { pending.removeAll(keepingCapacity: true) }
    return pending
  }

  /// Ends the block: returns the remaining bytes followed by the commit line.
  public mutating func finish() -> [UInt8] {
    var bytes = takeBytes()
    let checksum = hasher.finalize()
    bytes += Array("commit \(number) \(recordCount) \(LogFormat.hex16(checksum))\n".utf8)
    return bytes
  }

  private mutating func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { hasher.update($0) }
    pending += bytes
  }
}
