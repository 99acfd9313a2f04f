import DaBrokerCore
import DaBrokerSQL
import Synchronization
import Testing

/// Which idle connection the pool lends.
@Suite("Connection pool: idle connections")
struct ConnectionPoolIdleTests {
    /// A connection that runs nothing and says whether its thread is busy.
    final class FlagConnection: DatabaseConnection {
        let busy = Atomic<Bool>(false)
        var dialect: any SQLDialect { SQLiteDialect() }
        var isBusy: Bool { busy.load(ordering: .relaxed) }
        func execute(_ sql: String, _ parameters: [Value]) async throws -> QueryResult {
            QueryResult(columns: [], rows: [], affectedRows: 0)
        }
        func isHealthy() async -> Bool { true }
        func close() async {}
    }

    static func pool() -> ConnectionPool {
        ConnectionPool(
            name: "flags", maxConnections: 3, acquireTimeout: .seconds(30), healthCheckAfterIdle: .seconds(3600),
            factory: { FlagConnection() })
    }

    /// The most recently returned connection first, unless its thread is busy: then the most
    /// recent one that is not; when all are busy, the most recent.
    @Test func anIdleConnectionWhoseThreadIsFreeComesFirst() async throws {
        let pool = Self.pool()
        let a = try await pool.acquire()
        let b = try await pool.acquire()
        let c = try await pool.acquire()
        for connection in [a, b, c] { pool.release(connection) }
        let first = try await pool.acquire()
        #expect(first === c)
        pool.release(first)
        (c as? FlagConnection)?.busy.store(true, ordering: .relaxed)
        let second = try await pool.acquire()
        #expect(second === b)
        (b as? FlagConnection)?.busy.store(true, ordering: .relaxed)
        (a as? FlagConnection)?.busy.store(true, ordering: .relaxed)
        let third = try await pool.acquire()
        #expect(third === c)
        pool.release(second)
        pool.release(third)
        await pool.close()
    }
}
