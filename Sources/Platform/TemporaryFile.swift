// A file written beside its destination and renamed over it only when complete and on disk, so
// readers see the old contents or the new, never a part. The temporary's name is unique and it
// is created exclusively without following links, so a file or symbolic link planted under a
// predictable name can neither be overwritten nor redirect the write.

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A new file beside `destination`, committed by an atomic rename.
public final class TemporaryFile {
  /// The file it will replace.
  public let destination: String
  /// Its own path: `destination.tmp-` and 16 random hex digits.
  public let path: String
  private var fd: Int32

  /// The marker between a destination's name and the random suffix of its temporaries.
  public static let marker = ".tmp-"

  /// Creates the temporary file (`O_CREAT | O_EXCL | O_NOFOLLOW`), with `mode`.
  public init(beside destination: String, mode: mode_t = 0o644) throws(SystemError) {
    self.destination = destination
    var fd: Int32 = -1
    var path = ""
    for _ in 0..<8 {
      path = destination + TemporaryFile.marker + TemporaryFile.randomSuffix()
      fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
      if fd >= 0 || errno != EEXIST { break }
    }
    guard fd >= 0 else { throw SystemError("create", path: path) }
    self.path = path
    self.fd = fd
  }

  deinit { discard() }

  /// The open descriptor (for writers that stream through their own buffer).
  public var descriptor: Int32 { fd }

  /// Appends bytes.
  public func write(_ bytes: some Collection<UInt8>) throws(SystemError) {
    try SystemFile.writeAll(fd, bytes, path: path)
  }

  /// Syncs the file, renames it over the destination and syncs the directory. On failure the
  /// temporary is removed and the destination is unchanged.
  public func commit() throws(SystemError) {
    guard fd >= 0 else { throw SystemError("rename", path: path, code: EBADF) }
    if SystemFile.sync(fd) != 0 {
      let error = SystemError("sync", path: path)
      discard()
      throw error
    }
    let closed = close(fd)
    fd = -1
    if closed != 0 {
      let error = SystemError("close", path: path)
      unlink(path)
      throw error
    }
    guard rename(path, destination) == 0 else {
      let error = SystemError("rename", path: destination)
      unlink(path)
      throw error
    }
    try SystemFile.syncDirectory(SystemFile.directory(of: destination))
  }

  /// Closes and removes the temporary; the destination is unchanged.
  public func discard() {
    guard fd >= 0 else { return }
    close(fd)
    fd = -1
    unlink(path)
  }

  /// Removes temporaries of `destination` left by processes that died while writing them:
  /// those not modified for `olderThan` seconds (a live writer's is younger). Symbolic links
  /// under the temporary names are removed whatever their age (unlink removes the link itself).
  public static func removeStale(beside destination: String, olderThan seconds: Double = 600) {
    let directory = SystemFile.directory(of: destination)
    let base = SystemFile.name(of: destination) + marker
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    for name in SystemFile.names(in: directory) ?? [] {
      guard name.hasPrefix(base) else { continue }
      let full = SystemFile.join(directory, name)
      var info = stat()
      guard lstat(full, &info) == 0 else { continue }
      #if canImport(Darwin)
        let modified = info.st_mtimespec.tv_sec
      #else
        let modified = info.st_mtim.tv_sec
      #endif
      let age = Double(now.tv_sec) - Double(modified)
      if info.st_mode & S_IFMT == S_IFLNK || (info.st_mode & S_IFMT == S_IFREG && age > seconds) {
        unlink(full)
      }
    }
  }

  static func randomSuffix() -> String {
    var value = UInt64.random(in: 0...UInt64.max)
    var digits = ""
    for _ in 0..<16 {
      digits.append(Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(value & 0xF) + (value & 0xF > 9 ? 39 : 0))))
      value >>= 4
    }
    return digits
  }
}
