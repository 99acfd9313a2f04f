import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// `dabroker serve` notices DDL on the database it serves (`schema.check`): it reloads the
/// schema and serves the new one (`schema.reload`, the default), or only warns, once per change.
@Suite("Schema watch", .serialized)
struct SchemaWatchTests {
    @Test func serveReloadsTheChangedSchema() async throws {
        try await withServer(schema: "check: 0.2") { server, db in
            let port = try #require(await server.waitForHTTPPort(), "the port the OS chose")
            _ = try await db.execute("ALTER TABLE item ADD COLUMN note TEXT")
            _ = try await db.execute("INSERT INTO item (id, name, note) VALUES (1, 'one', 'added later')")
            let seen = try #require(await server.waitForStderr(containing: "schema reloaded", timeout: 30))
            #expect(seen.contains("changed tables: item"))
            let found = try await ChildProcess.run(
                ["find", "--http", "http://127.0.0.1:\(port)", "--compact", "item"])
            #expect(found.status == 0, "\(found.err)")
            #expect(found.out.contains("\"note\":\"added later\""), "\(found.out)")
            return seen
        } check: { stderr in
            #expect(stderr.components(separatedBy: "schema reloaded").count - 1 == 1, "\(stderr)")
            #expect(!stderr.contains("restart it"))
        }
    }

    @Test func serveOnlyWarnsWhenReloadIsOff() async throws {
        let warning = "changed since it was reflected"
        try await withServer(schema: "check: 0.2\n  reload: false") { server, db in
            _ = try await db.execute("ALTER TABLE item ADD COLUMN note TEXT")
            return try #require(await server.waitForStderr(containing: warning, timeout: 30))
        } check: { stderr in
            // Exactly one warning: none before the DDL (a spurious one would have made the DDL's
            // the second), none repeated after it.
            #expect(stderr.components(separatedBy: warning).count - 1 == 1, "\(stderr)")
            #expect(stderr.contains("restart it"))
            #expect(!stderr.contains("schema reloaded"))
        }
    }

    /// Serves a fresh SQLite database with one table `item` and `schema:` set to `schema`,
    /// runs `body` once the server is up (after several checks of the unchanged schema), then
    /// more checks, and stops the server; `check` gets all the server's standard error.
    private func withServer(
        schema: String, _ body: (ChildProcess, Database) async throws -> String,
        check: (String) -> Void
    ) async throws {
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
        schema:
          \(schema)
        """.write(to: config, atomically: true, encoding: .utf8)
        let server = try ChildProcess(["serve", "--config", config.path])
        #expect(await server.waitForOutput(containing: "item:") != nil)
        try await Task.sleep(for: .seconds(1))  // several checks of the unchanged schema
        let seen: String
        do {
            seen = try await body(server, db)
        } catch {
            await server.stop()
            await db.close()
            throw error
        }
        try await Task.sleep(for: .seconds(1))  // more checks of the changed schema
        await db.close()
        server.signal(SIGTERM)
        let end = await server.finish(timeout: 30)
        #expect(end.status == 0, "\(end.err)")
        check(seen + end.err)
    }
}
