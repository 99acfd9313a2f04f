import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// Statements run by a task on a thread that polls descriptors (an AMQP I/O thread): sent
/// from there, their answer awaited in that thread's `poll`, for PostgreSQL (libpq's
/// asynchronous calls) and MariaDB (libmariadb's non-blocking API).
@Suite struct WatchedStatementTests {
    enum Backend: String, CaseIterable, CustomStringConvertible {
        case postgres, mariadb
        var description: String { rawValue }

        var isAvailable: Bool { TestServices.isAvailable(self == .postgres ? .postgres : .mysql) }

        /// A connection and how many of its statements were answered in another thread's poll.
        func connect() async throws -> (any DatabaseConnection, @Sendable () -> Int) {
            switch self {
            case .postgres:
                let db = try await DriverTestEnvironment.postgres()
                return (db, { db.watchedStatements })
            case .mariadb:
                let db = try await DriverTestEnvironment.mariadb()
                return (db, { db.watchedStatements })
            }
        }

        var plusOne: String { self == .postgres ? "SELECT $1::int + 1 AS n" : "SELECT CAST(? AS SIGNED) + 1 AS n" }
        /// `$1` rows of a number and 200 bytes.
        var rows: String {
            self == .postgres
                ? "SELECT g AS n, repeat('x', 200) AS pad FROM generate_series(1, $1::int) AS g"
                : "SELECT seq AS n, REPEAT('x', 200) AS pad FROM seq_1_to_100000 WHERE seq <= ?"
        }
        /// `$1` after `$2` seconds.
        var sleep: String {
            self == .postgres ? "SELECT $1::int AS n FROM pg_sleep($2::float8)" : "SELECT ? + SLEEP(?) AS n"
        }
        var temporary: String { self == .postgres ? "CREATE TEMP TABLE" : "CREATE TEMPORARY TABLE" }
        var placeholder: String { self == .postgres ? "$1" : "?" }
    }

    /// Runs `sql` in a task of its own started on `thread`, as a request is: a task that waited
    /// on the connection's thread carries on there. Starts once the connection's thread is idle
    /// (a busy one is not borrowed).
    private func run(
        _ db: any DatabaseConnection, on thread: PollingThread, _ sql: String, _ parameters: [Value] = []
    ) async throws -> QueryResult {
        try await Self.idle(db)
        return try await thread.start { try await db.execute(sql, parameters) }.value
    }

    /// A connection of `backend` with a temporary table of `columns`, and a polling thread
    /// (stop it).
    private func fixture(
        _ backend: Backend, columns: String
    ) async throws -> (any DatabaseConnection, @Sendable () -> Int, String, PollingThread) {
        let (db, watched) = try await backend.connect()
        let table = DriverTestEnvironment.uniqueName("watch")
        _ = try await db.execute("\(backend.temporary) \(table) (\(columns))")
        return (db, watched, table, PollingThread())
    }

    private static func idle(_ db: any DatabaseConnection) async throws {
        for _ in 0..<2000 where db.isBusy { try await Task.sleep(for: .milliseconds(1)) }
    }

    @Test(arguments: Backend.allCases)
    func answersAreReadInThePollingThread(_ backend: Backend) async throws {
        guard backend.isAvailable else { return }
        let (db, watched) = try await backend.connect()
        let thread = PollingThread()
        defer { thread.stop() }
        // The first run of each statement prepares it, on the connection's thread.
        var sums: [Value] = []
        for i in 0..<6 {
            sums.append(try await run(db, on: thread, backend.plusOne, [.int(Int64(i))]).rows.first?[0] ?? .null)
        }
        _ = try await run(db, on: thread, backend.rows, [1])
        // Many rows come in several reads.
        let many = try await run(db, on: thread, backend.rows, [20_000])
        #expect(sums == [1, 2, 3, 4, 5, 6])
        #expect(many.rows.count == 20_000)
        #expect(many.rows.last?[0] == 20_000)
        #expect(watched() == 6)  // five of the six sums, the 20,000 rows
        // A task carries on on the polling thread after a small result, on the pool after a
        // large one.
        func carriesOnHere(_ count: Int) async throws -> Bool {
            try await Self.idle(db)
            return try await thread.start {
                _ = try await db.execute(backend.rows, [.int(Int64(count))])
                return LocalJobs.current?.pollsWatches == true
            }.value
        }
        #expect(try await carriesOnHere(10))
        #expect(try await carriesOnHere(5_000) == false)
        await db.close()
    }

    @Test(arguments: Backend.allCases)
    func errorsAreTheDriversAndTheConnectionCarriesOn(_ backend: Backend) async throws {
        guard backend.isAvailable else { return }
        let (db, watched, table, thread) = try await fixture(backend, columns: "a int PRIMARY KEY")
        defer { thread.stop() }
        let insert = "INSERT INTO \(table) (a) VALUES (\(backend.placeholder))"
        _ = try await run(db, on: thread, insert, [1])
        _ = try await run(db, on: thread, insert, [2])
        await #expect { try await run(db, on: thread, insert, [1]) } throws: {
            ($0 as? DatabaseError)?.kind == .constraint
        }
        // A wrong number of values is refused before anything is sent.
        await #expect { try await run(db, on: thread, insert, [4, 5]) } throws: {
            ($0 as? DatabaseError)?.kind == .parameter
        }
        if backend == .postgres {
            _ = try await run(db, on: thread, "SELECT 10 / $1::int AS q", [2])
            await #expect { try await run(db, on: thread, "SELECT 10 / $1::int AS q", [0]) } throws: {
                ($0 as? DatabaseError)?.kind == .statement
            }
        }
        _ = try await run(db, on: thread, insert, [3])
        #expect(watched() == (backend == .postgres ? 4 : 3))
        #expect(try await db.execute("SELECT count(*) AS n FROM \(table)").rows.first?[0] == 3)
        await db.close()
    }

    @Test(arguments: Backend.allCases)
    func anAbandonedWaitFinishesOnTheConnectionsThread(_ backend: Backend) async throws {
        guard backend.isAvailable else { return }
        let (db, watched) = try await backend.connect()
        let thread = PollingThread()
        defer { thread.stop() }
        _ = try await run(db, on: thread, backend.sleep, [0, 0])
        try await Self.idle(db)
        let slow = await thread.start { try await db.execute(backend.sleep, [7, 0.5]) }
        try await Task.sleep(for: .milliseconds(100))
        thread.abandonWatches()
        #expect(try await slow.value.rows.first?[0] == 7)
        #expect(watched() == 1)
        // The connection's thread has it back.
        #expect(try await db.execute(backend.sleep, [8, 0]).rows.first?[0] == 8)
        await db.close()
    }

    @Test(arguments: Backend.allCases)
    func aChangedResultTypeRunsAgainOnTheConnectionsThread(_ backend: Backend) async throws {
        guard backend.isAvailable else { return }
        let (db, watched, table, thread) = try await fixture(backend, columns: "a int")
        defer { thread.stop() }
        _ = try await db.execute("INSERT INTO \(table) VALUES (1)")
        let select = "SELECT * FROM \(table) WHERE a = \(backend.placeholder)"
        #expect(try await run(db, on: thread, select, [1]).columns == ["a"])
        _ = try await db.execute("ALTER TABLE \(table) ADD COLUMN b varchar(5) DEFAULT 'x'")
        // The prepared statement's result changed: it is prepared again and run once more.
        let after = try await run(db, on: thread, select, [1])
        #expect(after.columns == ["a", "b"])
        #expect(after.rows.first?.values == [1, "x"])
        #expect(watched() == 1)
        await db.close()
    }

    @Test(.enabled(if: TestServices.isAvailable(.postgres)))
    func cancellingTheTaskCancelsTheWatchedStatement() async throws {
        let db = try await DriverTestEnvironment.postgres()
        let thread = PollingThread()
        defer { thread.stop() }
        let sleep = Backend.postgres.sleep
        _ = try await run(db, on: thread, sleep, [0, 0])
        try await Self.idle(db)
        let slow = await thread.start { try await db.execute(sleep, [1, 30]) }
        // Cancel once it was sent (a statement not yet started is not cancelled).
        for _ in 0..<200 where db.watchedStatements == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(db.watchedStatements == 1)
        try await Task.sleep(for: .milliseconds(200))
        let cancelled = ContinuousClock.now
        slow.cancel()
        await #expect(throws: CancellationError.self) { try await slow.value }
        #expect(ContinuousClock.now - cancelled < .seconds(15))
        #expect(try await run(db, on: thread, sleep, [2, 0]).rows.first?[0] == 2)
        await db.close()
    }
}
