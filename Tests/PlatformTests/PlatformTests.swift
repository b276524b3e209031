// The platform layer's promises: temporaries never follow or overwrite a planted file, commits
// replace atomically, reads refuse special files without blocking.

import Platform
import TestSupport
import Testing

@Suite struct TemporaryFileTests {
  @Test func commitReplacesTheDestination() throws {
    let dir = TemporaryDirectory()
    let destination = dir.write("data", "old")
    let temporary = try TemporaryFile(beside: destination)
    #expect(temporary.path.hasPrefix(destination + TemporaryFile.marker))
    try temporary.write(Array("new".utf8))
    try temporary.commit()
    #expect(dir.read("data") == "new")
    #expect(TestFiles.names(in: dir.path) == ["data"])
  }

  @Test func aPlantedSymbolicLinkIsNeitherFollowedNorOverwritten() throws {
    let dir = TemporaryDirectory()
    let victim = dir.write("victim", "precious")
    let destination = dir.file("data")
    // Plant links under every name a predictable writer might use.
    symlink(victim, destination + ".tmp")
    let temporary = try TemporaryFile(beside: destination)
    try temporary.write(Array("new".utf8))
    try temporary.commit()
    #expect(dir.read("victim") == "precious")
    #expect(dir.read("data") == "new")
  }

  @Test func discardLeavesTheDestinationUnchanged() throws {
    let dir = TemporaryDirectory()
    let destination = dir.write("data", "old")
    do {
      let temporary = try TemporaryFile(beside: destination)
      try temporary.write(Array("half".utf8))
    }
    #expect(dir.read("data") == "old")
    #expect(TestFiles.names(in: dir.path) == ["data"])
  }

  @Test func staleTemporariesAndPlantedLinksAreRemoved() throws {
    let dir = TemporaryDirectory()
    let destination = dir.file("data")
    let stale = dir.write("data.tmp-0123456789abcdef", "left by a killed writer")
    var times = [timespec(tv_sec: 1, tv_nsec: 0), timespec(tv_sec: 1, tv_nsec: 0)]
    utimensat(AT_FDCWD, stale, &times, 0)
    let fresh = dir.write("data.tmp-fedcba9876543210", "a live writer's")
    symlink("/etc/passwd", destination + ".tmp-aaaaaaaaaaaaaaaa")
    TemporaryFile.removeStale(beside: destination)
    #expect(TestFiles.names(in: dir.path) == ["data.tmp-fedcba9876543210"])
    _ = fresh
  }
}

@Suite struct SystemFileTests {
  /// Found by the checkpoint fuzz target under AddressSanitizer: names were read by copying
  /// the whole `d_name` array, past the end of the last (short) entry `readdir` returned.
  /// Names of every length are listed exactly (run under `--sanitize=address` to see no read
  /// beyond an entry).
  @Test func namesOfEveryLengthAreListed() throws {
    let dir = TemporaryDirectory()
    var expected: [String] = []
    for length in [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 200, 255] {
      let name = String(repeating: "n", count: length - 1) + "\(length % 10)"
      expected.append(name)
      dir.write(name, "")
    }
    #expect(SystemFile.names(in: dir.path) == expected.sorted())
    #expect(SystemFile.names(in: dir.file("missing")) == nil)
  }

  @Test func aFifoIsRefusedWithoutBlocking() throws {
    let dir = TemporaryDirectory()
    let fifo = dir.file("pipe")
    #expect(mkfifo(fifo, 0o644) == 0)
    #expect(throws: SystemError.self) { try SystemFile.openExisting(fifo) }
    do {
      _ = try SystemFile.openExisting(fifo)
    } catch {
      #expect(error.description.contains("named pipe"))
    }
  }

  @Test func devicesAndDirectoriesAreRefused() {
    #expect(throws: SystemError.self) { try SystemFile.openExisting("/dev/zero") }
    #expect(throws: SystemError.self) { try SystemFile.openExisting("/tmp") }
  }

  @Test func noFollowRefusesALink() throws {
    let dir = TemporaryDirectory()
    let target = dir.write("target", "x")
    symlink(target, dir.file("link"))
    #expect(throws: SystemError.self) { try SystemFile.openExisting(dir.file("link"), followLinks: false) }
    let fd = try SystemFile.openExisting(dir.file("link"))
    #expect(try SystemFile.readAll(fd, path: "link") == Array("x".utf8))
    close(fd)
  }

  @Test func readsAreBounded() throws {
    let dir = TemporaryDirectory()
    let path = dir.write("big", String(repeating: "x", count: 1000))
    let fd = try SystemFile.openExisting(path)
    defer { close(fd) }
    #expect(throws: SystemError.self) { try SystemFile.readAll(fd, path: path, limit: 999) }
    #expect(try SystemFile.readAll(fd, path: path, from: 990).count == 10)
  }

  @Test func writesToAFullDeviceFail() throws {
    let fd = open("/dev/full", O_WRONLY)
    guard fd >= 0 else { return }
    defer { close(fd) }
    #expect(throws: SystemError.self) { try SystemFile.writeAll(fd, Array("x".utf8), path: "/dev/full") }
  }

  @Test func streamsAreReadUpToALimit() throws {
    var ends: [Int32] = [0, 0]
    #expect(pipe(&ends) == 0)
    defer { close(ends[0]) }
    write(ends[1], Array(repeating: UInt8(ascii: "x"), count: 100), 100)
    close(ends[1])
    #expect(throws: SystemError.self) { try SystemFile.readStream(ends[0], path: "pipe", limit: 50) }
    let zero = open("/dev/zero", O_RDONLY)
    defer { close(zero) }
    do {
      _ = try SystemFile.readStream(zero, path: "/dev/zero", limit: 1 << 20)
      Issue.record("an endless stream was read to its end")
    } catch {
      #expect(error.code == EFBIG)
    }
  }

  @Test func openingForWritingNeverBlocksAndKeepsTheContents() throws {
    let dir = TemporaryDirectory()
    let fifo = dir.file("pipe")
    #expect(mkfifo(fifo, 0o644) == 0)
    do {
      _ = try SystemFile.openForWriting(fifo, create: false, accept: [.fifo])
      Issue.record("a FIFO nobody reads was opened")
    } catch {
      #expect(error.description.contains("nothing reads"))
    }
    #expect(throws: SystemError.self) { try SystemFile.openForWriting("/dev/null", create: false) }
    let device = try SystemFile.openForWriting("/dev/null", create: false, accept: [.characterDevice])
    #expect(device.kind == .characterDevice)
    close(device.fd)
    let path = dir.write("data", "kept")
    let file = try SystemFile.openForWriting(path, create: false, append: true)
    try SystemFile.writeAll(file.fd, Array("+".utf8), path: path)
    close(file.fd)
    #expect(dir.read("data") == "kept+")
    #expect(throws: SystemError.self) { try SystemFile.openForWriting(dir.file("missing"), create: false) }
  }

  @Test func linksAndNames() throws {
    let dir = TemporaryDirectory()
    let target = dir.write("target", "x")
    symlink("target", dir.file("relative"))
    symlink(dir.file("gone"), dir.file("dangling"))
    #expect(SystemFile.linkTarget(dir.file("relative")) == dir.file("target"))
    #expect(SystemFile.linkTarget(dir.file("dangling")) == dir.file("gone"))
    #expect(SystemFile.linkTarget(target) == nil)
    #expect(SystemFile.resolved(dir.file("relative")) == SystemFile.resolved(target))
    #expect(SystemFile.resolved(dir.file("dangling")) == nil)
    #expect(SystemFile.name(of: "/a/b/c.log") == "c.log")
    #expect(SystemFile.name(of: "c.log") == "c.log")
    #expect(SystemFile.name(of: "/a/b/") == "b")
  }
}
