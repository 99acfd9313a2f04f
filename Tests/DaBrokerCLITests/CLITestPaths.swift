import Foundation

/// Paths the CLI tests need, found from this source file: the repository root and its
/// migrations.
enum CLITestPaths {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var migrations: String { root.appendingPathComponent("migrations").path }

    /// An empty temporary folder `name-<pid>`, and a function that removes it.
    static func freshDirectory(_ name: String) throws -> (url: URL, remove: () -> Void) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (dir, { try? FileManager.default.removeItem(at: dir) })
    }
}
