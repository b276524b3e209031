// What an importer hands over for each position of a triple: either the raw bytes of a plain
// identifier (the fast path for large files, no String is made) or a decoded value.

import GraphModel

/// One term read by an importer.
public enum ImportTerm {
  /// An entity whose identifier is ASCII `[a-z][A-Za-z0-9_]*` (and not reserved), given by its
  /// bytes; its literal form is the bytes themselves.
  case plainEntity(ArraySlice<UInt8>)
  /// Any other value.
  case value(Value)

  /// The term as a value.
  public var value: Value {
    switch self {
    case .plainEntity(let bytes): .entity(String(decoding: bytes, as: UTF8.self))
    case .value(let v): v
    }
  }

  /// Whether bytes form a plain ASCII identifier that can be written bare.
  static func isPlainIdentifier(_ bytes: ArraySlice<UInt8>) -> Bool {
    guard let first = bytes.first, first >= 0x61, first <= 0x7A, bytes.count <= 256 else { return false }
    for b in bytes {
      let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
      if !ok { return false }
    }
    if bytes.count <= 5 {
      let word = String(decoding: bytes, as: UTF8.self)
      if LiteralSyntax.reservedWords.contains(word) { return false }
    }
    return true
  }
}

/// Reads a file in chunks and hands over complete lines with their 1-based numbers.
struct LineStream {
  let fd: Int32
  var buffer: [UInt8] = []
  var start = 0
  var lineNumber = 0
  var finished = false
  static let chunkSize = 1 << 22

  init(fd: Int32) { self.fd = fd }
}
