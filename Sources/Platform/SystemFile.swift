// Opening, reading, writing and syncing files the way a store must: regular files only (a FIFO
// or a device never blocks or floods a reader), every write checked, and `sync` that reaches
// the disk (F_FULLFSYNC on Darwin, where fsync only reaches the drive's cache).

#if canImport(Darwin)
  import Darwin
#elseif canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// System calls on files, each returning or throwing a ``SystemError`` that names the path.
public enum SystemFile {
  /// What kind of file a path or descriptor is.
  public enum Kind: Sendable, Equatable {
    case regular, directory, fifo, characterDevice, blockDevice, socket, symbolicLink, other

    init(mode: mode_t) {
      switch mode & S_IFMT {
      case S_IFREG: self = .regular
      case S_IFDIR: self = .directory
      case S_IFIFO: self = .fifo
      case S_IFCHR: self = .characterDevice
      case S_IFBLK: self = .blockDevice
      case S_IFSOCK: self = .socket
      case S_IFLNK: self = .symbolicLink
      default: self = .other
      }
    }

    /// How the kind is named in messages.
    public var name: String {
      switch self {
      case .regular: "a regular file"
      case .directory: "a directory"
      case .fifo: "a named pipe (FIFO)"
      case .characterDevice: "a character device"
      case .blockDevice: "a block device"
      case .socket: "a socket"
      case .symbolicLink: "a symbolic link"
      case .other: "a special file"
      }
    }
  }

  /// A file's identity (device and inode), for telling whether two paths are the same file.
  public struct Identity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
  }

  /// The kind of file at a path (following symbolic links unless `followLinks` is false), or
  /// nil when it does not exist.
  public static func kind(of path: String, followLinks: Bool = true) -> Kind? {
    var info = stat()
    guard (followLinks ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
    return Kind(mode: info.st_mode)
  }

  /// The identity of the file at a path (following symbolic links), or nil when it does not exist.
  public static func identity(of path: String) -> Identity? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return Identity(device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(info.st_ino))
  }

  /// The identity of an open descriptor.
  public static func identity(of fd: Int32) -> Identity? {
    var info = stat()
    guard fstat(fd, &info) == 0 else { return nil }
    return Identity(device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(info.st_ino))
  }

  /// Opens an existing file for reading (or reading and writing), refusing anything but a
  /// regular file without blocking: the open is non-blocking, so a FIFO with no writer returns
  /// at once, and the type is checked on the descriptor, so it cannot change in between.
  ///
  /// - Parameters:
  ///   - followLinks: false adds `O_NOFOLLOW`: a symbolic link at `path` is refused.
  ///   - accept: kinds allowed besides regular files (an import may read a pipe).
  /// - Returns: a blocking descriptor.
  public static func openExisting(
    _ path: String, writable: Bool = false, followLinks: Bool = true, accept: Set<Kind> = []
  ) throws(SystemError) -> Int32 {
    var flags = (writable ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY
    if !followLinks { flags |= O_NOFOLLOW }
    let fd = open(path, flags)
    guard fd >= 0 else {
      let code = errno
      if code == ELOOP, !followLinks {
        throw SystemError("open", path: path, code: code, reason: "it is a symbolic link, which a store never follows here")
      }
      throw SystemError("open", path: path, code: code)
    }
    _ = try checkKind(fd, path: path, accept: accept, operation: "read")
    return fd
  }

  /// Checks the kind of a freshly opened, non-blocking descriptor and makes it blocking; a kind
  /// not accepted closes it and throws.
  private static func checkKind(_ fd: Int32, path: String, accept: Set<Kind>, operation: String) throws(SystemError) -> Kind {
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      let error = SystemError("stat", path: path)
      close(fd)
      throw error
    }
    let kind = Kind(mode: info.st_mode)
    guard kind == .regular || accept.contains(kind) else {
      close(fd)
      throw SystemError(operation, path: path, code: 0, reason: "it is \(kind.name), not a regular file")
    }
    let current = fcntl(fd, F_GETFL)
    if current >= 0 { _ = fcntl(fd, F_SETFL, current & ~O_NONBLOCK) }
    return kind
  }

  /// Reads from `offset` to the end of a descriptor, at most `limit` bytes.
  public static func readAll(_ fd: Int32, path: String, from offset: Int = 0, limit: Int = Int.max) throws(SystemError) -> [UInt8] {
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw SystemError("stat", path: path) }
    // A pipe has no size to read up to: read it as a stream (from its start).
    guard info.st_mode & S_IFMT == S_IFREG else { return try readStream(fd, path: path, limit: limit) }
    let size = Int(info.st_size)
    guard size > offset else { return [] }
    guard size - offset <= limit else {
      throw SystemError("read", path: path, code: EFBIG, reason: "it holds \(size - offset) bytes, more than the \(limit) allowed")
    }
    var failure: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size - offset) { buffer, count in
      var done = 0
      while done < buffer.count, let base = buffer.baseAddress {
        let n = pread(fd, base + done, buffer.count - done, off_t(offset + done))
        if n < 0 {
          if errno == EINTR { continue }
          failure = errno
          break
        }
        if n == 0 { break }
        done += n
      }
      count = done
    }
    if failure != 0 { throw SystemError("read", path: path, code: failure) }
    return bytes
  }

  /// Reads a stream (a pipe, standard input) to its end, failing with EFBIG as soon as it holds
  /// more than `limit` bytes, so an endless stream such as `/dev/zero` ends with an error.
  public static func readStream(_ fd: Int32, path: String, limit: Int) throws(SystemError) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw SystemError("read", path: path)
      }
      if n == 0 { return bytes }
      guard bytes.count + n <= limit else {
        throw SystemError("read", path: path, code: EFBIG, reason: "it holds more than the \(limit) bytes allowed")
      }
      bytes.append(contentsOf: chunk[0..<n])
    }
  }

  /// Opens a file for writing without truncating it (creating it with `mode` when `create` and
  /// it is missing). The open is non-blocking, so a FIFO nobody reads fails at once (ENXIO)
  /// instead of waiting; kinds other than regular files are refused unless in `accept`.
  ///
  /// - Returns: a blocking descriptor and the kind of file it is.
  public static func openForWriting(
    _ path: String, create: Bool, mode: mode_t = 0o644, append: Bool = false, accept: Set<Kind> = []
  ) throws(SystemError) -> (fd: Int32, kind: Kind) {
    var flags = O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY
    if create { flags |= O_CREAT }
    if append { flags |= O_APPEND }
    let fd = open(path, flags, mode)
    guard fd >= 0 else {
      let code = errno
      if code == ENXIO { throw SystemError("open", path: path, code: code, reason: "it is a named pipe (FIFO) that nothing reads") }
      if code == EISDIR { throw SystemError("open", path: path, code: code, reason: "it is a directory") }
      throw SystemError("open", path: path, code: code)
    }
    return (fd, try checkKind(fd, path: path, accept: accept, operation: "write"))
  }

  /// Cuts an open file to zero length.
  public static func truncate(_ fd: Int32, path: String) throws(SystemError) {
    guard ftruncate(fd, 0) == 0 else { throw SystemError("truncate", path: path) }
  }

  /// The path with every symbolic link resolved (`realpath`), or nil when it does not exist.
  public static func resolved(_ path: String) -> String? {
    guard let pointer = realpath(path, nil) else { return nil }
    defer { free(pointer) }
    return String(cString: pointer)
  }

  /// What a symbolic link at `path` points to, or nil when `path` is not a link. A relative
  /// target is joined to the link's directory.
  public static func linkTarget(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink(path, &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return target.hasPrefix("/") ? target : join(directory(of: path), target)
  }

  /// The last component of a path.
  public static func name(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
    return String(trimmed[trimmed.index(after: slash)...])
  }

  /// Makes sure descriptors 0, 1 and 2 are open: a closed one gets `/dev/null` opened against
  /// its use (read-only for output, write-only for input), so writing to a closed standard
  /// output fails with EBADF as it should, and no file opened later takes its number (a store's
  /// log opened as descriptor 1 would receive everything printed).
  public static func reserveStandardDescriptors() {
    for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 && errno == EBADF {
      let opened = open("/dev/null", (fd == 0 ? O_WRONLY : O_RDONLY) | O_CLOEXEC)
      if opened >= 0, opened != fd {
        dup2(opened, fd)
        close(opened)
      }
    }
  }

  /// Writes all bytes to a descriptor, retrying short writes and EINTR.
  public static func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>, path: String) throws(SystemError) {
    var failure: Int32 = 0
    let done: Bool? = bytes.withContiguousStorageIfAvailable { buffer in
      writeBuffer(fd, UnsafeRawBufferPointer(buffer), failure: &failure)
    }
    if done == nil {
      let copy = Array(bytes)
      _ = copy.withUnsafeBytes { writeBuffer(fd, $0, failure: &failure) }
    }
    if failure != 0 { throw SystemError("write", path: path, code: failure) }
  }

  private static func writeBuffer(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, failure: inout Int32) -> Bool {
    var done = 0
    guard let base = buffer.baseAddress else { return true }
    while done < buffer.count {
      let n = write(fd, base + done, buffer.count - done)
      if n < 0 {
        if errno == EINTR { continue }
        failure = errno
        return false
      }
      if n == 0 {
        failure = ENOSPC
        return false
      }
      done += n
    }
    return true
  }

  /// Flushes a file's data to stable storage: `F_FULLFSYNC` on Darwin (falling back to `fsync`
  /// where the file system does not support it), `fsync` elsewhere. 0, or -1 with errno set.
  public static func sync(_ fd: Int32) -> Int32 {
    #if canImport(Darwin)
      if fcntl(fd, F_FULLFSYNC) == 0 { return 0 }
      // Only a file system without F_FULLFSYNC falls back; a real flush error is reported.
      guard errno == ENOTSUP || errno == EINVAL || errno == ENOTTY else { return -1 }
      return fsync(fd)
    #else
      return fsync(fd)
    #endif
  }

  /// Flushes a directory's entries, so a file created, renamed or removed in it survives a crash.
  public static func syncDirectory(_ directory: String) throws(SystemError) {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemError("open directory", path: directory) }
    defer { close(fd) }
    guard sync(fd) == 0 else { throw SystemError("sync directory", path: directory) }
  }

  /// Closes a descriptor, reporting a failure (NFS and some file systems report write errors
  /// only here).
  public static func closeChecked(_ fd: Int32, path: String) throws(SystemError) {
    guard close(fd) == 0 else { throw SystemError("close", path: path) }
  }

  /// The names in a directory, without `.` and `..`, sorted; nil when it cannot be opened.
  ///
  /// Each name is read in place, up to its terminating NUL: a `dirent` returned by `readdir` is
  /// only as long as its name, so copying the whole `d_name` array reads past the end of the
  /// last entry in the buffer (AddressSanitizer reports it).
  public static func names(in directory: String) -> [String]? {
    guard let dir = opendir(directory) else { return nil }
    defer { closedir(dir) }
    guard let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name) else { return nil }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = String(cString: UnsafeRawPointer(entry).advanced(by: offset).assumingMemoryBound(to: CChar.self))
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  /// Removes a file, or a directory and everything in it (symbolic links are removed, never
  /// followed). Iterative: a deep tree costs heap, not stack. Returns whether `path` is gone.
  @discardableResult
  public static func removeTree(_ path: String) -> Bool {
    var stack: [(path: String, listed: Bool)] = [(path, false)]
    while let (current, listed) = stack.popLast() {
      var info = stat()
      guard lstat(current, &info) == 0 else { continue }
      guard info.st_mode & S_IFMT == S_IFDIR else {
        unlink(current)
        continue
      }
      if listed {
        rmdir(current)
      } else {
        stack.append((current, true))
        for name in names(in: current) ?? [] { stack.append((join(current, name), false)) }
      }
    }
    var info = stat()
    return lstat(path, &info) != 0
  }

  /// The directory part of a path (`.` when there is none).
  public static func directory(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    let parent = trimmed[..<slash]
    return parent.isEmpty ? "/" : String(parent)
  }

  /// Joins a directory and a name.
  public static func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }
}
