// Dictionary encoding: every value gets a dense integer id, so that the index and the engine
// work on fixed-size integers and compare values by comparing ids.

import Platform

/// Interns values to dense ``TermID``s and decodes ids back to values.
///
/// Each entry is stored as a kind byte plus a compact payload in one contiguous byte heap, found
/// through an open-addressing hash table. The arrays are plain, so a checkpoint can save and
/// restore a dictionary without re-hashing anything.
///
/// A dictionary can extend another one (``init(extending:)``): ids below the parent's count
/// belong to the parent, which must not change while the extension is in use. The query engine
/// uses this to give computed values (an arithmetic result, a concatenated string) ids without
/// touching the store's dictionary.
public final class TermDictionary {
  /// The parent dictionary whose ids come first, if any.
  public let parent: TermDictionary?
  /// The first id this dictionary assigns itself (the parent's count, or 0).
  public let idBase: TermID

  private(set) var kinds: [UInt8]
  private(set) var offsets: [UInt32]
  private(set) var bytes: [UInt8]
  private(set) var hashes: [UInt32]
  private var slots: [UInt32]
  private var scratch: [UInt8] = []

  /// Creates an empty dictionary.
  public init() {
    parent = nil
    idBase = 0
    kinds = []
    offsets = [0]
    bytes = []
    hashes = []
    slots = Array(repeating: 0, count: 1024)
  }

  /// Creates a dictionary whose ids continue after those of `parent`.
  public init(extending parent: TermDictionary) {
    self.parent = parent
    idBase = TermID(parent.count)
    kinds = []
    offsets = [0]
    bytes = []
    hashes = []
    slots = Array(repeating: 0, count: 64)
  }

  /// The raw arrays of a dictionary, for checkpoints.
  public struct Storage: Sendable {
    /// One kind byte per entry (``Value/Kind`` raw values).
    public var kinds: [UInt8]
    /// Start offsets of each entry's payload in `bytes`, plus the end offset.
    public var offsets: [UInt32]
    /// All payloads, back to back.
    public var bytes: [UInt8]
    /// The 32-bit hash of each entry.
    public var hashes: [UInt32]
    /// The open-addressing table (entry number + 1, 0 for empty); empty means "rebuild it".
    public var slots: [UInt32]

    /// Creates storage from its arrays.
    public init(kinds: [UInt8], offsets: [UInt32], bytes: [UInt8], hashes: [UInt32], slots: [UInt32] = []) {
      self.kinds = kinds
      self.offsets = offsets
      self.bytes = bytes
      self.hashes = hashes
      self.slots = slots
    }
  }

  /// Why saved arrays cannot be restored.
  public struct StorageProblem: Error, CustomStringConvertible, Sendable {
    /// What is wrong, naming the entry or slot.
    public var description: String
  }

  /// Restores a dictionary saved with ``storage``; nil when the arrays are inconsistent.
  public convenience init?(storage: Storage) {
    do { try self.init(restoring: storage) } catch { return nil }
  }

  /// Restores a dictionary saved with ``storage``, checking that the arrays fit together: the
  /// offsets rise from 0 to the end of the byte heap, every kind is known and its payload has
  /// the length its kind needs, and a saved hash table holds every entry exactly once where a
  /// lookup finds it, with empty slots left (so a lookup always ends). Saved arrays come from a
  /// file, so nothing in them is trusted.
  ///
  /// - Complexity: O(n + table size).
  public init(restoring storage: Storage) throws(StorageProblem) {
    let n = storage.kinds.count
    guard storage.offsets.count == n + 1, storage.hashes.count == n else {
      throw StorageProblem(description: "\(storage.offsets.count) offsets and \(storage.hashes.count) hashes for \(n) entries")
    }
    guard storage.offsets[0] == 0, Int(storage.offsets[n]) == storage.bytes.count else {
      throw StorageProblem(description: "the entry offsets do not span the \(storage.bytes.count) payload bytes")
    }
    // All offsets first, so that every payload is inside the heap before any of it is read.
    for i in 0..<n where storage.offsets[i] > storage.offsets[i + 1] {
      throw StorageProblem(description: "the offsets of entries decrease at entry \(i)")
    }
    for i in 0..<n {
      let start = storage.offsets[i]
      let end = storage.offsets[i + 1]
      guard let kind = Value.Kind(rawValue: storage.kinds[i]) else {
        throw StorageProblem(description: "entry \(i) has unknown kind \(storage.kinds[i])")
      }
      let length = Int(end - start)
      let fits: Bool
      switch kind {
      case .entity: fits = true
      case .string: fits = length >= 1 && 1 + Int(storage.bytes[Int(start)]) <= length
      case .integer: fits = length == 8
      case .decimal: fits = length == 9
      case .boolean: fits = length == 1
      case .date: fits = length == 4
      }
      guard fits else { throw StorageProblem(description: "entry \(i) has a \(length)-byte payload, wrong for its kind") }
    }
    parent = nil
    idBase = 0
    kinds = storage.kinds
    offsets = storage.offsets
    bytes = storage.bytes
    hashes = storage.hashes
    if storage.slots.isEmpty {
      var capacity = 1024
      while capacity < n * 2 { capacity *= 2 }
      slots = Array(repeating: 0, count: capacity)
      rebuildSlots()
    } else {
      if let problem = Self.slotProblem(storage.slots, hashes: storage.hashes) { throw StorageProblem(description: problem) }
      slots = storage.slots
    }
  }

  /// Why a saved open-addressing table does not fit the entries' hashes, or nil when every
  /// entry is in it once, reachable from its hash's slot without crossing an empty slot.
  static func slotProblem(_ slots: [UInt32], hashes: [UInt32]) -> String? {
    let n = hashes.count
    let size = slots.count
    guard size >= max(16, n * 2), size & (size - 1) == 0 else {
      return "a hash table of \(size) slots cannot hold \(n) entries"
    }
    var seen = [Bool](repeating: false, count: n)
    var used = 0
    for slot in slots where slot != 0 {
      guard Int(slot) <= n, !seen[Int(slot) - 1] else { return "the hash table names entry \(slot - 1) twice or beyond the \(n) entries" }
      seen[Int(slot) - 1] = true
      used += 1
    }
    guard used == n else { return "the hash table holds \(used) of the \(n) entries" }
    // An empty slot exists (size >= 2n); walk the table once from just after it, tracking where
    // the current cluster of full slots began: an entry's home must lie inside that cluster,
    // at or before the entry.
    guard let empty = slots.firstIndex(of: 0) else { return nil }
    let mask = size - 1
    var clusterStart = (empty + 1) & mask
    for step in 1...size {
      let index = (empty + step) & mask
      let slot = slots[index]
      if slot == 0 {
        clusterStart = (index + 1) & mask
        continue
      }
      let home = Int(hashes[Int(slot) - 1]) & mask
      guard (index - home) & mask <= (index - clusterStart) & mask else {
        return "entry \(slot - 1) is not where a lookup of its hash finds it"
      }
    }
    return nil
  }

  /// This dictionary's own entries, for a checkpoint (parent entries are not included).
  public var storage: Storage {
    Storage(kinds: kinds, offsets: offsets, bytes: bytes, hashes: hashes, slots: parent == nil ? slots : [])
  }

  /// The number of ids, including the parent's.
  public var count: Int { Int(idBase) + kinds.count }

  /// The bytes of this dictionary's own payloads (not the parent's).
  public var ownByteCount: Int { bytes.count }

  /// The most payload bytes a dictionary holds: offsets are 32-bit.
  public static let maximumOwnBytes = Int(UInt32.max)

  // MARK: - Lookup and interning

  /// The id of a value, if it has one.
  ///
  /// - Complexity: O(1) expected.
  public func id(of value: Value) -> TermID? {
    if let parent, let id = parent.id(of: value) { return id }
    encode(value)
    let kind = value.kind.rawValue
    return scratch.withUnsafeBytes { find(kind: kind, payload: $0, hash: Self.hash(kind, $0)) }
  }

  /// The id of a value, assigning a new one if needed.
  ///
  /// - Complexity: O(1) amortised.
  public func intern(_ value: Value) -> TermID {
    if let parent, let id = parent.id(of: value) { return id }
    encode(value)
    let kind = value.kind.rawValue
    return scratch.withUnsafeBytes { payload in
      internLocal(kind: kind, payload: payload)
    }
  }

  /// The id of an entity given its identifier's UTF-8 bytes, assigning one if needed.
  ///
  /// This is the importers' fast path: no `String` is created for known entities.
  public func internEntity(utf8 payload: UnsafeRawBufferPointer) -> TermID {
    let kind = Value.Kind.entity.rawValue
    if let parent, let id = parent.find(kind: kind, payload: payload, hash: Self.hash(kind, payload)) {
      return id
    }
    return internLocal(kind: kind, payload: payload)
  }

  /// The id of an entity given its identifier, if it has one.
  public func entityID(_ name: String) -> TermID? {
    id(of: .entity(name))
  }

  private func internLocal(kind: UInt8, payload: UnsafeRawBufferPointer) -> TermID {
    let h = Self.hash(kind, payload)
    if let id = find(kind: kind, payload: payload, hash: h) { return id }
    let local = kinds.count
    kinds.append(kind)
    bytes.append(contentsOf: payload)
    offsets.append(UInt32(bytes.count))
    hashes.append(h)
    if (local + 1) * 2 > slots.count {
      slots = Array(repeating: 0, count: slots.count * 2)
      rebuildSlots()
    } else {
      place(local: local, hash: h)
    }
    return idBase + TermID(local)
  }

  private func rebuildSlots() {
    for local in 0..<kinds.count {
      place(local: local, hash: hashes[local])
    }
  }

  private func place(local: Int, hash: UInt32) {
    let mask = slots.count - 1
    var index = Int(hash) & mask
    while slots[index] != 0 { index = (index + 1) & mask }
    slots[index] = UInt32(local + 1)
  }

  private func find(kind: UInt8, payload: UnsafeRawBufferPointer, hash: UInt32) -> TermID? {
    let mask = slots.count - 1
    var index = Int(hash) & mask
    return slots.withUnsafeBufferPointer { slots in
      hashes.withUnsafeBufferPointer { hashes in
        offsets.withUnsafeBufferPointer { offsets in
          bytes.withUnsafeBytes { heap in
            while true {
              let slot = slots[index]
              if slot == 0 { return nil }
              let local = Int(slot - 1)
              if hashes[local] == hash, kinds[local] == kind {
                let start = Int(offsets[local])
                let length = Int(offsets[local + 1]) - start
                if length == payload.count
                  && (length == 0
                    || memcmp(heap.baseAddress! + start, payload.baseAddress!, length) == 0)
                {
                  return idBase + TermID(local)
                }
              }
              index = (index + 1) & mask
            }
          }
        }
      }
    }
  }

  @inline(__always) static func hash(_ kind: UInt8, _ payload: UnsafeRawBufferPointer) -> UInt32 {
    let h = XXHash64.hash(payload, seed: UInt64(kind))
    return UInt32(truncatingIfNeeded: h ^ (h >> 32))
  }

  // MARK: - Decoding

  /// The value an id stands for.
  ///
  /// - Precondition: `id < count`; ids come from this dictionary.
  public func value(of id: TermID) -> Value {
    if id < idBase, let parent { return parent.value(of: id) }
    let local = Int(id - idBase)
    guard local < kinds.count else { return .entity("?invalid-id-\(id)") }
    let start = Int(offsets[local])
    let end = Int(offsets[local + 1])
    return bytes.withUnsafeBufferPointer { heap in
      Self.decode(kind: kinds[local], UnsafeBufferPointer(rebasing: heap[start..<end]))
    }
  }

  /// The kind of the value an id stands for, without decoding it.
  public func kind(of id: TermID) -> Value.Kind {
    if id < idBase, let parent { return parent.kind(of: id) }
    let local = Int(id - idBase)
    guard local < kinds.count else { return .entity }
    return Value.Kind(rawValue: kinds[local]) ?? .entity
  }

  /// Calls `body` with every entity's id and the UTF-8 bytes of its identifier, in id order,
  /// without decoding anything (the bytes are valid only during the call).
  public func forEachEntityName(_ body: (TermID, UnsafeBufferPointer<UInt8>) -> Void) {
    parent?.forEachEntityName(body)
    let entity = Value.Kind.entity.rawValue
    bytes.withUnsafeBufferPointer { heap in
      for local in 0..<kinds.count where kinds[local] == entity {
        body(idBase + TermID(local), UnsafeBufferPointer(rebasing: heap[Int(offsets[local])..<Int(offsets[local + 1])]))
      }
    }
  }

  /// The identifier of an entity id, or nil when the id is not an entity.
  public func entityName(of id: TermID) -> String? {
    if case .entity(let name) = value(of: id) { return name }
    return nil
  }

  // MARK: - Encoding

  private func encode(_ value: Value) {
    scratch.removeAll(keepingCapacity: true)
    switch value {
    case .entity(let id):
      scratch.append(contentsOf: id.utf8)
    case .string(let text, let language):
      let tag = Array((language ?? "").utf8.prefix(255))
      scratch.append(UInt8(tag.count))
      scratch.append(contentsOf: tag)
      scratch.append(contentsOf: text.utf8)
    case .integer(let i):
      withUnsafeBytes(of: i.littleEndian) { scratch.append(contentsOf: $0) }
    case .decimal(let d):
      withUnsafeBytes(of: d.units.littleEndian) { scratch.append(contentsOf: $0) }
      scratch.append(d.scale)
    case .boolean(let b):
      scratch.append(b ? 1 : 0)
    case .date(let d):
      withUnsafeBytes(of: UInt16(d.year).littleEndian) { scratch.append(contentsOf: $0) }
      scratch.append(UInt8(d.month ?? 0))
      scratch.append(UInt8(d.day ?? 0))
    }
  }

  static func decode(kind: UInt8, _ p: UnsafeBufferPointer<UInt8>) -> Value {
    switch Value.Kind(rawValue: kind) {
    case .entity:
      return .entity(String(decoding: p, as: UTF8.self))
    case .string:
      let tagLength = p.isEmpty ? 0 : Int(p[0])
      let tagEnd = min(p.count, 1 + tagLength)
      let tag = String(decoding: UnsafeBufferPointer(rebasing: p[min(1, p.count)..<tagEnd]), as: UTF8.self)
      let text = String(decoding: UnsafeBufferPointer(rebasing: p[tagEnd...]), as: UTF8.self)
      return .string(text, language: tag.isEmpty ? nil : tag)
    case .integer:
      return .integer(load64(p, 0))
    case .decimal:
      let scale = p.count > 8 ? p[8] : 0
      return .decimal(DecimalValue(units: load64(p, 0), scale: scale))
    case .boolean:
      return .boolean(!p.isEmpty && p[0] != 0)
    case .date:
      guard p.count >= 4 else { return .entity("?invalid-date") }
      let year = Int(UInt16(p[0]) | UInt16(p[1]) << 8)
      let month = p[2] == 0 ? nil : Int(p[2])
      let day = p[3] == 0 ? nil : Int(p[3])
      if let date = DateValue(year: year, month: month, day: day) { return .date(date) }
      return .entity("?invalid-date")
    case nil:
      return .entity("?invalid-kind")
    }
  }

  private static func load64(_ p: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int64 {
    var v: UInt64 = 0
    for k in 0..<8 where at + k < p.count {
      v |= UInt64(p[at + k]) << (8 * UInt64(k))
    }
    return Int64(bitPattern: v)
  }
}
