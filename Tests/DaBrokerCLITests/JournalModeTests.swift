import DaBrokerCore
import DaBrokerSQL
import Foundation
import Testing

@testable import DaBrokerCLI

/// Issue 15.7: serving leaves a SQLite file's journal mode as it found it, unless the
/// configuration sets `sqlite_journal_mode`.
@Suite("SQLite journal mode is left as found")
struct JournalModeTests {
    private func mode(of path: String) async throws -> Value? {
        let conn = try await SQLiteConnection.connect(url: "sqlite:" + path, journalMode: nil)
        defer { Task { await conn.close() } }
        return try await conn.execute("PRAGMA journal_mode").rows.first?[0]
    }

    @Test func servingKeepsTheModeUnlessConfigured() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cli_journal_\(UUID().uuidString).db")
            .path
        defer { for s in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let setup = try await SQLiteConnection.connect(url: "sqlite:" + path, journalMode: nil)
        _ = try await setup.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        await setup.close()
        #expect(try await mode(of: path) == "delete")

        var config = GatewayConfiguration()
        config.database = "sqlite:" + path
        let served = try await GatewayDatabase.open(config, embedded: false, migrations: "")
        _ = try await served.database.execute("SELECT count(*) FROM t")
        await served.database.close()
        #expect(try await mode(of: path) == "delete", "serving switched the file's journal mode")

        config.sqliteJournalMode = .wal
        let configured = try await GatewayDatabase.open(config, embedded: false, migrations: "")
        _ = try await configured.database.execute("SELECT count(*) FROM t")
        await configured.database.close()
        #expect(try await mode(of: path) == "wal")

        let loaded = try ConfigurationLoader(environment: [:]).parse(yaml: "sqlite_journal_mode: wal\n", file: "x.yaml")
        #expect(loaded.sqliteJournalMode == .wal)
        #expect(throws: ConfigurationError.self) {
            try ConfigurationLoader(environment: [:]).parse(yaml: "sqlite_journal_mode: fast\n", file: "x.yaml")
        }
    }
}
