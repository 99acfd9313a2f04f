import DaBrokerClient
import DaBrokerCore
import DaBrokerSQL
import DaBrokerServer
import DaBrokerTestSupport
import Foundation
import Testing

/// Issue 19, the client: the typed query builder on `ModelHandle`, pages and rows as async
/// sequences, `BackrefSequence` over `backref_page`, bulk `new` and `upsert`, against a real
/// server on each database.
@Suite("Client query builder")
struct QueryBuilderTests {
    static var kinds: [DatabaseKind] { DatabaseKind.allCases.filter(TestDatabases.isAvailable) }

    /// A fresh database with `person` (7 rows, NULLs in grade) and `pet`, served in-process.
    struct Fixture {
        let kind: DatabaseKind
        let name: String
        let db: Database
        let server: BrokerServer
        let client: BrokerClient

        static func make(_ kind: DatabaseKind) async throws -> Fixture {
            let name = "client_query_\(kind.rawValue)_\(UUID().uuidString.prefix(8).lowercased())"
            let db = try await Database.open(url: try await TestDatabases.create(kind, named: name))
            for sql in [
                "CREATE TABLE person (id INTEGER PRIMARY KEY, name VARCHAR(50), born DATE, grade INTEGER)",
                "CREATE TABLE pet (id INTEGER PRIMARY KEY, name VARCHAR(50), owner_id INTEGER REFERENCES person(id))",
                """
                INSERT INTO person (id, name, born, grade) VALUES (1, 'Ada', '1815-12-10', 3), (2, 'Émile', '1900-05-01', NULL),
                  (3, 'Bob', '1950-01-01', 1), (4, 'Cy', '1960-01-01', 3), (5, 'Di', NULL, 2), (6, 'Ed', '1999-09-09', NULL),
                  (7, 'Flo', '2001-01-01', 5)
                """,
                "INSERT INTO pet (id, name, owner_id) VALUES (1, 'Rex', 1), (2, 'Tom', 1), (3, 'Kit', 1), (4, 'Mo', 2)",
            ] {
                _ = try await db.execute(sql)
            }
            let server = BrokerServer(configuration: .init(secret: "client-query-tests", maxFindLimit: 100))
            let transport = InProcessServerTransport()
            server.addTransport(transport)
            let root = try server.addDataRoot()
            let sql = try await SQLLoader.reflecting(database: db, broker: server)
            try sql.addModel("person", into: root, rw: .readWrite)
            try sql.addModel("pet", into: root, rw: .readWrite)
            try await server.start()
            let client = BrokerClient(transport: transport.makeClient())
            try await client.connect()
            return Fixture(kind: kind, name: name, db: db, server: server, client: client)
        }

        func close() async {
            await client.close()
            await server.stop()
            await db.close()
            try? await TestDatabases.drop(kind, named: name)
        }
    }

    static func ids(_ objects: [ClientObject]) -> [Int64] {
        objects.compactMap { if case .int(let i) = $0.fields["id"] { i } else { nil } }
    }

    @Test(arguments: kinds)
    func queriesReadLikeProse(_ kind: DatabaseKind) async throws {
        let f = try await Fixture.make(kind)
        defer { Task { await f.close() } }
        let people = try await f.client.model("person")
        let born = Column("born")
        let grade = Column("grade")
        let recent = try await people.filter(born > "1900-01-01").order(born.desc).limit(3).fetchAll()
        #expect(Self.ids(recent) == [7, 6, 4])
        #expect(Self.ids(try await people.order(grade.desc, Column("id").desc).fetchAll()) == [6, 2, 7, 4, 1, 5, 3])
        #expect(Self.ids(try await people.filter(grade >= 3 || grade.isNull).fetchAll()) == [1, 2, 4, 6, 7])
        #expect(Self.ids(try await people.filter(grade == 3 && Column("name").hasPrefix("C")).fetchAll()) == [4])
        #expect(Self.ids(try await people.filter(Column("id").among([2, 5, 99])).fetchAll()) == [2, 5])
        #expect(Self.ids(try await people.filter(Column("name").like("_mile")).fetchAll()) == [2])
        #expect(
            Self.ids(try await people.filter(Column("name").contains("D", caseInsensitive: true)).fetchAll()) == [
                1, 5, 6,
            ])
        #expect(Self.ids(try await people.filter(["grade": 3]).filter(Column("id") != 1).fetchAll()) == [4])
        #expect(try await people.filter(grade > 1).fetchCount() == 4)
        #expect(try await people.filter(grade > 1).fetchOne()?.fields["id"] == 1)
        let estimate = try await people.all.estimatedCount()
        #expect(estimate.estimated == (kind != .sqlite) || estimate.count == 7)
        let failure = await #expect(throws: BrokerError.self) {
            _ = try await people.filter(grade < "not a number").fetchAll()
        }
        #expect(failure?.kind == .invalidValue)
        let reserved = await #expect(throws: BrokerError.self) {
            _ = try await people.filter(["_where": "x"]).fetchAll()
        }
        #expect(reserved?.kind == .badRequest)
    }

    @Test(arguments: kinds)
    func pagesRowsAndBackrefsWalkByKeyset(_ kind: DatabaseKind) async throws {
        let f = try await Fixture.make(kind)
        defer { Task { await f.close() } }
        let people = try await f.client.model("person")
        let query = people.order(Column("grade").desc)
        let whole = Self.ids(try await query.fetchAll())
        var walked: [Int64] = []
        for try await person in query.rows(pageSize: 2) {
            if case .int(let i) = person.fields["id"] { walked.append(i) }
        }
        #expect(walked == whole)
        var sizes: [Int] = []
        for try await page in query.pages(size: 3) { sizes.append(page.rows.count) }
        #expect(sizes == [3, 3, 1])
        let first = try await query.page(size: 4)
        let second = try await query.page(after: first.next, size: 4)
        #expect(Self.ids(first.rows + second.rows) == whole && second.next == nil)

        // BackrefSequence: a page per request (server page size here: 100).
        let ada = try await people.get(["id": 1])
        let backref = try #require(try await ada.meta().info?.backrefs.keys.first)
        var pets: [Int64] = []
        for try await pet in ada[backref].objects { if case .int(let i) = pet.fields["id"] { pets.append(i) } }
        #expect(pets == [1, 2, 3])
        let page = try await ada[backref].objects.page(size: 2)
        #expect(Self.ids(page.rows) == [1, 2] && page.next != nil)
        #expect(try await ada[backref].objects.count() == 3)
    }

    @Test(arguments: kinds)
    func bulkNewAndUpsert(_ kind: DatabaseKind) async throws {
        let f = try await Fixture.make(kind)
        defer { Task { await f.close() } }
        let pets = try await f.client.model("pet")
        let made = try await pets.new(rows: [["id": 10, "name": "A"], ["id": 11, "name": "B"]])
        #expect(Self.ids(made) == [10, 11])
        await #expect(throws: BrokerError.self) {
            _ = try await pets.new(rows: [["id": 12, "name": "C"], ["id": 10, "name": "dup"]])
        }
        #expect(try await pets.filter(Column("id") >= 10).fetchCount() == 2)
        let (updated, created) = try await pets.upsert(["id": 10, "name": "A2"], old: ["name": "A"])
        #expect(!created && updated.fields["name"] == "A2")
        let (fresh, createdFresh) = try await pets.upsert(["id": 20, "name": "N"])
        #expect(createdFresh && fresh.fields["name"] == "N")
        let stale = await #expect(throws: BrokerError.self) {
            _ = try await pets.upsert(["id": 10, "name": "A3"], old: ["name": "A"])
        }
        #expect(stale?.kind == .staleData)
    }
}
