import DaBrokerCore
import DaBrokerSQL
import Testing

/// The pool: bounded size, acquisition timeout, reuse, statement timeout.
@Suite("Conformance: pool")
struct PoolConformanceTests {
    @Test(arguments: Conformance.backends)
    func exhaustedPoolIsUnavailableWithinTheTimeout(kind: DatabaseKind) async throws {
        let options = DatabaseOptions(maxConnections: 2, acquireTimeout: .milliseconds(500))
        try await Conformance.withDatabase(kind, options: options) { db in
            let a = try await db.pool.acquire()
            let b = try await db.pool.acquire()
            #expect(db.pool.open == 2)
            let start = ContinuousClock.now
            do {
                _ = try await db.execute("SELECT 1")
                Issue.record("an exhausted pool handed out a connection")
            } catch let e as DatabaseError {
                #expect(e.kind == .unavailable, "SQL throws its own errors, never the wire's")
                #expect(e.message.contains("0.5 seconds"))
            }
            let waited = ContinuousClock.now - start
            #expect(waited >= .milliseconds(450))
            // Only a guard against a hang: the timing itself is tested with a manual clock
            // (ConnectionPoolClockTests); a loaded machine may deschedule this task for seconds.
            #expect(waited < .seconds(30))
            // A waiter gets the connection released while it waits.
            async let later = db.execute("SELECT 1")
            try await Task.sleep(for: .milliseconds(50))
            db.pool.release(a)
            let got1 = try await later.rows.count
            #expect(got1 == 1)
            db.pool.release(b)
            #expect(db.pool.open == 2)
        }
    }

    @Test(arguments: Conformance.backends)
    func statementTimeoutCancelsALongStatement(kind: DatabaseKind) async throws {
        let slow =
            switch kind {
            case .postgres: "SELECT pg_sleep(5)"
            case .mysql: "SELECT SLEEP(5)"
            case .sqlite:
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                    + "SELECT count(*) FROM (SELECT x FROM c LIMIT 2000000000)"
            }
        let options = DatabaseOptions(statementTimeout: .milliseconds(300))
        try await Conformance.withDatabase(kind, options: options) { db in
            let start = ContinuousClock.now
            let result = try? await db.execute(slow)
            let waited = ContinuousClock.now - start
            // MariaDB's SLEEP returns 1 when interrupted instead of failing.
            if kind == .mysql, let result {
                #expect(result.rows.first?[0] == .int(1))
            } else {
                #expect(result == nil)
            }
            #expect(waited < .seconds(4))
            let got2 = try await db.execute("SELECT 1").rows.count
            #expect(got2 == 1)
        }
    }

    /// `withConnections(upTo:)` lends extra connections only when they are free right now,
    /// never waits for them, and gives them back.
    @Test(arguments: Conformance.backends)
    func extraConnectionsOnlyWhenFree(kind: DatabaseKind) async throws {
        let options = DatabaseOptions(maxConnections: 2, acquireTimeout: .seconds(5))
        try await Conformance.withDatabase(kind, options: options) { db in
            let both = try await db.withConnections(upTo: 3) { connections in
                (connections.count, Set(connections.map { ObjectIdentifier($0) }).count)
            }
            #expect(both == (2, 2))  // bounded by the pool's size, two distinct connections
            #expect(db.pool.idleCount == 2)

            let held = try await db.pool.acquire()
            let start = ContinuousClock.now
            let count = try await db.withConnections(upTo: 2) { $0.count }
            #expect(count == 1)
            #expect(ContinuousClock.now - start < .seconds(4))  // did not wait out the timeout
            db.pool.release(held)
            #expect(db.pool.idleCount == 2)
        }
    }
}
