import DaBrokerTestSupport
import Foundation
import Testing

/// `dabroker changes install|status|uninstall` on the demo database, and `serve` refusing a
/// `changes:` configuration whose tables have no triggers.
@Suite("changes command", .serialized)
struct ChangesCommandTests {
    @Test func installStatusUninstall() async throws {
        let (dir, removeDir) = try CLITestPaths.freshDirectory("cli-changes")
        defer { removeDir() }
        let db = "sqlite:" + dir.appendingPathComponent("demo.sqlite").path
        let config = dir.appendingPathComponent("gw.yaml").path
        try """
        database: \(db)
        tables:
          person: {rw: true, hide: [password_hash]}
        changes:
          tables: [person]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let m = ["--migrations", CLITestPaths.migrations]
        #expect(try await ChildProcess.run(["migrate", "--database", db] + m).status == 0)

        let refused = try await ChildProcess.run(["serve", "--config", config, "--http-port", "0"] + m)
        #expect(refused.status != 0)
        #expect(refused.err.contains("person is not captured") && refused.err.contains("dabroker changes install"))

        for _ in 0..<2 {
            let installed = try await ChildProcess.run(["changes", "install", "--config", config] + m)
            #expect(installed.status == 0, "\(installed.err)")
            #expect(installed.out.contains("captured tables: person"))
        }
        let status = try await ChildProcess.run(["changes", "status", "--config", config] + m)
        #expect(status.out.contains("installed") && status.out.contains("captured tables: person"))
        let models = try await ChildProcess.run(["models", "--config", config] + m)
        #expect(models.out.contains("change capture: person"))
        #expect(!models.out.contains("dabroker_changes"), "the log is never exported")

        let removed = try await ChildProcess.run(["changes", "uninstall", "--config", config] + m)
        #expect(removed.status == 0 && removed.out.contains("removed from person"), "\(removed.err)")
        let after = try await ChildProcess.run(["changes", "status", "--config", config] + m)
        #expect(after.out.contains("not installed"))
    }
}
