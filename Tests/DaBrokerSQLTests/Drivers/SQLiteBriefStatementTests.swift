import DaBrokerCore
import DaBrokerSQL
import Foundation
import Testing

/// SQLite queries run by a task on a thread that must not wait long (an AMQP I/O thread):
/// brief ones run there at once; long ones, writes and ones that would wait for a lock run on
/// the connection's thread.
@Suite struct SQLiteBriefStatementTests {
    /// A file database in `journalMode`, removed by the caller with `remove`.
    private static func database(_ journalMode: SQLiteJournalMode) -> (url: String, remove: @Sendable () -> Void) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("brief_\(UUID().uuidString).db").path
        return (
            "sqlite://" + path,
            { for s in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + s) } }
        )
    }

    private func run(
        _ db: SQLiteConnection, on thread: PollingThread, _ sql: String, _ parameters: [Value] = []
    ) async throws -> (result: QueryResult, stayed: Bool) {
        for _ in 0..<2000 where db.isBusy { try await Task.sleep(for: .milliseconds(1)) }
        return try await thread.start {
            let result = try await db.execute(sql, parameters)
            return (result, LocalJobs.current?.pollsWatches == true)
        }.value
    }

    @Test func briefQueriesRunOnThePollingThread() async throws {
        let (url, remove) = Self.database(.wal)
        defer { remove() }
        let db = try await SQLiteConnection.connect(url: url)
        _ = try await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        _ = try await db.execute("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')")
        let thread = PollingThread()
        defer { thread.stop() }
        let byKey = "SELECT name FROM t WHERE id = ?"
        var names: [Value] = []
        var stayed: [Bool] = []
        for id in [1, 2, 3, 2] {
            let (result, here) = try await run(db, on: thread, byKey, [.int(Int64(id))])
            names.append(result.rows.first?[0] ?? .null)
            stayed.append(here)
        }
        #expect(names == ["a", "b", "c", "b"])
        // The first run prepares the statement on the connection's thread (where the task
        // then carries on, if it had suspended by then); the others run on the polling thread.
        #expect(stayed.dropFirst().allSatisfy { $0 })
        #expect(db.briefStatements == 3)
        // Writes are not brief.
        let insert = "INSERT INTO t (name) VALUES (?)"
        _ = try await run(db, on: thread, insert, ["d"])
        let (inserted, _) = try await run(db, on: thread, insert, ["e"])
        #expect(inserted.affectedRows == 1)
        #expect(db.briefStatements == 3)
        await db.close()
    }

    @Test func aLongQueryRunsOnTheConnectionsThread() async throws {
        let (url, remove) = Self.database(.wal)
        defer { remove() }
        let db = try await SQLiteConnection.connect(url: url)
        let thread = PollingThread()
        defer { thread.stop() }
        let count = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) FROM c"
        _ = try await run(db, on: thread, count, [1])
        let (short, shortHere) = try await run(db, on: thread, count, [10])
        #expect(short.rows.first?[0] == 10)
        #expect(shortHere)
        // Past its budget it is interrupted and run again, whole, on the connection's thread.
        let (long, longHere) = try await run(db, on: thread, count, [500_000])
        #expect(long.rows.first?[0] == 500_000)
        #expect(!longHere)
        #expect(db.briefStatements == 1)
        await db.close()
    }

    @Test func aQueryThatWouldWaitForALockRunsOnTheConnectionsThread() async throws {
        let (url, remove) = Self.database(.delete)
        defer { remove() }
        let db = try await SQLiteConnection.connect(url: url, journalMode: .delete)
        let other = try await SQLiteConnection.connect(url: url, journalMode: .delete)
        _ = try await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        _ = try await db.execute("INSERT INTO t (name) VALUES ('a')")
        let thread = PollingThread()
        defer { thread.stop() }
        let byKey = "SELECT name FROM t WHERE id = ?"
        _ = try await run(db, on: thread, byKey, [1])
        // Another connection holds the database's exclusive lock for a while.
        _ = try await other.execute("BEGIN EXCLUSIVE")
        let waiting = Task { try await run(db, on: thread, byKey, [1]) }
        try await Task.sleep(for: .milliseconds(200))
        _ = try await other.execute("COMMIT")
        let (result, here) = try await waiting.value
        #expect(result.rows.first?[0] == "a")
        #expect(!here)
        #expect(db.briefStatements == 0)
        // Unlocked, it is brief again.
        #expect(try await run(db, on: thread, byKey, [1]).stayed)
        await other.close()
        await db.close()
    }
}
