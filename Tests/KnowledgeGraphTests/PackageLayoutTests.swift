// The package's layering, read from the source files themselves: only Platform names the C
// library, and every module imports only modules below it, as Package.swift declares them
// (directly or through a dependency). A module that imports Glibc does not build on macOS; an
// import upwards breaks the layers, or builds only by accident of build order.

import Foundation
import Testing

@Suite struct PackageLayoutTests {
  static let root = ShippedGraphTests.root

  /// Swift files under a folder of the repository, with their text.
  static func swiftFiles(under folder: String) -> [(path: String, text: String)] {
    let base = URL(fileURLWithPath: "\(root)/\(folder)")
    guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
    var files: [(String, String)] = []
    for case let url as URL in walker where url.pathExtension == "swift" {
      if let text = try? String(contentsOf: url, encoding: .utf8) {
        files.append((String(url.path.dropFirst(root.count + 1)), text))
      }
    }
    return files.sorted { $0.0 < $1.0 }
  }

  @Test func onlyPlatformNamesTheCLibrary() {
    // An import, a platform test, or a name qualified by the C library module (kill through
    // Glibc, which builds here only because Platform re-exports Glibc).
    let pattern = try! Regex(
      #"(?m)^\s*(@\w+\s+)*((public|package|internal|fileprivate|private)\s+)?import\s+((struct|class|enum|protocol|typealias|func|var|let)\s+)?(Glibc|Darwin|Musl)\b|canImport\((Glibc|Darwin|Musl)\)|\b(Glibc|Darwin|Musl)\.[A-Za-z_]"#)
    var offenders: [String] = []
    for folder in ["Sources", "Tests", "Examples"] {
      for (path, text) in Self.swiftFiles(under: folder) where !path.hasPrefix("Sources/Platform/") {
        if text.contains(pattern) { offenders.append(path) }
      }
    }
    #expect(offenders.isEmpty, "these files name the C library; import Platform instead: \(offenders)")
    // The check itself sees the layer's own files.
    #expect(Self.swiftFiles(under: "Sources/Platform").contains { $0.text.contains(pattern) })
  }

  @Test func everyModuleImportsOnlyItsDeclaredDependencies() throws {
    let manifest = try String(contentsOfFile: "\(Self.root)/Package.swift", encoding: .utf8)
    // `.target(name: "X", dependencies: [...]` and the test and executable targets alike.
    let target = try Regex(#"\.(?:target|testTarget|executableTarget)\(\s*name:\s*"([^"]+)"(?:,\s*dependencies:\s*\[([^\]]*)\])?(?:,\s*path:\s*"([^"]+)")?"#)
    var dependencies: [String: Set<String>] = [:]
    var folders: [String: String] = [:]
    for match in manifest.matches(of: target) {
      let name = String(match.output[1].substring ?? "")
      let listed = match.output[2].substring.map { String($0) } ?? ""
      dependencies[name] = Set(listed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines.union(["\""])) }.filter { !$0.isEmpty })
      let isTest = manifest[match.range].hasPrefix(".testTarget")
      folders[name] = match.output[3].substring.map { String($0) } ?? (isTest ? "Tests/\(name)" : "Sources/\(name)")
    }
    #expect(dependencies.count > 20, "Package.swift was not read: \(dependencies.keys.sorted())")
    let modules = Set(dependencies.keys)
    // What a module may import: its dependencies and theirs, down to layer 0.
    func below(_ name: String) -> Set<String> {
      var reached: Set<String> = []
      var work = Array(dependencies[name] ?? [])
      while let next = work.popLast() {
        if reached.insert(next).inserted { work.append(contentsOf: dependencies[next] ?? []) }
      }
      return reached
    }
    let importLine = try Regex(
      #"(?m)^\s*(?:@\w+\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:(?:struct|class|enum|protocol|typealias|func|var|let)\s+)?(\w+)"#)
    var problems: [String] = []
    for (name, folder) in folders.sorted(by: { $0.key < $1.key }) {
      let allowed = below(name)
      for (path, text) in Self.swiftFiles(under: folder) {
        for match in text.matches(of: importLine) {
          let imported = String(match.output[1].substring ?? "")
          if modules.contains(imported), imported != name, !allowed.contains(imported) {
            problems.append("\(path) imports \(imported), which is not below \(name) in Package.swift")
          }
        }
      }
    }
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
  }
}
