// swift-tools-version: 6.0
// Xinzhi: a knowledge-graph store with a Datalog query language. Toolchain only, no package
// dependencies. Targets depend strictly downwards; Documentation/Architecture.md draws the layers.
import PackageDescription

let package = Package(
  name: "xinzhi",
  products: [
    .library(name: "KnowledgeGraph", targets: ["KnowledgeGraph"]),
    .executable(name: "xinzhi", targets: ["xinzhi"]),
    .executable(name: "xinzhi-bench", targets: ["xinzhi-bench"]),
  ],
  targets: [
    // Layer 0: vocabulary shared by every layer.
    .target(name: "Diagnostics"),
    .target(name: "GraphModel"),
    // Layer 1: storage, index and language front end; each knows only layer 0.
    .target(name: "TripleLog", dependencies: ["GraphModel", "Diagnostics"]),
    .target(name: "GraphIndex", dependencies: ["GraphModel"]),
    .target(name: "QueryLanguage", dependencies: ["GraphModel", "Diagnostics"]),
    .target(name: "GraphImport", dependencies: ["GraphModel", "Diagnostics"]),
    .target(name: "GraphExport", dependencies: ["GraphModel"]),
    // Layer 3: the public facade, the only module that knows log, index and engine together.
    .target(
      name: "KnowledgeGraph",
      dependencies: [
        "Diagnostics", "GraphModel", "TripleLog", "GraphIndex", "QueryLanguage",
        "GraphImport", "GraphExport",
      ]),
    // Layer 4: everything interactive, then the executables that only wire argv and stdio.
    .target(name: "Shell", dependencies: ["KnowledgeGraph"]),
    .executableTarget(name: "xinzhi", dependencies: ["Shell"]),
    .executableTarget(name: "xinzhi-bench", dependencies: ["KnowledgeGraph"]),

    .target(name: "TestSupport", dependencies: ["KnowledgeGraph"], path: "Tests/TestSupport"),
    .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics"]),
    .testTarget(name: "GraphModelTests", dependencies: ["GraphModel", "TestSupport"]),
    .testTarget(name: "TripleLogTests", dependencies: ["TripleLog", "TestSupport"]),
    .testTarget(name: "GraphIndexTests", dependencies: ["GraphIndex", "TestSupport"]),
    .testTarget(
      name: "KnowledgeGraphTests",
      dependencies: ["KnowledgeGraph", "TestSupport", "xinzhi", "xinzhi-bench"]),
  ]
)
