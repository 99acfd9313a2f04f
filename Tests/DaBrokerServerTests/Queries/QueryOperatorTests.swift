import DaBrokerCore
import DaBrokerSQL
import OrderedCollections
import Testing

@testable import DaBrokerServer

/// Issue 19: every operator of `_where` on every column type, the same answers on PostgreSQL,
/// MariaDB and SQLite; OR-groups; refs; checked values and errors that name no value.
@Suite("Queries: operators × column types on the three databases")
struct QueryOperatorTests {
    /// (column, operator, value, expected ids in key order); a nil value means no operand.
    typealias Case = (String, String, Value?, [Int64])

    static let common: [Case] = [
        // int (person 2 has NULL)
        ("grade", "=", 3, [1, 4]), ("grade", "!=", 3, [3, 5]), ("grade", "<", 3, [3, 5]),
        ("grade", "<=", 2, [3, 5]), ("grade", ">", 1, [1, 4, 5]), ("grade", ">=", 3, [1, 4]),
        ("grade", "in", [1, 2, 99], [3, 5]), ("grade", "in", [], []), ("grade", "in", [3, .null], [1, 2, 4]),
        ("grade", "null", nil, [2]), ("grade", "not_null", nil, [1, 3, 4, 5]), ("grade", "=", .null, [2]),
        ("grade", "!=", .null, [1, 3, 4, 5]), ("grade", "=", "3", [1, 4]),
        // decimal
        ("score", ">", .decimal("2.25"), [1]), ("score", ">=", "2.25", [1, 2]), ("score", "<", 0, [4]),
        ("score", "=", .decimal("10.5"), [1]), ("score", "in", [.decimal("0"), .decimal("-3")], [4, 5]),
        ("score", "null", nil, [3]),
        // text, non-ASCII included; LIKE escapes
        ("name", "=", "Émile", [2]), ("name", "!=", "Ada", [2, 3, 4]), ("name", "<=", "Ada", [1]),
        ("name", "like", "A%", [1]), ("name", "ilike", "a%", [1, 3]), ("name", "like", #"%\%"#, [3]),
        ("name", "like", "_mile", [2]), ("name", "like", "Bob\\_b", [4]), ("name", "like", "Bob%_", [4]),
        ("name", "prefix", "Bob_", [4]), ("name", "contains", "_", [4]), ("name", "contains", "100%", [3]),
        ("name", "prefix", "Émi", [2]), ("name", "icontains", "LOVE", [3]), ("name", "iprefix", "BOB", [4]),
        ("name", "contains", "%", [3]), ("name", "prefix", "ada", [3]), ("name", "in", ["Ada", "Émile"], [1, 2]),
        ("name", "null", nil, [5]),
        // date
        ("born", ">", "1900-05-01", [4, 5]), ("born", "<=", .date(DateValue(year: 1900, month: 5, day: 1)), [1, 2]),
        ("born", "=", "2000-02-29", [5]), ("born", "null", nil, [3]),
        // timestamp
        ("seen", ">=", "2020-01-01 10:00:00", [1, 2, 5]), ("seen", "<", "2020-01-01 00:00:00", [4]),
        ("seen", "=", "2021-06-01 12:30:00", [2]),
        // bool
        ("active", "=", true, [1, 4]), ("active", "!=", true, [2, 5]), ("active", "null", nil, [3]),
        // uuid
        ("uid", "=", "22222222-2222-2222-2222-222222222222", [2]),
        ("uid", "in", ["11111111-1111-1111-1111-111111111111", "44444444-4444-4444-4444-444444444444"], [1, 5]),
        ("uid", "<", "33333333-3333-3333-3333-333333333333", [1, 2]), ("uid", "not_null", nil, [1, 2, 4, 5]),
        // enum
        ("mood", "=", "ok", [4, 5]), ("mood", "in", ["sad", "happy"], [1, 2]), ("mood", "!=", "ok", [1, 2]),
        ("mood", "like", "h%", [1]), ("mood", "null", nil, [3]),
    ]

    static let postgresOnly: [Case] = [
        ("tags", "=", ["a", "b"], [1]), ("tags", "=", .list([]), [4]), ("tags", "null", nil, [3]),
        ("tags", "!=", ["b"], [1, 4, 5]),
        // ILIKE folds non-ASCII case on PostgreSQL (and MariaDB; SQLite's LOWER is ASCII-only).
        ("name", "ilike", "émile", [2]),
    ]

    @Test(arguments: QueryFixture.kinds)
    func everyOperatorOnEveryType(_ kind: DatabaseKind) async throws {
        let f = try await QueryFixture.make(kind)
        defer { Task { await f.close() } }
        for (column, op, value, expected) in Self.common + (kind == .postgres ? Self.postgresOnly : []) {
            let condition: Value = .list([.string(column), .string(op)] + (value.map { [$0] } ?? []))
            let got = try await f.ids("person", ["_where": [condition]])
            #expect(got == expected, "\(kind) \(column) \(op) \(String(describing: value))")
            // count agrees with find
            let n = try await f.client.call(
                "_dab_count", target: try await f.table("person"), named: ["_where": [condition]])
            #expect(n == .int(Int64(expected.count)), "\(kind) count \(column) \(op)")
        }
    }

    @Test(arguments: QueryFixture.kinds)
    func orGroupsRefsAndEqualityFilters(_ kind: DatabaseKind) async throws {
        let f = try await QueryFixture.make(kind)
        defer { Task { await f.close() } }
        let or: Value = .dict(["_or": [[["grade", "=", 1]], [["mood", "=", "happy"], ["active", "=", true]]]])
        #expect(try await f.ids("person", ["_where": [or]]) == [1, 3])
        let inner: Value = .dict(["_or": [[["id", "=", 1]], [["id", "=", 2]]]])
        let nested: Value = .dict(["_or": [[inner], [["name", "null"]]]])
        #expect(try await f.ids("person", ["_where": [nested]]) == [1, 2, 5])
        #expect(try await f.ids("person", ["_where": [.dict(["_or": []])]]) == [])
        // Plain equality filters are ANDed with _where.
        #expect(try await f.ids("person", ["active": true, "_where": [["grade", ">=", 3]]]) == [1, 4])
        // Refs: =, !=, in, null, not_null.
        let one = Value.ref(f.rowRef("person", 1))
        let two = Value.ref(f.rowRef("person", 2))
        let owner = try #require(
            try await f.client.call("get", args: [.ref(f.rowRef("pet", 1))]).object?.refs.keys.first {
                $0 != "_meta"
            })
        #expect(try await f.ids("pet", ["_where": [[.string(owner), "=", one]]]) == [1, 2])
        #expect(try await f.ids("pet", ["_where": [[.string(owner), "!=", one]]]) == [3])
        #expect(try await f.ids("pet", ["_where": [[.string(owner), "in", [one, two]]]]) == [1, 2, 3])
        #expect(try await f.ids("pet", ["_where": [[.string(owner), "null"]]]) == [4])
        #expect(try await f.ids("pet", ["_where": [[.string(owner), "not_null"]]]) == [1, 2, 3])
        // The original _dab_search with plain filters is unchanged.
        #expect(try await f.ids("person", ["mood": "ok"]) == [4, 5])
    }

    @Test(arguments: QueryFixture.kinds)
    func badConditionsNameTheColumnNeverTheValue(_ kind: DatabaseKind) async throws {
        let f = try await QueryFixture.make(kind)
        defer { Task { await f.close() } }
        let person = try await f.table("person")
        func failure(_ w: Value) async throws -> BrokerError {
            try #require(try await f.client.failure("_dab_search", target: person, named: ["_where": w]))
        }
        let badInt = try await failure([["grade", "<", "zzsecretzz"]])
        #expect(badInt.kind == .invalidValue)
        #expect(badInt.message.contains("grade") && badInt.message.contains("integer"))
        #expect(!badInt.message.contains("zzsecretzz"))
        let badEnum = try await failure([["mood", "=", "angry-zz"]])
        #expect(badEnum.kind == .invalidValue && !badEnum.message.contains("angry-zz"))
        // A hidden column is refused exactly like an unknown one.
        let hidden = try await failure([["secret", "=", "s1"]])
        let unknown = try await failure([["nosuch", "=", "s1"]])
        #expect(hidden.kind == .badRequest)
        #expect(hidden.message == unknown.message.replacingOccurrences(of: "nosuch", with: "secret"))
        #expect(try await f.client.failure("_dab_search", target: person, named: ["secret": "s1"])?.kind == .badRequest)
        for w: Value in [
            [["name", "like", #"abc\"#]], [["grade", "like", "1%"]], [["grade", "between", 1]], [["grade", "<"]],
            [["grade", "<", .null]], [["grade", "null", 1]], "grade", [.dict(["_or": "x"])], [["grade", "in", 1]],
        ] {
            let e = try await failure(w)
            #expect(e.kind == .badRequest, "\(kind) \(w)")
        }
        let order = try #require(
            try await f.client.failure("_dab_search", target: person, named: ["_order": ["secret"]]))
        #expect(order.kind == .badRequest && order.message.contains("order by"))
    }
}
