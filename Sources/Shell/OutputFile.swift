// Files that commands write results to: `export -o`, `why -o`, and the REPL's `.output`, `.once`
// and `.dot`. None may be one of the store's own files; every write and the close are checked,
// and a file written whole is renamed into place only when complete, so a failure (a full disk)
// leaves the previous file, or none, instead of a truncated one.

import Diagnostics
import KnowledgeGraph
import Platform

/// A file results are written to.
final class OutputFile: TextSink {
  /// How the file is written.
  enum Mode {
    /// Into a temporary file beside it, renamed over it by ``finish()``: readers see the old
    /// file or the complete new one (`-o`, `.once`, `.dot`).
    case replace
    /// In place, as results come, so that it can be followed while the REPL runs (`.output`).
    case stream
  }

  /// The path as the user gave it.
  let path: String
  private let sink: FileSink
  private var temporary: TemporaryFile?
  private var fd: Int32
  private var finished = false

  /// Kinds written directly besides regular files: `/dev/null`, `/dev/stdout`, a terminal, a pipe.
  private static let acceptedKinds: Set<SystemFile.Kind> = [.characterDevice, .fifo]

  /// Opens `path` for writing, refusing the store's own files.
  ///
  /// - Throws: ``DiagnosticError`` (73) when the path is one of the store's files, a directory,
  ///   or cannot be created.
  init(_ path: String, mode: Mode, store: GraphStore) throws(DiagnosticError) {
    self.path = path
    if let role = store.ownFileRole(of: path) {
      throw DiagnosticError(
        .cannotCreate, code: "output", "cannot write \(quoted(path)): it is the store's own \(role)",
        help: "write it outside the store directory \(quoted(store.directory)); writing there would destroy the store")
    }
    let kind = SystemFile.kind(of: path)
    if kind == .directory {
      throw DiagnosticError(.cannotCreate, code: "output", "cannot write \(quoted(path)): it is a directory", help: "add a file name")
    }
    do throws(SystemError) {
      if mode == .replace, kind == nil || kind == .regular {
        var info = stat()
        let permissions = stat(path, &info) == 0 ? info.st_mode & 0o777 : 0o644
        let file = try TemporaryFile(beside: SystemFile.resolved(path) ?? path, mode: permissions)
        temporary = file
        fd = file.descriptor
      } else {
        let opened = try SystemFile.openForWriting(path, create: true, accept: OutputFile.acceptedKinds)
        fd = opened.fd
        if opened.kind == .regular {
          do throws(SystemError) {
            try SystemFile.truncate(fd, path: path)
          } catch {
            close(fd)
            throw error
          }
        }
      }
    } catch {
      throw DiagnosticError(
        .cannotCreate, code: "output", "cannot write \(quoted(path)): \(error.message)",
        help: "choose a file in a folder you can write to")
    }
    sink = FileSink(fd: fd, name: path)
  }

  deinit { abandon() }

  func write(_ text: String) { sink.write(text) }
  func write(bytes: UnsafeBufferPointer<UInt8>) { sink.write(bytes: bytes) }
  func flush() { sink.flush() }
  var failure: SystemError? { sink.failure }

  /// Writes out what is buffered and closes the file; a replaced file is synced and renamed
  /// into place.
  ///
  /// - Throws: ``DiagnosticError`` (74) naming the file and the reason when a write, the sync or
  ///   the close failed; the temporary file is removed then, and the old file left as it was.
  func finish() throws(DiagnosticError) {
    guard !finished else { return }
    sink.flush()
    if let failure = sink.failure {
      abandon()
      throw failed(failure)
    }
    finished = true
    do {
      if let temporary {
        try temporary.commit()
      } else {
        try SystemFile.closeChecked(fd, path: path)
      }
    } catch {
      throw failed(error)
    }
  }

  /// Closes without finishing: a temporary file is removed.
  func abandon() {
    guard !finished else { return }
    finished = true
    sink.discardBuffer()
    if let temporary {
      temporary.discard()
    } else {
      close(fd)
    }
  }

  private func failed(_ error: SystemError) -> DiagnosticError {
    DiagnosticError(.io, code: "output", "cannot write \(quoted(path)): \(error.message)")
  }
}
