import Foundation

/// Paths the CLI tests need, found from this source file: the repository root and its
/// migrations.
enum CLITestPaths {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var migrations: String { root.appendingPathComponent("migrations").path }
}
