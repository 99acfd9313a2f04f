import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// Errors, health, timeouts and lost connections, the same checks on both server drivers.
/// Skipped without both servers (and failing in CI, where `connect` throws `Missing`).
@Suite(.enabled(if: TestServices.isAvailable(.postgres) && TestServices.isAvailable(.mysql)))
struct DriverBehaviourTests {
    static let kinds: [DatabaseKind] = [.postgres, .mysql]

    static func connect(_ kind: DatabaseKind) async throws -> any DatabaseConnection {
        switch kind {
        case .postgres: try await DriverTestEnvironment.postgres()
        default: try await DriverTestEnvironment.mariadb()
        }
    }

    static func setTimeout(_ db: any DatabaseConnection, _ seconds: Double?) async throws {
        let configurable = try #require(db as? any StatementTimeoutConfigurable)
        try await configurable.setStatementTimeout(seconds)
    }

    @Test(arguments: kinds)
    func unmappedTypeNamesColumnAndType(_ kind: DatabaseKind) async throws {
        let db = try await Self.connect(kind)
        let table = kind == .postgres ? "drv_pg_unmapped" : "drv_my_unmapped"
        let type = kind == .postgres ? "point" : "geometry"
        _ = try await db.execute("CREATE TEMPORARY TABLE \(table) (id int, shape \(type))")
        let value = kind == .postgres ? "SELECT '(1,2)'::point" : "SELECT POINT(1, 2)"
        _ = try await db.execute(
            "INSERT INTO \(table) \(value.replacingOccurrences(of: "SELECT", with: "VALUES (1,")))")
        do {
            _ = try await db.execute("SELECT id, shape FROM \(table)")
            Issue.record("selecting a \(type) column must fail")
        } catch let e as DatabaseError {
            #expect(e.kind == .unmappedType)
            #expect(e.column == "shape")
            #expect(e.typeName == type)
            #expect(e.table == table)
            #expect(e.message.contains("\(table).shape"))
        }
        await db.close()
    }

    @Test(arguments: kinds)
    func statementErrorsAreClassified(_ kind: DatabaseKind) async throws {
        let db = try await Self.connect(kind)
        let p = db.dialect.placeholder
        await #expect { try await db.execute("SELEC 1") } throws: { ($0 as? DatabaseError)?.kind == .statement }
        await #expect { try await db.execute("SELECT \(p(0))", []) } throws: {
            ($0 as? DatabaseError)?.kind == .parameter
        }
        _ = try await db.execute("CREATE TEMPORARY TABLE drv_dup (id int PRIMARY KEY)")
        _ = try await db.execute("INSERT INTO drv_dup VALUES (\(p(0)))", [1])
        await #expect { try await db.execute("INSERT INTO drv_dup VALUES (\(p(0)))", [1]) } throws: {
            let e = $0 as? DatabaseError
            return e?.kind == .constraint && e?.sqlState?.hasPrefix("23") == true
        }
        // The connection is still usable after errors.
        let r = try await db.execute("SELECT count(*) AS n FROM drv_dup")
        #expect(r.rows.first?[0] == .int(1))
        #expect(await db.isHealthy())
        await db.close()
        #expect(await db.isHealthy() == false)
        await #expect { try await db.execute("SELECT 1") } throws: { ($0 as? DatabaseError)?.kind == .closed }
    }

    /// Values no database can hold are refused with an error naming the parameter, never a trap.
    @Test(arguments: kinds)
    func outOfRangeTemporalParametersAreErrors(_ kind: DatabaseKind) async throws {
        let db = try await Self.connect(kind)
        let p = db.dialect.placeholder(0)
        // PostgreSQL writes a timestamp's offset; MariaDB sends the UTC instant and ignores it.
        let pgOnly: [Value] = [.timestamp(TimestampValue(microsecondsSinceEpoch: 0, utcOffset: .max))]
        let myOnly: [Value] = [TV.time(1_000_000_000, 0, 0), TV.date(-5, 1, 1), TV.date(2024, 99, 1)]
        let bad =
            [.timestamp(TimestampValue(microsecondsSinceEpoch: .max, utcOffset: 3600))]
            + (kind == .postgres ? pgOnly : myOnly)
        let cast = kind == .postgres ? "\(p)::timestamptz" : p
        for value in bad {
            await #expect { try await db.execute("SELECT \(cast) AS v", [value]) } throws: {
                ($0 as? DatabaseError)?.kind == .parameter || ($0 as? DatabaseError)?.kind == .statement
            }
        }
        #expect(await db.isHealthy())
        await db.close()
    }

    @Test(arguments: kinds)
    func updatesReportMatchedRowsAndInsertsTheirKey(_ kind: DatabaseKind) async throws {
        let db = try await Self.connect(kind)
        let p = db.dialect.placeholder
        let key = kind == .postgres ? "id serial PRIMARY KEY" : "id int AUTO_INCREMENT PRIMARY KEY"
        _ = try await db.execute("CREATE TEMPORARY TABLE drv_rows (\(key), name varchar(20))")
        let ins = try await db.execute("INSERT INTO drv_rows (name) VALUES (\(p(0))), (\(p(1)))", ["a", "b"])
        #expect(ins.affectedRows == 2)
        if kind == .mysql { #expect(ins.lastInsertID == 1) }
        // Setting a row to the value it already has still counts it (CLIENT_FOUND_ROWS on MariaDB).
        let same = try await db.execute("UPDATE drv_rows SET name = \(p(0)) WHERE name = \(p(1))", ["a", "a"])
        #expect(same.affectedRows == 1)
        let none = try await db.execute("DELETE FROM drv_rows WHERE name = \(p(0))", ["zzz"])
        #expect(none.affectedRows == 0)
        await db.close()
    }

    @Test(arguments: kinds)
    func anAbortedTransactionLeavesTheConnectionHealthy(_ kind: DatabaseKind) async throws {
        let db = try await Self.connect(kind)
        _ = try await db.execute("START TRANSACTION")
        await #expect(throws: DatabaseError.self) { try await db.execute("SELECT * FROM drv_no_such_table") }
        #expect(await db.isHealthy())
        _ = try await db.execute("ROLLBACK")
        #expect(try await db.execute("SELECT 1 AS one").rows.first?[0] == .int(1))
        await db.close()
    }

    @Test(arguments: kinds)
    func statementTimeoutCancelsLongStatements(_ kind: DatabaseKind) async throws {
        let db = try await Self.connect(kind)
        let sleep = kind == .postgres ? "SELECT pg_sleep(30)" : "SELECT SLEEP(30)"
        try await Self.setTimeout(db, 0.2)
        let start = ContinuousClock.now
        await #expect { try await db.execute(sleep) } throws: { ($0 as? DatabaseError)?.kind == .timeout }
        // Well before the statement's own end: the timeout, not the sleep, ended it.
        #expect(ContinuousClock.now - start < .seconds(15))
        try await Self.setTimeout(db, nil)
        let quick = kind == .postgres ? "SELECT pg_sleep(0.3)" : "SELECT SLEEP(0.3)"
        _ = try await db.execute(quick)
        #expect(await db.isHealthy())
        await db.close()
    }

    @Test(arguments: kinds)
    func killedConnectionReportsConnectionLost(_ kind: DatabaseKind) async throws {
        let victim = try await Self.connect(kind)
        let killer = try await Self.connect(kind)
        let idSQL = kind == .postgres ? "SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()"
        let id = try #require(try await victim.execute(idSQL).rows.first?[0])
        if kind == .postgres {
            _ = try await killer.execute("SELECT pg_terminate_backend($1, 5000)", [id])
        } else {
            _ = try await killer.execute("KILL ?", [id])
        }
        try await Task.sleep(for: .milliseconds(100))
        do {
            _ = try await victim.execute("SELECT 1")
            Issue.record("a killed connection must fail")
        } catch let e as DatabaseError {
            #expect(e.isConnectionLost, "\(e)")
        }
        // And it stays lost, without hanging.
        await #expect { try await victim.execute("SELECT 1") } throws: {
            ($0 as? DatabaseError)?.isConnectionLost == true
        }
        #expect(await victim.isHealthy() == false)
        await victim.close()
        await killer.close()
    }

    @Test(arguments: kinds)
    func cachedStatementsSurviveSchemaChanges(_ kind: DatabaseKind) async throws {
        let db = try await Self.connect(kind)
        _ = try await db.execute("CREATE TEMPORARY TABLE drv_schema (a int)")
        _ = try await db.execute("INSERT INTO drv_schema VALUES (1)")
        #expect(try await db.execute("SELECT * FROM drv_schema").columns == ["a"])
        _ = try await db.execute("ALTER TABLE drv_schema ADD COLUMN b int")
        let r = try await db.execute("SELECT * FROM drv_schema")
        #expect(r.columns == ["a", "b"])
        #expect(r.rows.first?.values == [1, nil])
        await db.close()
    }

    /// Calls from many tasks at once on one connection run one after another on its thread and
    /// each gets its own result.
    @Test(arguments: kinds)
    func concurrentCallsOnOneConnectionAreSerialised(_ kind: DatabaseKind) async throws {
        let db = try await Self.connect(kind)
        let sql = kind == .postgres ? "SELECT $1::bigint * 2 AS v" : "SELECT ? * 2 AS v"
        let results = try await withThrowingTaskGroup(of: (Int64, Value?).self) { group in
            for i in Int64(0)..<64 {
                group.addTask { (i, try await db.execute(sql, [.int(i)]).rows.first?[0]) }
            }
            var all: [(Int64, Value?)] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 64)
        for (i, v) in results { #expect(v == .int(i * 2)) }
        await db.close()
    }

    /// Slow statements on several connections at once must not occupy Swift's cooperative
    /// threads (there are as many as cores): while more sleeping statements than twice the
    /// cores run, a task on the cooperative pool still gets to run. Were the statements blocking
    /// the pool's threads, that task could only run after one of them finished.
    @Test(arguments: kinds)
    func blockingCallsStayOffTheCooperativePool(_ kind: DatabaseKind) async throws {
        let count = min(24, ProcessInfo.processInfo.activeProcessorCount * 2 + 2)
        var conns: [any DatabaseConnection] = []
        for _ in 0..<count {
            conns.append(try await Self.connect(kind))
        }
        let sleep = kind == .postgres ? "SELECT 1 AS one FROM pg_sleep(2)" : "SELECT 1 + SLEEP(2) AS one"
        let order = EventOrder()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in conns {
                group.addTask {
                    _ = try await c.execute(sleep)
                    await order.record("statement")
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(100))
                await order.record("probe")
            }
            try await group.waitForAll()
        }
        #expect(await order.events.first == "probe", "the cooperative pool stayed free while statements slept")
        for c in conns { await c.close() }
    }
}

/// The order in which concurrent events happened.
private actor EventOrder {
    var events: [String] = []
    func record(_ event: String) { events.append(event) }
}
