import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import OrderedCollections
import Testing

@testable import DaBrokerServer

/// A database of its own per test (PostgreSQL, MariaDB or SQLite) with the query suite's
/// tables, served by a broker with a recording transport and a raw client:
/// `person` (one column of each type, `secret` hidden), `pet` (a ref to person), `item`
/// (a serial key and a unique code) and optionally `big` (10,000 rows).
struct QueryFixture {
    let kind: DatabaseKind
    let name: String
    let db: Database
    let server: BrokerServer
    let loader: SQLLoader
    let client: TestClient
    let transport: RecordingTransport

    /// The backends of this run: all three in CI.
    static var kinds: [DatabaseKind] { DatabaseKind.allCases.filter(TestDatabases.isAvailable) }

    static func make(_ kind: DatabaseKind, big: Bool = false, maxFindLimit: Int = 1000) async throws -> QueryFixture {
        let name = "query_\(kind.rawValue)_\(UUID().uuidString.prefix(8).lowercased())"
        let url = try await TestDatabases.create(kind, named: name)
        let db = try await Database.open(url: url)
        for sql in schema(kind) + rows(kind) + (big ? bigTable(kind) : []) { _ = try await db.execute(sql) }
        let server = BrokerServer(configuration: .init(secret: "query-tests", maxFindLimit: maxFindLimit))
        let transport = RecordingTransport()
        server.addTransport(transport)
        let root = try server.addDataRoot()
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        try loader.addModel("person", into: root, rw: .readWrite, hide: ["secret"])
        try loader.addModel("pet", into: root, rw: .readWrite)
        try loader.addModel("item", into: root, rw: .readWrite)
        if big { try loader.addModel("big", into: root, rw: .readWrite) }
        try await server.start()
        return QueryFixture(
            kind: kind, name: name, db: db, server: server, loader: loader, client: TestClient(transport: transport),
            transport: transport)
    }

    func close() async {
        await server.stop()
        await db.close()
        try? await TestDatabases.drop(kind, named: name)
    }

    func table(_ name: String) async throws -> Ref {
        let root = try #require(try await client.call("root").object)
        return try #require(root.fields["data"]?.dict?[name]?.info?.ref)
    }

    func rowRef(_ table: String, _ key: Value) -> Ref {
        let k = loader.rowKey(table, [key])
        return Ref(key: k, code: server.codes.code(for: k))
    }

    /// The ids of the rows `_dab_search` answers for these named arguments.
    func ids(_ table: String, _ named: OrderedDictionary<String, Value>) async throws -> [Int64] {
        let list = try #require(
            try await client.call("_dab_search", target: try await self.table(table), named: named).list)
        return list.compactMap { if case .int(let i)? = $0.object?.fields["id"] { i } else { nil } }
    }

    /// One `_dab_page` reply: the ids and the next cursor.
    func page(_ table: String, _ named: OrderedDictionary<String, Value>) async throws -> (ids: [Int64], next: String?)
    {
        let reply = try await client.call("_dab_page", target: try await self.table(table), named: named)
        let d = try #require(reply.dict)
        let rows = try #require(d["rows"]?.list)
        let ids = rows.compactMap { if case .int(let i)? = $0.object?.fields["id"] { i } else { nil } }
        if case .string(let s)? = d["next"] { return (ids, s) }
        return (ids, nil)
    }

    /// Every page of a query, walked with its cursors.
    func allPages(_ table: String, _ named: OrderedDictionary<String, Value>, limit: Int) async throws -> [Int64] {
        var out: [Int64] = []
        var args = named
        args["_limit"] = .int(Int64(limit))
        while true {
            let p = try await page(table, args)
            out += p.ids
            guard let next = p.next else { return out }
            args["_after"] = .string(next)
        }
    }

    static func schema(_ kind: DatabaseKind) -> [String] {
        switch kind {
        case .postgres:
            return [
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                """
                CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, born DATE, score NUMERIC(10,2),
                  seen TIMESTAMP, active BOOLEAN, uid UUID, mood mood, tags TEXT[], grade INTEGER, secret TEXT)
                """,
                "CREATE TABLE pet (id INTEGER PRIMARY KEY, name TEXT NOT NULL, owner_id INTEGER REFERENCES person(id))",
                "CREATE TABLE item (id SERIAL PRIMARY KEY, code TEXT NOT NULL UNIQUE, qty INTEGER)",
            ]
        case .mysql:
            return [
                """
                CREATE TABLE person (id INTEGER PRIMARY KEY, name VARCHAR(100), born DATE, score DECIMAL(10,2),
                  seen DATETIME(6), active BOOLEAN, uid UUID, mood ENUM('sad','ok','happy'), grade INTEGER,
                  secret TEXT) ENGINE=InnoDB
                """,
                """
                CREATE TABLE pet (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, owner_id INTEGER,
                  FOREIGN KEY (owner_id) REFERENCES person(id)) ENGINE=InnoDB
                """,
                """
                CREATE TABLE item (id INTEGER AUTO_INCREMENT PRIMARY KEY, code VARCHAR(50) NOT NULL UNIQUE,
                  qty INTEGER) ENGINE=InnoDB
                """,
            ]
        case .sqlite:
            return [
                """
                CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT, born DATE, score NUMERIC(10,2),
                  seen TIMESTAMP, active BOOLEAN, uid UUID, mood TEXT CHECK (mood IN ('sad', 'ok', 'happy')),
                  grade INTEGER, secret TEXT)
                """,
                "CREATE TABLE pet (id INTEGER PRIMARY KEY, name TEXT NOT NULL, owner_id INTEGER REFERENCES person(id))",
                "CREATE TABLE item (id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL UNIQUE, qty INTEGER)",
            ]
        }
    }

    /// The five people and four pets every operator test reads (NULLs in every column of person 3).
    static func rows(_ kind: DatabaseKind) -> [String] {
        let tags = kind == .postgres
        func person(_ values: String, _ array: String) -> String {
            "INSERT INTO person (id, name, born, score, seen, active, uid, mood, grade, secret\(tags ? ", tags" : ""))"
                + " VALUES (\(values)\(tags ? ", " + array : ""))"
        }
        let t = kind == .mysql ? "1" : "TRUE"
        let f = kind == .mysql ? "0" : "FALSE"
        return [
            person(
                "1, 'Ada', '1815-12-10', 10.50, '2020-01-01 10:00:00', \(t), '11111111-1111-1111-1111-111111111111',"
                    + " 'happy', 3, 's1'", "ARRAY['a','b']"),
            person(
                "2, 'Émile', '1900-05-01', 2.25, '2021-06-01 12:30:00', \(f), '22222222-2222-2222-2222-222222222222',"
                    + " 'sad', NULL, 's2'", "ARRAY['b']"),
            person("3, 'ada lovelace 100%', NULL, NULL, NULL, NULL, NULL, NULL, 1, 's3'", "NULL"),
            person(
                "4, 'Bob_b', '1950-01-01', -3.00, '2019-12-31 23:59:59', \(t), '33333333-3333-3333-3333-333333333333',"
                    + " 'ok', 3, 's4'", "ARRAY[]::text[]"),
            person(
                "5, NULL, '2000-02-29', 0, '2022-02-02 00:00:00', \(f), '44444444-4444-4444-4444-444444444444',"
                    + " 'ok', 2, 's5'", "ARRAY['c']"),
            "INSERT INTO pet (id, name, owner_id) VALUES (1, 'Rex', 1), (2, 'Tom', 1), (3, 'Kit', 2), (4, 'Stray', NULL)",
        ]
    }

    /// `big`: 10,000 rows with even ids 2…20000 (odd ids are free for concurrent inserts).
    static func bigTable(_ kind: DatabaseKind) -> [String] {
        let create = "CREATE TABLE big (id INTEGER PRIMARY KEY, v INTEGER)"
        switch kind {
        case .postgres: return [create, "INSERT INTO big (id, v) SELECT n * 2, n FROM generate_series(1, 10000) n"]
        case .mysql:
            return [create + " ENGINE=InnoDB", "INSERT INTO big (id, v) SELECT seq * 2, seq FROM seq_1_to_10000"]
        case .sqlite:
            return [
                create,
                "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 10000)"
                    + " INSERT INTO big (id, v) SELECT n * 2, n FROM s",
            ]
        }
    }
}
