// Triples and triple patterns, at the value level (what users write) and at the id level (what
// the index and the engine store after dictionary encoding).

/// A dense integer naming one value in a ``TermDictionary``.
public typealias TermID = UInt32

/// The number of a transaction in the log, starting at 1.
public typealias TxNumber = UInt32

/// A statement `subject predicate object`, with entities named by their identifiers.
public struct Triple: Hashable, Sendable, CustomStringConvertible {
  /// The subject entity's identifier.
  public var subject: String
  /// The predicate entity's identifier.
  public var predicate: String
  /// The object value.
  public var object: Value

  /// Creates a triple.
  public init(_ subject: String, _ predicate: String, _ object: Value) {
    self.subject = subject
    self.predicate = predicate
    self.object = object
  }

  /// The triple as a fact in query-language syntax: `predicate(subject, object)`.
  public var description: String {
    "\(LiteralSyntax.formatEntity(predicate))(\(LiteralSyntax.formatEntity(subject)), \(object))"
  }
}

/// A triple of dictionary ids.
public struct IDTriple: Hashable, Sendable {
  /// The subject id.
  public var s: TermID
  /// The predicate id.
  public var p: TermID
  /// The object id.
  public var o: TermID

  /// Creates an id triple.
  @inlinable public init(_ s: TermID, _ p: TermID, _ o: TermID) {
    self.s = s
    self.p = p
    self.o = o
  }
}

/// A pattern over id triples: each position is either bound to an id or free.
public struct TriplePattern: Hashable, Sendable {
  /// The bound subject, or nil.
  public var s: TermID?
  /// The bound predicate, or nil.
  public var p: TermID?
  /// The bound object, or nil.
  public var o: TermID?

  /// Creates a pattern.
  @inlinable public init(s: TermID? = nil, p: TermID? = nil, o: TermID? = nil) {
    self.s = s
    self.p = p
    self.o = o
  }

  /// Whether a triple matches.
  @inlinable public func matches(_ t: IDTriple) -> Bool {
    (s == nil || s == t.s) && (p == nil || p == t.p) && (o == nil || o == t.o)
  }

  /// A short name of the bound positions, such as `sp?` or `??o`.
  public var shape: String {
    (s == nil ? "?" : "s") + (p == nil ? "?" : "p") + (o == nil ? "?" : "o")
  }
}

/// What a transaction says about itself: its number, time and metadata (source, note, claim...).
public struct TransactionInfo: Hashable, Sendable {
  /// The transaction number.
  public var number: TxNumber
  /// The commit time, ISO 8601 in UTC (`2026-11-24T15:41:07Z`).
  public var timestamp: String
  /// Metadata in log order, for example `("source", "000:L146-L152")`.
  public var metadata: [(key: String, value: String)]

  /// Creates transaction information.
  public init(number: TxNumber, timestamp: String, metadata: [(key: String, value: String)]) {
    self.number = number
    self.timestamp = timestamp
    self.metadata = metadata
  }

  /// The first value of a metadata key.
  public func metadata(_ key: String) -> String? {
    metadata.first(where: { $0.key == key })?.value
  }

  /// The provenance string (`source` metadata), when present.
  public var source: String? { metadata("source") }

  /// Equal number, time and metadata (keys and values in the same order).
  public static func == (lhs: TransactionInfo, rhs: TransactionInfo) -> Bool {
    lhs.number == rhs.number && lhs.timestamp == rhs.timestamp
      && lhs.metadata.map(\.key) == rhs.metadata.map(\.key)
      && lhs.metadata.map(\.value) == rhs.metadata.map(\.value)
  }

  /// Hashes what ``==`` compares.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(number)
    hasher.combine(timestamp)
    for (k, v) in metadata {
      hasher.combine(k)
      hasher.combine(v)
    }
  }
}
