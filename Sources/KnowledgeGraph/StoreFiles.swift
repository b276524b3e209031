// The files a store directory holds, so that nothing a command writes (an export, a picture, a
// REPL output file) can land on one of them: writing over the log would destroy the store.

import Platform
import TripleLog

extension GraphStore {
  /// The store's own files by name, with what each is (LogFormat.md lists them).
  public static let ownFiles: [(name: String, role: String)] = [
    (LogFormat.fileName, "log"),
    (SystemFile.name(of: checkpointPath(".")), "checkpoint"),
    (LogFormat.fileName + ".cut", "copy of cut-off transactions"),
    (QuerySession.standingRulesFile, "standing rules"),
  ]

  /// What `path` is among this store's own files, or nil when it is none of them.
  ///
  /// A path is one of them when it is the same file (device and inode, so links and other
  /// spellings of the path count), or when it would create one: it names a missing file of
  /// the store directory, directly or through symbolic links.
  public func ownFileRole(of path: String) -> String? {
    var files: [SystemFile.Identity: String] = [:]
    for file in GraphStore.ownFiles {
      if let identity = SystemFile.identity(of: SystemFile.join(directory, file.name)) { files[identity] = file.role }
    }
    if let identity = SystemFile.identity(of: path) { return files[identity] }
    guard let storeIdentity = SystemFile.identity(of: directory) else { return nil }
    // A missing file, perhaps behind a chain of links: check the name it would be created as.
    var target = path
    for _ in 0..<16 {
      if SystemFile.identity(of: SystemFile.directory(of: target)) == storeIdentity {
        let name = SystemFile.name(of: target)
        if let file = GraphStore.ownFiles.first(where: { $0.name == name }) { return file.role }
      }
      guard let next = SystemFile.linkTarget(target) else { return nil }
      target = next
    }
    return nil
  }
}
