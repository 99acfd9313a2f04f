import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

/// Every mapped MariaDB type, both directions: stored through a parameter in a column of the
/// type, read back, and found again with the value as a WHERE parameter.
@Suite(.serialized, .enabled(if: TestServices.isAvailable(.mysql)))
struct MariaDBRoundTripTests {
    static let cases: [RoundTripCase] = [
        .init("tinyint", .int(-128)), .init("tinyint", .int(127)), .init("tinyint unsigned", .int(255)),
        .init("smallint", .int(-32768)), .init("smallint unsigned", .int(65535)),
        .init("mediumint", .int(-8_388_608)), .init("mediumint unsigned", .int(16_777_215)),
        .init("int", .int(Int64(Int32.min))), .init("int", .int(Int64(Int32.max))),
        .init("int unsigned", .int(4_294_967_295)),
        .init("bigint", .int(Int64.min)), .init("bigint", .int(Int64.max)),
        .init("bigint unsigned", .int(5)), .init("bigint unsigned", .decimal("18446744073709551615")),
        .init("decimal(38,3)", .decimal("12345678901234567890.123")), .init("decimal(38,3)", .decimal("-0.001")),
        .init("decimal(10,2)", .decimal("12.5"), .decimal("12.50")),
        .init("decimal(65,30)", .decimal("0.000000000000000000000000000001")),
        .init("float", .double(0.1)), .init("float", .double(-3.40282e38)),
        .init("double", .double(0.1)), .init("double", .double(-1.7976931348623157e308)),
        .init("double", .double(2.2250738585072014e-308)),
        .init("bit(1)", .int(1)), .init("bit(8)", .int(255)), .init("bit(64)", .int(Int64.max)),
        .init("char(5)", "ab"), .init("varchar(50)", TV.unicode), .init("text", TV.unicode), .init("text", ""),
        .init("longtext", .string(String(repeating: "ü", count: 100_000))),
        .init("binary(4)", .bytes([0, 1, 2, 255])), .init("varbinary(10)", .bytes([])),
        .init("mediumblob", .bytes(Array(repeating: 0xAB, count: 70_000))), .init("tinyblob", .bytes([0, 0, 1])),
        .init("longblob", .bytes((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })),
        .init("date", TV.date(2024, 2, 29)), .init("date", TV.date(1000, 1, 1)), .init("date", TV.date(9999, 12, 31)),
        .init("time(6)", TV.time(0, 0, 0)), .init("time(6)", TV.time(23, 59, 59, 999_999)),
        .init("time", TV.time(838, 59, 59)), .init("time", .time(TimeValue(hour: -1, minute: -30, second: 0))),
        .init("datetime(6)", TV.ts(2024, 2, 29, 13, 14, 15, 123_456)), .init("datetime", TV.ts(1000, 1, 1, 0, 0, 0)),
        .init("datetime(6)", TV.ts(9999, 12, 31, 23, 59, 59, 999_999)),
        .init("timestamp(6)", TV.ts(2024, 7, 1, 12, 0, 0, 5, offset: 0)),
        .init("timestamp(6)", TV.ts(1970, 1, 1, 0, 0, 1, offset: 0)),
        .init("timestamp(6)", TV.ts(2038, 1, 19, 3, 14, 7, 999_999, offset: 0)),
        .init(
            "timestamp(6)", TV.ts(2024, 7, 1, 12, 0, 0, 5, offset: 7200),
            TV.withOffset(TV.ts(2024, 7, 1, 12, 0, 0, 5, offset: 7200), 0)),
        .init(
            "datetime", TV.ts(2024, 7, 1, 14, 0, 0, offset: 7200),
            TV.withOffset(TV.ts(2024, 7, 1, 14, 0, 0, offset: 7200), nil)),
        .init("timestamp", TV.ts(2024, 7, 1, 12, 0, 0), TV.withOffset(TV.ts(2024, 7, 1, 12, 0, 0), 0)),
        .init("year", .int(1901)), .init("year", .int(2155)),
        .init("json", .json("{\"a\": [1, 2.50], \"b\": \"✓\"}")),
        .init("enum('sad','ok','happy ✓')", "happy ✓"),
        .init("set('a','b','c')", "a,c"),
        .init("uuid", TV.uuid),
    ]

    @Test("stored in a column, read back, found by value", arguments: cases)
    func column(_ c: RoundTripCase) async throws {
        let db = try await DriverTestEnvironment.mariadb()
        _ = try await db.execute("CREATE TEMPORARY TABLE drv_my_rt (id int PRIMARY KEY, v \(c.sqlType))")
        let ins = try await db.execute("INSERT INTO drv_my_rt VALUES (?, ?), (?, ?)", [1, c.value, 2, nil])
        #expect(ins.affectedRows == 2)
        let r = try await db.execute("SELECT v FROM drv_my_rt ORDER BY id")
        #expect(r.rows.map { $0[0] } == [c.expected, .null])
        if !["float", "json"].contains(c.sqlType) {
            let found = try await db.execute("SELECT id FROM drv_my_rt WHERE v = ?", [c.value])
            #expect(found.rows.map { $0[0] } == [1])
        }
        await db.close()
    }

    static let echoes: [RoundTripCase] = [
        .init("int", .int(Int64.min)), .init("double", .double(0.1)),
        .init("decimal", .decimal("12345678901234567890.123")), .init("string", TV.unicode),
        .init("bytes", .bytes([0, 255])), .init("date", TV.date(2024, 2, 29)),
        .init("time", TV.time(12, 34, 56, 789)), .init("datetime", TV.ts(2024, 2, 29, 13, 14, 15, 123_456)),
        .init("bool", .bool(true), .int(1)),
    ]

    @Test("parameter in, value out", arguments: echoes)
    func parameter(_ c: RoundTripCase) async throws {
        let db = try await DriverTestEnvironment.mariadb()
        let r = try await db.execute("SELECT ? AS v, ? AS n", [c.value, .null])
        #expect(r.rows.first?["v"] == c.expected)
        #expect(r.rows.first?["n"] == .null)
        await db.close()
    }

    @Test func zeroDatesReadAsNull() async throws {
        let db = try await DriverTestEnvironment.mariadb()
        _ = try await db.execute("SET SESSION sql_mode = ''")
        _ = try await db.execute("CREATE TEMPORARY TABLE drv_my_zero (d date, t datetime)")
        _ = try await db.execute("INSERT INTO drv_my_zero VALUES ('0000-00-00', '0000-00-00 00:00:00')")
        let r = try await db.execute("SELECT d, t FROM drv_my_zero")
        #expect(r.rows.first?.values == [.null, .null])
        await db.close()
    }

    @Test func unsignedBigintBeyondInt64IsAnExactDecimal() async throws {
        let db = try await DriverTestEnvironment.mariadb()
        let r = try await db.execute("SELECT CAST(18446744073709551615 AS UNSIGNED) AS u, CAST(7 AS UNSIGNED) AS s")
        #expect(r.rows.first?.values == [.decimal("18446744073709551615"), .int(7)])
        await db.close()
    }
}
