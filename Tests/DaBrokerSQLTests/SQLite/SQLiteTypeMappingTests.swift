import DaBrokerCore
import DaBrokerSQL
import Foundation
import Testing

/// SQLite storage classes and declared-type affinities, both directions (docs/types.md, "SQLite").
@Suite("SQLite type mapping")
struct SQLiteTypeMappingTests {
    private func withConnection(_ body: (SQLiteConnection) async throws -> Void) async throws {
        let conn = try await SQLiteConnection.connect(url: "sqlite::memory:")
        try await body(conn)
        await conn.close()
    }

    private static let columns: [(name: String, declared: String)] = [
        ("i", "INTEGER"), ("r", "REAL"), ("t", "TEXT"), ("b", "BLOB"), ("flag", "BOOLEAN"), ("d", "DATE"),
        ("tm", "TIME"), ("ts", "TIMESTAMP"), ("dt", "DATETIME"), ("money", "NUMERIC(10,2)"),
        ("exact", "DECIMAL TEXT"), ("u", "UUID"), ("j", "JSON"),
    ]

    @Test(
        arguments: [
            // (column, value)
            ("i", Value.int(.min)), ("i", .int(.max)), ("i", .int(0)), ("r", .double(-1.5e300)), ("r", .double(0.1)),
            ("t", .string("")), ("t", .string("Grüße, 世界 😀 'quoted' \"double\"")), ("t", .string("a\u{0}b")),
            ("b", .bytes([])), ("b", .bytes([0, 255, 1, 254])), ("flag", .bool(true)), ("flag", .bool(false)),
            ("d", .date(DateValue(year: 1, month: 1, day: 1))), ("d", .date(DateValue(year: 9999, month: 12, day: 31))),
            ("d", .date(DateValue(year: 2024, month: 2, day: 29))),
            ("tm", .time(TimeValue(hour: 23, minute: 59, second: 59, microsecond: 999_999))),
            ("tm", .time(TimeValue(hour: 0, minute: 0, second: 0))),
            ("ts", .timestamp(TimestampValue(microsecondsSinceEpoch: 1_700_000_000_123_456))),
            ("ts", .timestamp(TimestampValue(microsecondsSinceEpoch: -62_135_596_800_000_000))),
            ("dt", .timestamp(TimestampValue(microsecondsSinceEpoch: 1_700_000_000_000_000, utcOffset: 3600 + 1800))),
            ("money", .decimal("12.50")), ("money", .decimal("-99999999.99")), ("money", .decimal("0.00")),
            ("exact", .decimal("12345678901234567890.123")), ("exact", .decimal("-0.000000000000000000001")),
            ("u", .uuid(UUID(uuidString: "0E984725-C51C-4BF4-9960-E1C80E27ABA0")!)),
            ("j", .json(#"{"a":[1,2,{"b":null}]}"#)),
        ] as [(String, Value)])
    func roundTrips(column: String, value: Value) async throws {
        try await withConnection { conn in
            let ddl = Self.columns.map { "\($0.name) \($0.declared)" }.joined(separator: ", ")
            _ = try await conn.execute("CREATE TABLE conf_types (id INTEGER PRIMARY KEY, \(ddl))")
            _ = try await conn.execute("INSERT INTO conf_types (id, \(column)) VALUES (1, ?1)", [value])
            _ = try await conn.execute("INSERT INTO conf_types (id, \(column)) VALUES (2, ?1)", [.null])
            let r = try await conn.execute("SELECT \(column) FROM conf_types ORDER BY id")
            #expect(r.rows.map { $0[0] } == [value, .null])
            // The value also works as a parameter in a comparison.
            let hit = try await conn.execute("SELECT id FROM conf_types WHERE \(column) = ?1", [value])
            if case .double = value {} else { #expect(hit.rows.map { $0[0] } == [.int(1)]) }
        }
    }

    @Test func storageClassesOfExpressions() async throws {
        try await withConnection { conn in
            let r = try await conn.execute("SELECT 1, 2.5, 'x', x'00ff', NULL")
            #expect(r.rows.first?.values == [.int(1), .double(2.5), .string("x"), .bytes([0, 255]), .null])
            #expect(r.columns.count == 5)
        }
    }

    @Test func numericColumnsReadAsDecimalsToTheirScale() async throws {
        try await withConnection { conn in
            _ = try await conn.execute("CREATE TABLE conf_num (a NUMERIC(10,2), b NUMERIC, c DECIMAL(5))")
            _ = try await conn.execute(
                "INSERT INTO conf_num VALUES (?1, ?2, ?3)", [.int(3), .double(0.99), .decimal("7")])
            let r = try await conn.execute("SELECT a, b, c FROM conf_num")
            #expect(r.rows.first?.values == [.decimal("3.00"), .decimal("0.99"), .decimal("7")])
        }
    }

    @Test func isoTextWithOffsetsAndSeparators() async throws {
        try await withConnection { conn in
            _ = try await conn.execute("CREATE TABLE conf_ts (ts TIMESTAMP)")
            _ = try await conn.execute(
                "INSERT INTO conf_ts VALUES ('1970-01-01T01:00:00+01:00'), ('1970-01-01 00:00:01Z'), ('1970-01-02')")
            let r = try await conn.execute("SELECT ts FROM conf_ts")
            #expect(
                r.rows.map { $0[0] } == [
                    .timestamp(TimestampValue(microsecondsSinceEpoch: 0, utcOffset: 3600)),
                    .timestamp(TimestampValue(microsecondsSinceEpoch: 1_000_000, utcOffset: 0)),
                    .timestamp(TimestampValue(microsecondsSinceEpoch: 86_400_000_000)),
                ])
        }
    }

    @Test(arguments: [("DATE", "'yesterday'"), ("BOOLEAN", "7"), ("NUMERIC", "'12abc'"), ("UUID", "'nope'")])
    func unmappableValueIsReturnedRawAndListed(declared: String, literal: String) async throws {
        try await withConnection { conn in
            _ = try await conn.execute("CREATE TABLE conf_bad (id INTEGER PRIMARY KEY, col_x \(declared))")
            _ = try await conn.execute("INSERT INTO conf_bad VALUES (1, NULL), (2, \(literal))")
            // One bad value does not fail the result: it comes back raw, and is listed.
            let r = try await conn.execute("SELECT id, col_x FROM conf_bad ORDER BY id")
            #expect(r.rows.count == 2)
            #expect(r.rows[0][1] == .null)
            #expect(r.rows[1][1] != .null)
            #expect(r.undecoded == [UndecodedValue(row: 1, column: "col_x", table: "conf_bad", declaredType: declared)])
        }
    }

    @Test func unmappableParameterIsAnError() async throws {
        try await withConnection { conn in
            do {
                _ = try await conn.execute("SELECT ?1", [.interval(IntervalValue(days: 1))])
                Issue.record("bound an interval")
            } catch let e as DatabaseError {
                #expect(e.kind == .parameter)
                #expect(e.message.contains("parameter 1"))
            }
        }
    }

    @Test func constraintsAndForeignKeys() async throws {
        try await withConnection { conn in
            _ = try await conn.execute(
                "CREATE TABLE conf_p (id INTEGER PRIMARY KEY); CREATE TABLE conf_c (p INTEGER REFERENCES conf_p(id))")
            await #expect(throws: DatabaseError.self) {
                _ = try await conn.execute("INSERT INTO conf_c VALUES (?1)", [42])
            }
            _ = try await conn.execute("INSERT INTO conf_p VALUES (?1)", [1])
            do {
                _ = try await conn.execute("INSERT INTO conf_p VALUES (?1)", [1])
                Issue.record("duplicate key accepted")
            } catch let e as DatabaseError {
                #expect(e.kind == .constraint)
            }
            let r = try await conn.execute("INSERT INTO conf_c VALUES (?1)", [1])
            #expect(r.affectedRows == 1)
            #expect(r.lastInsertID == 1)
        }
    }

    @Test func urlForms() throws {
        #expect(SQLiteConnection.filename(fromURL: "sqlite::memory:") == ":memory:")
        #expect(SQLiteConnection.filename(fromURL: "sqlite:data/x.db") == "data/x.db")
        #expect(SQLiteConnection.filename(fromURL: "sqlite:///tmp/x.db") == "/tmp/x.db")
        #expect(SQLiteConnection.filename(fromURL: "file:x.db?mode=ro") == "file:x.db?mode=ro")
        #expect(SQLiteConnection.filename(fromURL: "postgres://x") == nil)
    }

    @Test func fileDatabasesUseWALAndAClosedConnectionThrows() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("conf_wal_\(UUID().uuidString).db")
            .path
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
        let conn = try await SQLiteConnection.connect(url: "sqlite://" + path)
        let got1 = try await conn.execute("PRAGMA journal_mode").rows.first?[0]
        #expect(got1 == .string("wal"))
        let got2 = try await conn.execute("PRAGMA foreign_keys").rows.first?[0]
        #expect(got2 == .int(1))
        #expect(await conn.isHealthy())
        await conn.close()
        #expect(await !conn.isHealthy())
        do {
            _ = try await conn.execute("SELECT 1")
            Issue.record("a closed connection ran a statement")
        } catch let e as DatabaseError {
            #expect(e.kind == .closed)
        }
    }
}
