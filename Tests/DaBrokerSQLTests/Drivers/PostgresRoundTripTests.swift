import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// Every mapped PostgreSQL type, both directions: as a parameter cast to the type, and stored
/// in and read back from a table column.
@Suite(.serialized, .enabled(if: TestServices.isAvailable(.postgres)))
struct PostgresRoundTripTests {
    static let cases: [RoundTripCase] = [
        .init("smallint", .int(-32768)), .init("smallint", .int(32767)),
        .init("integer", .int(Int64(Int32.min))), .init("integer", .int(Int64(Int32.max))),
        .init("bigint", .int(Int64.min)), .init("bigint", .int(Int64.max)), .init("bigint", .int(0)),
        .init("numeric", .decimal("12345678901234567890.123")), .init("numeric", .decimal("-0.00001")),
        .init("numeric", .decimal("0")), .init("numeric(12,2)", .decimal("12.5"), .decimal("12.50")),
        .init("numeric", .decimal("-99999999999999999999999999999999999999.000000000000000000001")),
        .init("numeric", .decimal("100000000")), .init("numeric", .decimal("NaN")),
        .init("real", .double(0.1)), .init("real", .double(-3.4028235e38)),
        .init("double precision", .double(0.1)), .init("double precision", .double(-1.7976931348623157e308)),
        .init("double precision", .double(5e-324)), .init("double precision", .double(.infinity)),
        .init("boolean", .bool(true)), .init("boolean", .bool(false)),
        .init("text", ""), .init("text", TV.unicode), .init("text", .string(String(repeating: "x", count: 100_000))),
        .init("varchar(20)", TV.unicode), .init("char(5)", "ab", "ab   "),
        .init("bytea", .bytes([])), .init("bytea", .bytes([0, 1, 127, 128, 255])),
        .init("date", TV.date(2024, 2, 29)), .init("date", TV.date(1, 1, 1)), .init("date", TV.date(9999, 12, 31)),
        .init("date", TV.date(0, 6, 15)), .init("date", TV.date(1900, 3, 1)),
        .init("time", TV.time(0, 0, 0)), .init("time", TV.time(23, 59, 59, 999_999)),
        .init("timetz", TV.time(12, 34, 56, 789_000, offset: 19_800)),
        .init("timetz", TV.time(1, 2, 3, offset: -28_800)),
        .init("timestamp", TV.ts(1970, 1, 1, 0, 0, 0)), .init("timestamp", TV.ts(2024, 2, 29, 13, 14, 15, 123_456)),
        .init("timestamp", TV.ts(1900, 1, 1, 0, 0, 0, 1)), .init("timestamp", TV.ts(9999, 12, 31, 23, 59, 59, 999_999)),
        .init("timestamptz", TV.ts(2024, 7, 1, 12, 0, 0, 5, offset: 0)),
        .init(
            "timestamptz", TV.ts(2024, 7, 1, 12, 0, 0, 5, offset: 7200),
            TV.withOffset(TV.ts(2024, 7, 1, 12, 0, 0, 5, offset: 7200), 0)),
        .init("interval", .interval(IntervalValue(months: 14, days: -3, microseconds: 123_456_789))),
        .init("interval", .interval(IntervalValue(months: -1, days: 0, microseconds: -1))),
        .init("interval", .interval(IntervalValue(months: 0, days: 0, microseconds: 9_000_000_000_000_000))),
        .init("uuid", TV.uuid),
        .init("json", .json("{\"a\": [1, 2.50], \"b\": \"✓\"}")),
        .init("jsonb", .json("{\"b\":1,\"a\":[true,null]}"), .json("{\"a\": [true, null], \"b\": 1}")),
        .init("integer[]", [1, nil, 3]), .init("integer[]", []),
        .init("integer[]", [[1, 2], [3, 4]]),
        .init("bigint[]", [.int(Int64.min), .int(Int64.max)]),
        .init("text[]", ["a", "b c", "quote\"d", "back\\slash", nil, "", "NULL", "{}", TV.unicode]),
        .init("numeric[]", [.decimal("12345678901234567890.123"), .decimal("-1.5")]),
        .init("boolean[]", [true, false]),
        .init("double precision[]", [.double(0.1), .double(-2.5e300)]),
        .init("date[]", [TV.date(2024, 2, 29), TV.date(0, 1, 1)]),
        .init("timestamp[]", [TV.ts(2024, 2, 29, 13, 14, 15, 123_456)]),
        .init("timestamptz[]", [TV.ts(2024, 2, 29, 13, 14, 15, 123_456, offset: 0)]),
        .init("time[]", [TV.time(1, 2, 3, 4)]),
        .init("interval[]", [.interval(IntervalValue(months: 1, days: 2, microseconds: -3_000_001))]),
        .init("uuid[]", [TV.uuid]),
        .init("bytea[]", [.bytes([0, 255]), nil]),
        .init("jsonb[]", [.json("{\"a\": 1}")]),
    ]

    @Test("parameter in, value out", arguments: cases)
    func parameter(_ c: RoundTripCase) async throws {
        let db = try await DriverTestEnvironment.postgres()
        defer { Task { await db.close() } }
        let r = try await db.execute("SELECT $1::\(c.sqlType) AS v, $2::\(c.sqlType) AS n", [c.value, .null])
        #expect(r.rows.count == 1)
        #expect(r.rows.first?["v"] == c.expected)
        #expect(r.rows.first?["n"] == .null)
    }

    @Test("stored in a column, read back", arguments: cases)
    func column(_ c: RoundTripCase) async throws {
        let db = try await DriverTestEnvironment.postgres()
        defer { Task { await db.close() } }
        _ = try await db.execute("CREATE TEMP TABLE drv_pg_rt (id integer PRIMARY KEY, v \(c.sqlType))")
        let ins = try await db.execute("INSERT INTO drv_pg_rt VALUES ($1, $2), ($3, $4)", [1, c.value, 2, nil])
        #expect(ins.affectedRows == 2)
        let r = try await db.execute("SELECT v FROM drv_pg_rt ORDER BY id")
        #expect(r.rows.map { $0[0] } == [c.expected, .null])
        // The WHERE clause compares with the parameter on the server side.
        if c.sqlType != "json", !c.sqlType.hasSuffix("[]"), !c.sqlType.hasPrefix("double"), !c.sqlType.hasPrefix("real")
        {
            let found = try await db.execute("SELECT id FROM drv_pg_rt WHERE v = $1", [c.value])
            #expect(found.rows.map { $0[0] } == [1])
        }
    }

    @Test func enumsAndEnumArrays() async throws {
        let db = try await DriverTestEnvironment.postgres()
        defer { Task { await db.close() } }
        let type = DriverTestEnvironment.uniqueName("mood")
        _ = try await db.execute("CREATE TYPE \(type) AS ENUM ('sad', 'ok', 'happy ✓')")
        do {
            _ = try await db.execute("CREATE TEMP TABLE drv_pg_enum (m \(type), ms \(type)[])")
            _ = try await db.execute("INSERT INTO drv_pg_enum VALUES ($1, $2)", ["happy ✓", ["ok", nil, "sad"]])
            let r = try await db.execute("SELECT m, ms FROM drv_pg_enum WHERE m = $1", ["happy ✓"])
            #expect(r.rows.first?.values == ["happy ✓", ["ok", nil, "sad"]])
            await #expect(throws: DatabaseError.self) {
                try await db.execute("INSERT INTO drv_pg_enum (m) VALUES ($1)", ["unknown"])
            }
        } catch {
            _ = try? await db.execute("DROP TABLE IF EXISTS drv_pg_enum")
            _ = try? await db.execute("DROP TYPE \(type)")
            throw error
        }
        _ = try await db.execute("DROP TABLE drv_pg_enum")
        _ = try await db.execute("DROP TYPE \(type)")
    }

    @Test func domainsResolveToTheirBaseType() async throws {
        let db = try await DriverTestEnvironment.postgres()
        defer { Task { await db.close() } }
        let r = try await db.execute("SELECT $1::information_schema.cardinal_number AS n", [.int(42)])
        #expect(r.rows.first?["n"] == .int(42))
    }
}
