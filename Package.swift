// swift-tools-version: 6.0
// Xinzhi: a knowledge-graph store with a Datalog query language. Toolchain only, no package
// dependencies. Targets depend strictly downwards; Documentation/Architecture.md draws the layers.
import PackageDescription

/// The index and the evaluator run tight loops over class-owned arrays; Swift's dynamic
/// exclusivity checks cost about a quarter of their time (measured with perf, see
/// Documentation/Performance.md). Their accesses are single-threaded and never overlap, so the
/// runtime checks are turned off for these two modules only (static checks remain).
let hotLoops: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

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
    // The only module that speaks to the operating system directly (files, sync, clocks,
    // terminals, signals) and the only one that names the C library (Darwin, Glibc or Musl).
    .target(name: "Platform"),
    .target(name: "GraphModel", dependencies: ["Platform"]),
    // Layer 1: storage, index and language front end; each knows only layer 0.
    .target(name: "TripleLog", dependencies: ["GraphModel", "Diagnostics", "Platform"]),
    .target(name: "GraphIndex", dependencies: ["GraphModel", "Platform"], swiftSettings: hotLoops),
    .target(name: "QueryLanguage", dependencies: ["GraphModel", "Diagnostics"]),
    .target(name: "GraphImport", dependencies: ["GraphModel", "Diagnostics", "Platform"]),
    .target(name: "GraphExport", dependencies: ["GraphModel"]),
    // Finding entities by their names: an inverted index over ids, labels, aliases and
    // descriptions read through `TripleSource` (it never names predicates or languages).
    .target(name: "GraphSearch", dependencies: ["GraphModel"]),
    // Layer 2: the intermediate representation of a checked program (lowering, stratification,
    // magic sets, inlining), shared by the engine that runs it and the translation that turns it
    // into SQL, so the translation never links the executor.
    .target(name: "QueryIR", dependencies: ["QueryLanguage", "GraphModel", "Diagnostics"]),
    // Programs translated for other engines (SQL for DuckDB, PySpark), read from the IR alone.
    .target(name: "QueryTranslation", dependencies: ["QueryIR", "QueryLanguage", "GraphModel", "Diagnostics"]),
    // Evaluation, blind to storage (facts arrive through `TripleSource`).
    .target(name: "QueryEngine", dependencies: ["QueryIR", "QueryLanguage", "GraphModel", "Diagnostics", "Platform"], swiftSettings: hotLoops),
    // Layer 3: the public facade, the only module that knows log, index and engine together.
    .target(
      name: "KnowledgeGraph",
      dependencies: [
        "Diagnostics", "GraphModel", "TripleLog", "GraphIndex", "QueryLanguage", "QueryIR", "QueryEngine", "QueryTranslation",
        "GraphImport", "GraphExport", "GraphSearch", "Platform",
      ]),
    // Layer 4: everything interactive, then the executables that only wire argv and stdio.
    .target(name: "Shell", dependencies: ["KnowledgeGraph", "Platform"]),
    .executableTarget(name: "xinzhi", dependencies: ["Shell", "Platform"]),
    .executableTarget(name: "xinzhi-bench", dependencies: ["KnowledgeGraph", "Platform"]),

    .target(name: "TestSupport", dependencies: ["KnowledgeGraph", "GraphIndex", "QueryLanguage", "QueryEngine", "Diagnostics", "TripleLog", "Platform"], path: "Tests/TestSupport"),
    .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics", "Platform"]),
    .testTarget(name: "PlatformTests", dependencies: ["Platform", "TestSupport"]),
    .testTarget(name: "GraphModelTests", dependencies: ["GraphModel", "TestSupport", "Platform"]),
    .testTarget(name: "TripleLogTests", dependencies: ["TripleLog", "TestSupport", "Platform"]),
    .testTarget(name: "GraphIndexTests", dependencies: ["GraphIndex", "TestSupport", "Platform"]),
    .testTarget(name: "GraphSearchTests", dependencies: ["GraphSearch", "GraphModel", "TestSupport"]),
    .testTarget(name: "QueryLanguageTests", dependencies: ["QueryLanguage", "TestSupport"], exclude: ["FuzzCrashes"]),
    .testTarget(name: "QueryEngineTests", dependencies: ["QueryEngine", "QueryIR", "QueryLanguage", "Diagnostics", "TestSupport", "Platform"]),
    .testTarget(
      name: "KnowledgeGraphTests",
      dependencies: ["KnowledgeGraph", "Shell", "TripleLog", "QueryLanguage", "QueryEngine", "QueryTranslation", "TestSupport", "Platform", "xinzhi", "xinzhi-bench"],
      exclude: ["Golden", "RDF", "Translation"]),
  ]
)
