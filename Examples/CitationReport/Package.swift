// swift-tools-version: 6.0
// An application that embeds Xinzhi as a library: it depends on the package by path and imports
// only the `KnowledgeGraph` product. `.ci/run` builds and runs it.
import PackageDescription

let package = Package(
  name: "CitationReport",
  dependencies: [.package(name: "xinzhi", path: "../..")],
  targets: [
    .executableTarget(name: "CitationReport", dependencies: [.product(name: "KnowledgeGraph", package: "xinzhi")])
  ]
)
