import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// PostgreSQL-specific driver behaviour: the statement cache and parameter typing.
@Suite(.enabled(if: TestServices.isAvailable(.postgres)))
struct PostgresDriverTests {
    @Test func theURLGoesToLibpqUnchanged() async throws {
        let base = try TestServices.url(for: .postgres)
        let sep = base.contains("?") ? "&" : "?"
        let url = "postgresql" + base.drop { $0 != ":" } + sep + "application_name=drv_app&options=-c%20work_mem%3D7MB"
        let db = try await PostgresConnection.connect(url: url)
        let r = try await db.execute(
            "SELECT current_setting('application_name') AS app, current_setting('work_mem') AS wm,"
                + " current_setting('client_encoding') AS enc")
        #expect(r.rows.first?.values == ["drv_app", "7MB", "UTF8"])
        await db.close()
        await #expect { try await PostgresConnection.connect(url: base + sep + "sslmode=bogus") } throws: {
            let e = $0 as? DatabaseError
            return e?.kind == .connection && e?.message.contains("sslmode") == true
        }
    }

    @Test func statementCacheIsBoundedAndDeallocatesEvictedStatements() async throws {
        let db = try await DriverTestEnvironment.postgres()
        for i in 0..<200 {
            let r = try await db.execute("SELECT \(i) AS n, $1::int AS p", [.int(Int64(i))])
            #expect(r.rows.first?.values == [.int(Int64(i)), .int(Int64(i))])
        }
        let prepared = try await db.execute("SELECT count(*) FROM pg_prepared_statements")
        let count = try #require(prepared.rows.first?[0])
        #expect(count == .int(128) || count == .int(129))
        await db.close()
    }

    @Test func bytesOnlyGoWhereByteaIsExpected() async throws {
        let db = try await DriverTestEnvironment.postgres()
        await #expect { try await db.execute("SELECT $1::text", [.bytes([1, 2])]) } throws: {
            let e = $0 as? DatabaseError
            return e?.kind == .parameter && e?.message.contains("$1") == true
        }
        await #expect { try await db.execute("SELECT $1::text", [.string("a\u{0}b")]) } throws: {
            ($0 as? DatabaseError)?.kind == .parameter
        }
        await #expect { try await db.execute("SELECT $1::text", [.dict([:])]) } throws: {
            ($0 as? DatabaseError)?.kind == .parameter
        }
        await db.close()
    }

    @Test func statementsOutsideTransactionsRecoverFromDiscardAll() async throws {
        let db = try await DriverTestEnvironment.postgres()
        #expect(try await db.execute("SELECT $1::int + 1 AS n", [1]).rows.first?[0] == .int(2))
        _ = try await db.execute("DEALLOCATE ALL")
        #expect(try await db.execute("SELECT $1::int + 1 AS n", [2]).rows.first?[0] == .int(3))
        await db.close()
    }

    @Test(arguments: ["COPY (SELECT 1) TO STDOUT", "COPY drv_copy FROM STDIN"])
    func copyIsRefusedAndTheConnectionStaysUsable(_ sql: String) async throws {
        let db = try await DriverTestEnvironment.postgres()
        _ = try await db.execute("CREATE TEMP TABLE drv_copy (a int)")
        await #expect { try await db.execute(sql) } throws: { ($0 as? DatabaseError)?.kind == .statement }
        #expect(try await db.execute("SELECT count(*) FROM drv_copy").rows.first?[0] == .int(0))
        #expect(await db.isHealthy())
        await db.close()
    }

    @Test func cancellingTheTaskCancelsTheRunningStatement() async throws {
        let db = try await DriverTestEnvironment.postgres()
        let watcher = try await DriverTestEnvironment.postgres()
        let sql = "SELECT pg_sleep(30) AS drv_cancel_\(UInt32.random(in: 0...UInt32.max))"
        let task = Task { try await db.execute(sql) }
        // Cancel once the statement runs: one not yet started is not refused (a cancelled task
        // must still be able to roll back), and on a loaded machine it may start late.
        var running = false
        for _ in 0..<300 where !running {
            let active = try await watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query = $1", [.string(sql)])
            running = active.rows.first?[0] == .int(1)
            if !running { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(running)
        await watcher.close()
        let cancelled = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - cancelled < .seconds(15))  // the cancel, not the 30 s sleep, ended it
        // The connection carries on, and later statements are not hit by the old cancel.
        #expect(try await db.execute("SELECT $1::int AS n", [7]).rows.first?[0] == .int(7))
        let quick = try await db.execute("SELECT 1 AS one FROM pg_sleep(0.2)")
        #expect(quick.rows.first?[0] == .int(1))
        await db.close()
    }

    @Test func aCancelledTaskCanStillRollBack() async throws {
        let db = try await DriverTestEnvironment.postgres()
        _ = try await db.execute("BEGIN")
        _ = try await db.execute("CREATE TEMP TABLE drv_cancel (a int)")
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            _ = try await db.execute("ROLLBACK")
        }
        try await task.value
        await #expect(throws: DatabaseError.self) { try await db.execute("SELECT * FROM drv_cancel") }
        await db.close()
    }

    @Test func infiniteTimestampsAreNamedErrors() async throws {
        let db = try await DriverTestEnvironment.postgres()
        await #expect { try await db.execute("SELECT 'infinity'::timestamp AS forever") } throws: {
            let e = $0 as? DatabaseError
            return e?.kind == .unmappedType && e?.column == "forever"
        }
        await db.close()
    }
}
