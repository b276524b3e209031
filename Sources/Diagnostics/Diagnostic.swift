// The one vocabulary every stage uses to say what went wrong and where.

/// A message about the input: what went wrong, where, and what to do about it.
///
/// Messages are one line, lower-case, without a final period, and quote source in backticks:
/// ``expected `)` after arguments, found `.` ``. The format of rendered diagnostics may change
/// between versions; tests pin it with golden files.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
  /// How serious a diagnostic is.
  public enum Severity: String, Hashable, Sendable {
    /// Stops the operation.
    case error
    /// Reported, but the operation goes on.
    case warning
    /// Extra information attached to another diagnostic.
    case note
  }

  /// What kind of failure this is; the command line maps it to a sysexits exit status.
  public enum Category: Hashable, Sendable {
    /// The command was used wrongly (64).
    case usage
    /// The input data, query or file content is wrong (65).
    case data
    /// An input file does not exist or cannot be read (66).
    case noInput
    /// A bug or an impossible state inside Xinzhi (70).
    case internalError
    /// An output file cannot be created (73).
    case cannotCreate
    /// Reading or writing failed, or the store is locked (74).
    case io

    /// The sysexits status for this category.
    public var exitStatus: Int32 {
      switch self {
      case .usage: 64
      case .data: 65
      case .noInput: 66
      case .internalError: 70
      case .cannotCreate: 73
      case .io: 74
      }
    }
  }

  /// How serious it is.
  public var severity: Severity
  /// What kind of failure it is.
  public var category: Category
  /// A stable identifier for tests and documentation, such as `unknown-predicate`.
  public var code: String
  /// The one-line message.
  public var message: String
  /// Where it happened, when that is known.
  public var location: SourceLocation?
  /// Further lines (`note: ...`), for example the other half of a cycle.
  public var notes: [String]
  /// What to do about it (`help: ...`).
  public var help: String?

  /// Creates a diagnostic.
  public init(
    _ severity: Severity = .error, _ category: Category = .data, code: String, _ message: String,
    at location: SourceLocation? = nil, notes: [String] = [], help: String? = nil
  ) {
    self.severity = severity
    self.category = category
    self.code = code
    self.message = message
    self.location = location
    self.notes = notes
    self.help = help
  }

  /// Creates an error diagnostic pointing at a span of a source text.
  public static func error(
    _ category: Category = .data, code: String, _ message: String, in source: SourceText,
    at span: SourceSpan, notes: [String] = [], help: String? = nil
  ) -> Diagnostic {
    Diagnostic(
      .error, category, code: code, message, at: source.location(of: span), notes: notes,
      help: help)
  }

  /// The short form, `file:line:col: error: message`.
  public var description: String {
    DiagnosticRenderer(style: .short).render(self)
  }
}

/// An error that carries one or more diagnostics; the library throws this and never exits.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
  /// The diagnostics, most important first.
  public var diagnostics: [Diagnostic]

  /// Wraps diagnostics.
  public init(_ diagnostics: [Diagnostic]) {
    self.diagnostics = diagnostics
  }

  /// Wraps one diagnostic.
  public init(_ diagnostic: Diagnostic) {
    self.diagnostics = [diagnostic]
  }

  /// Creates an error from its parts.
  public init(
    _ category: Diagnostic.Category, code: String, _ message: String,
    at location: SourceLocation? = nil, notes: [String] = [], help: String? = nil
  ) {
    self.diagnostics = [
      Diagnostic(.error, category, code: code, message, at: location, notes: notes, help: help)
    ]
  }

  /// The category of the first error, which decides the exit status.
  public var category: Diagnostic.Category {
    diagnostics.first(where: { $0.severity == .error })?.category ?? .internalError
  }

  /// All diagnostics in the short form, one per line.
  public var description: String {
    diagnostics.map(\.description).joined(separator: "\n")
  }
}
