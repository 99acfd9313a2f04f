import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// `dabroker serve` notices DDL on the database it serves (`limits.schema_check`) and says so,
/// once per change, while it goes on serving.
@Suite("Schema watch")
struct SchemaWatchTests {
    @Test func serveWarnsOnceWhenTheSchemaChanges() async throws {
        let (dir, removeDir) = try CLITestPaths.freshDirectory("cli-schema-watch")
        defer { removeDir() }
        let url = "sqlite:" + dir.appendingPathComponent("watched.sqlite").path
        let db = try await Database.open(url: url)
        _ = try await db.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        let config = dir.appendingPathComponent("dabroker.yaml")
        try """
        database: \(url)
        http:
          port: 0
        limits:
          schema_check: 0.2
        """.write(to: config, atomically: true, encoding: .utf8)

        let server = try ChildProcess(["serve", "--config", config.path])
        #expect(await server.waitForOutput(containing: "item:") != nil)
        let warning = "changed since it was reflected"
        try await Task.sleep(for: .seconds(1))  // several checks of an unchanged schema
        _ = try await db.execute("ALTER TABLE item ADD COLUMN note TEXT")
        let seen = try #require(await server.waitForStderr(containing: warning, timeout: 30))
        try await Task.sleep(for: .seconds(1))  // more checks of the changed schema
        await db.close()
        server.signal(SIGTERM)
        let end = await server.finish(timeout: 30)
        #expect(end.status == 0, "\(end.err)")
        // Exactly one warning: none before the DDL (a spurious one would have made the DDL's the
        // second), none repeated after it.
        let stderr = seen + end.err
        #expect(stderr.components(separatedBy: warning).count - 1 == 1, "\(stderr)")
        #expect(stderr.contains("restart it"))
    }
}
