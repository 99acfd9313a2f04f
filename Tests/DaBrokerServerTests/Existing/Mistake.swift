import DaBrokerCore
import OrderedCollections

/// One mistake a user can make against the fixture schema, and what each database must answer.
struct Mistake: Sendable, CustomStringConvertible {
    /// What the mistake is, for the report table.
    let description: String
    let table: String
    let method: String
    let named: OrderedDictionary<String, Value>
    /// For `delete`: the row's key value.
    let key: Value?
    /// The expected error per backend (`nil`: the mistake does not apply there).
    let expected: [ExistingBackend: Expected]

    struct Expected: Sendable {
        var kind: BrokerError.Kind
        var column: String?
        var constraint: String?
        var allowed: String?
    }

    init(
        _ description: String, _ table: String, _ method: String, _ named: OrderedDictionary<String, Value> = [:],
        key: Value? = nil, _ expected: [ExistingBackend: Expected]
    ) {
        self.description = description
        self.table = table
        self.method = method
        self.named = named
        self.key = key
        self.expected = expected
    }

    /// The same expectation on every backend.
    static func all(_ e: Expected) -> [ExistingBackend: Expected] {
        [.sqlite: e, .postgres: e, .mariadb: e]
    }

    /// A new item with the required values and `extra`.
    static func newItem(_ extra: OrderedDictionary<String, Value>) -> OrderedDictionary<String, Value> {
        var v: OrderedDictionary<String, Value> = ["id": 20, "code": "N-1", "title": "t"]
        for (k, x) in extra { v[k] = x }
        return v
    }

    /// The mistakes of the conformance suite.
    static let catalogue: [Mistake] = [
        Mistake(
            "new without a required value", "item", "new", ["id": 20, "code": "N-1"],
            all(.init(kind: .notNull, column: "title"))),
        Mistake(
            "new with a duplicate unique value", "item", "new", newItem(["code": "A-10"]),
            [
                .sqlite: .init(kind: .unique, column: "code"),
                .postgres: .init(kind: .unique, column: "code", constraint: "item_code_key"),
                .mariadb: .init(kind: .unique, column: "code", constraint: "item_code_key"),
            ]),
        Mistake(
            "delete of a row other rows refer to", "category", "delete", key: 2,
            [
                .sqlite: .init(kind: .referenced),
                .postgres: .init(kind: .referenced, constraint: "item_category_fk"),
                .mariadb: .init(kind: .referenced, constraint: "item_category_fk"),
            ]),
        Mistake(
            "new breaking a CHECK constraint", "item", "new", newItem(["qty": -1]),
            all(.init(kind: .check, constraint: "item_qty_nonneg"))),
        Mistake(
            "new breaking a domain's (or column's) check", "item", "new", newItem(["price": .decimal("-1")]),
            [
                .sqlite: .init(kind: .check, constraint: "item_price_positive"),
                .postgres: .init(kind: .check, column: "price", constraint: "positive_price_check"),
                .mariadb: .init(kind: .check, constraint: "item_price_positive"),
            ]),
        Mistake(
            "'10xyz' for an integer column", "item", "new", newItem(["qty": "10xyz"]),
            all(.init(kind: .invalidValue, column: "qty"))),
        Mistake(
            "'XXX' for an enum column (SQLite: CHECK (mood IN (…)))", "item", "new", newItem(["mood": "XXX"]),
            all(.init(kind: .invalidValue, column: "mood", allowed: "happy,sad,ok"))),
        Mistake(
            "99999 for a smallint column", "item", "new", newItem(["qty": 99999]),
            [
                .postgres: .init(kind: .outOfRange, column: "qty"),
                .mariadb: .init(kind: .outOfRange, column: "qty"),
            ]),
        Mistake(
            "a malformed date", "item", "new", newItem(["made": "2024-13-45"]),
            all(.init(kind: .invalidValue, column: "made"))),
        Mistake(
            "a malformed uuid", "item", "new", newItem(["ref_uuid": "not-a-uuid"]),
            all(.init(kind: .invalidValue, column: "ref_uuid"))),
        Mistake(
            "malformed JSON", "item", "new", newItem(["attrs": "{bad"]),
            all(.init(kind: .invalidValue, column: "attrs"))),
        Mistake(
            "a value for a generated column", "item", "new", newItem(["doubled": 4]),
            all(.init(kind: .notWritable, column: "doubled"))),
        Mistake(
            "a value for an identity ALWAYS column", "serial_no", "new", ["id": 5, "label": "x"],
            [.postgres: .init(kind: .notWritable, column: "id")]),
        Mistake(
            "a row outside every partition", "measurement", "new",
            ["id": 3, "taken": "2030-01-01", "category_id": 1, "reading": 1],
            [.postgres: .init(kind: .noPartition), .mariadb: .init(kind: .noPartition)]),
        Mistake(
            "search with '10xyz' for an integer", "item", "_dab_search", ["id": "10xyz"],
            all(.init(kind: .invalidValue, column: "id"))),
        Mistake(
            "count with '10xyz' for an integer", "item", "_dab_count", ["id": "10xyz"],
            all(.init(kind: .invalidValue, column: "id"))),
    ]
}
