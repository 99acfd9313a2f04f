import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import OrderedCollections
import Testing

@testable import DaBrokerServer

/// Issue 15: a refusal of every class whose offending column is hidden names neither that
/// column nor its value, in the reply or in a log line at the default level, on each
/// database. (`ExistingConformanceTests/hiddenValuesReachNoReplyAndNoLogLine` covers Unique
/// and ForeignKey on insert with a hidden column; `HiddenLeakPropertyTests` the random reads
/// and writes around hidden columns.)
@Suite("Existing databases: refusals on hidden columns")
struct ExistingHiddenRefusalTests {
    /// Every hidden column is called `hush_…`; these are the hidden values a refusal could quote.
    static let hiddenValues = ["987654", "HID_TEXT_31", "100000"]

    /// Tables whose refusals concern a hidden column, per database.
    static func schema(_ backend: ExistingBackend) -> [String] {
        let text = backend == .mariadb ? "varchar(40)" : "text"
        let engine = backend == .mariadb ? " ENGINE=InnoDB" : ""
        var ddl = [
            "CREATE TABLE hn_parent (id integer PRIMARY KEY, name \(text) NOT NULL)\(engine)",
            """
            CREATE TABLE hn_child (id integer PRIMARY KEY, label \(text) NOT NULL,
                hush_parent_id integer NOT NULL DEFAULT 1,
                CONSTRAINT hn_child_parent_fk FOREIGN KEY (hush_parent_id) REFERENCES hn_parent (id))\(engine)
            """,
            "CREATE TABLE hn_pin (id integer PRIMARY KEY, label \(text) NOT NULL, hush_pin \(text) NOT NULL)\(engine)",
            """
            CREATE TABLE hn_level (id integer PRIMARY KEY, cap integer NOT NULL,
                hush_level integer NOT NULL DEFAULT 987654,
                CONSTRAINT hn_level_cap_check CHECK (hush_level <= cap))\(engine)
            """,
            "INSERT INTO hn_parent (id, name) VALUES (1, 'one'), (2, 'two')",
            "INSERT INTO hn_child (id, label) VALUES (1, 'a')",
        ]
        switch backend {
        case .postgres:
            ddl += [
                """
                CREATE TABLE hn_big (id integer PRIMARY KEY, cap integer NOT NULL,
                    hush_big smallint GENERATED ALWAYS AS (cap * 1000) STORED)
                """,
                """
                CREATE TABLE hn_num (id integer PRIMARY KEY, label text NOT NULL,
                    hush_num integer GENERATED ALWAYS AS (label::integer) STORED)
                """,
            ]
        case .mariadb:
            ddl += [
                """
                CREATE TABLE hn_big (id integer PRIMARY KEY, cap integer NOT NULL,
                    hush_big smallint GENERATED ALWAYS AS (cap * 1000) STORED) ENGINE=InnoDB
                """,
                """
                CREATE TABLE hn_num (id integer PRIMARY KEY, label varchar(40) NOT NULL,
                    hush_num date GENERATED ALWAYS AS (label) STORED) ENGINE=InnoDB
                """,
            ]
        case .sqlite:
            // No range errors in SQLite; a STRICT table refuses a default of the wrong type.
            ddl += [
                """
                CREATE TABLE hn_big (id INTEGER PRIMARY KEY, cap INTEGER NOT NULL,
                    hush_big INTEGER GENERATED ALWAYS AS (cap * 1000) STORED)
                """,
                """
                CREATE TABLE hn_num (id INTEGER PRIMARY KEY, label TEXT NOT NULL,
                    hush_num INTEGER DEFAULT 'HID_TEXT_31') STRICT
                """,
            ]
        }
        return ddl
    }

    static let models: [(table: String, hide: Set<String>)] = [
        ("hn_parent", []), ("hn_child", ["hush_parent_id"]), ("hn_pin", ["hush_pin"]),
        ("hn_level", ["hush_level"]), ("hn_big", ["hush_big"]), ("hn_num", ["hush_num"]),
    ]

    @Test(arguments: ExistingBackend.available)
    func refusalsOnHiddenColumnsNameNeither(_ backend: ExistingBackend) async throws {
        let f = try await ExistingFixture.make(backend, "hushed", extra: Self.schema(backend), extraModels: Self.models)
        do {
            var refusals: [(String, BrokerError)] = []
            func refuse(
                _ what: String, _ method: String, _ table: String, key: Value? = nil,
                _ named: OrderedDictionary<String, Value> = [:], expect kind: BrokerError.Kind
            ) async throws {
                let target = try await f.table(table)
                let args: [Value]? = key.map { [.ref(f.rowRef(table, $0))] }
                let e = try #require(
                    try await f.client.failure(method, target: target, args: args, named: named),
                    "\(backend) \(what): no error")
                #expect(e.kind == kind, "\(backend) \(what): \(e)")
                refusals.append((what, e))
                print("hidden-refusal | \(backend) | \(what) | \(e.kind.rawValue) | \(e.message) | \(e.details)")
            }
            let before = try await f.db.execute("SELECT count(*) FROM hn_child").rows

            try await refuse("NotNull", "new", "hn_pin", ["id": 1, "label": "x"], expect: .notNull)
            try await refuse("Check", "new", "hn_level", ["id": 1, "cap": 1], expect: .check)
            try await refuse("Referenced", "delete", "hn_parent", key: 1, expect: .referenced)
            // Deleting the default parent first makes a new child's hidden default refer to no row.
            _ = try await f.db.execute("DELETE FROM hn_child")
            _ = try await f.db.execute("DELETE FROM hn_parent WHERE id = 1")
            try await refuse("ForeignKey", "new", "hn_child", ["id": 3, "label": "c"], expect: .foreignKey)
            if backend != .sqlite {
                try await refuse("OutOfRange", "new", "hn_big", ["id": 1, "cap": 100], expect: .outOfRange)
                try await refuse("InvalidValue", "new", "hn_num", ["id": 1, "label": "soon"], expect: .invalidValue)
            } else {
                try await refuse("InvalidValue", "new", "hn_num", ["id": 1, "label": "x"], expect: .invalidValue)
            }
            #expect(before.count == 1)

            for (what, e) in refusals {
                #expect(!e.message.contains("hush_"), "\(backend) \(what): \(e.message)")
                #expect(!e.details.values.contains { $0.contains("hush_") }, "\(backend) \(what): \(e.details)")
                #expect(e.details["column"] == nil, "\(backend) \(what): no exported column is at fault")
                // Where the database names the column, the reply says "a hidden column"; a check
                // or a referenced row is named by its constraint; PostgreSQL's range and syntax
                // errors and SQLite's foreign-key errors name no column at all.
                let named: Bool
                switch e.kind {
                case .check, .referenced: named = false
                case .foreignKey: named = backend != .sqlite
                case .outOfRange, .invalidValue: named = backend != .postgres
                default: named = true
                }
                #expect((e.details["hidden"] == "true") == named, "\(backend) \(what): \(e.details)")
                #expect(e.message.contains("a hidden column") == named, "\(backend) \(what): \(e.message)")
            }
            for reply in f.replies {
                for secret in Self.hiddenValues + ExistingFixture.secrets + ["hush_"] {
                    #expect(!contains(reply, secret), "\(backend): a reply holds \(secret)")
                }
            }
            let lines = f.log.all
            #expect(lines.contains { $0.contains("failed") }, "the refusals are logged")
            for line in lines {
                for secret in Self.hiddenValues + ExistingFixture.secrets + ["hush_"] {
                    #expect(!line.contains(secret), "\(backend): log line holds \(secret): \(line)")
                }
            }

            // NotWritable: a client cannot write a hidden column at all, so naming the hidden
            // generated column gets the answer an unknown column gets (no hint that it exists
            // or is generated), never NotWritable.
            let big = try await f.table("hn_big")
            let hiddenWrite = try #require(
                try await f.client.failure("new", target: big, named: ["id": 2, "cap": 1, "hush_big": 5]))
            let unknownWrite = try #require(
                try await f.client.failure("new", target: big, named: ["id": 2, "cap": 1, "hush_nope": 5]))
            #expect(hiddenWrite.kind == .badRequest && unknownWrite.kind == .badRequest)
            #expect(
                hiddenWrite.message.replacingOccurrences(of: "hush_big", with: "X")
                    == unknownWrite.message.replacingOccurrences(of: "hush_nope", with: "X"),
                "\(hiddenWrite.message) / \(unknownWrite.message)")
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }
}
