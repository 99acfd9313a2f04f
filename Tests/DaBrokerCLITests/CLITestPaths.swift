import Foundation

/// Paths the CLI tests need, found from this source file: the repository root, its
/// migrations and the built `dabroker` executable.
enum CLITestPaths {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var migrations: String { root.appendingPathComponent("migrations").path }

    /// The `dabroker` executable beside the test bundle (`swift build --build-tests` builds it).
    static var executable: String {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        let candidates = [
            bundleDir.appendingPathComponent("dabroker"),
            root.appendingPathComponent(".build/debug/dabroker"),
        ]
        return (candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]).path
    }
}
