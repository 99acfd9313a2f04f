import DaBrokerCore
import DaBrokerSQL
import OrderedCollections
import Testing

@testable import DaBrokerServer

/// Issue 19: `new` with `_rows` (one transaction, all or nothing, one broadcast per row) and
/// `upsert` (created or updated, on the primary key or a unique key, with the `_old` check).
@Suite("Queries: bulk new and upsert")
struct BulkWriteTests {
    @Test(arguments: QueryFixture.kinds)
    func bulkNewIsAllOrNothing(_ kind: DatabaseKind) async throws {
        let f = try await QueryFixture.make(kind)
        defer { Task { await f.close() } }
        let pets = try await f.table("pet")
        let before = f.transport.broadcasts.count
        let made = try #require(
            try await f.client.call(
                "new", target: pets,
                named: [
                    "_rows": [
                        .dict(["id": 10, "name": "A"]), .dict(["id": 11, "name": "B", "owner_id": 2]),
                        .dict(["id": 12, "name": "C"]),
                    ]
                ]
            ).list)
        #expect(made.compactMap { $0.object?.fields["name"] } == ["A", "B", "C"])
        #expect(made.first?.object?.ref.code?.count == 12)
        #expect(f.transport.broadcasts.count - before == 3)

        // A bad value in the third row: nothing of the call is written; the error names the row.
        let bad = try #require(
            try await f.client.failure(
                "new", target: pets,
                named: [
                    "_rows": [
                        .dict(["id": 20, "name": "D"]), .dict(["id": 21, "name": "E"]),
                        .dict(["id": "zzbadzz", "name": "F"]),
                    ]
                ]))
        #expect(bad.kind == .invalidValue)
        #expect(bad.message.contains("row 2") && bad.details["row"] == "2" && !bad.message.contains("zzbadzz"))
        // The database refuses the second row (duplicate key): the first is rolled back.
        let dup = try #require(
            try await f.client.failure(
                "new", target: pets,
                named: ["_rows": [.dict(["id": 22, "name": "G"]), .dict(["id": 10, "name": "H"])]]))
        #expect(dup.details["row"] == "1")
        // A NULL in a NOT NULL column, last row.
        let null = try #require(
            try await f.client.failure(
                "new", target: pets,
                named: ["_rows": [.dict(["id": 23, "name": "I"]), .dict(["id": 24, "name": .null])]]))
        #expect(null.details["row"] == "1")
        #expect(try await f.ids("pet", [:]) == [1, 2, 3, 4, 10, 11, 12])
        #expect(try await f.client.failure("new", target: pets, named: ["_rows": "x"])?.kind == .badRequest)
        #expect(try await f.client.failure("new", target: pets, named: ["_rows": [1]])?.kind == .badRequest)
    }

    @Test(arguments: QueryFixture.kinds)
    func upsertCreatesThenUpdatesWithTheOldValueCheck(_ kind: DatabaseKind) async throws {
        let f = try await QueryFixture.make(kind)
        defer { Task { await f.close() } }
        let items = try await f.table("item")
        func upsert(_ named: OrderedDictionary<String, Value>) async throws -> (ObjectValue, Bool) {
            let d = try #require(try await f.client.call("upsert", target: items, named: named).dict)
            return (try #require(d["object"]?.object), d["created"] == true)
        }
        // On a unique key.
        let (a, createdA) = try await upsert(["code": "A", "qty": 1, "_on": ["code"]])
        #expect(createdA && a.fields["qty"] == 1)
        let (a2, createdA2) = try await upsert(["code": "A", "qty": 2, "_on": ["code"]])
        #expect(!createdA2 && a2.fields["qty"] == 2 && a2.ref.key == a.ref.key)
        // A stale _old: StaleData, nothing written.
        let stale = try #require(
            try await f.client.failure(
                "upsert", target: items, named: ["code": "A", "qty": 9, "_on": ["code"], "_old": .dict(["qty": 1])]))
        #expect(stale.kind == .staleData)
        #expect(try await f.ids("item", ["_where": [["qty", "=", 2]]]).count == 1)
        let (a3, _) = try await upsert(["code": "A", "qty": 3, "_on": ["code"], "_old": .dict(["qty": 2])])
        #expect(a3.fields["qty"] == 3)
        // _old on a row that does not exist yet: created.
        let (b, createdB) = try await upsert(["code": "B", "qty": 5, "_on": ["code"], "_old": .dict(["qty": 4])])
        #expect(createdB && b.fields["qty"] == 5)
        // On the primary key (default).
        let people = try await f.table("person")
        let d1 = try #require(
            try await f.client.call("upsert", target: people, named: ["id": 1, "name": "Ada K"]).dict)
        #expect(d1["created"] == false && d1["object"]?.object?.fields["name"] == "Ada K")
        let d2 = try #require(try await f.client.call("upsert", target: people, named: ["id": 99, "name": "New"]).dict)
        #expect(d2["created"] == true)
        // A key column given with _on a unique key must be the found row's.
        let moved = try await f.client.failure(
            "upsert", target: items, named: ["id": 999, "code": "A", "_on": ["code"]])
        #expect(moved?.kind == .badRequest && moved?.message.contains("'id'") == true)
        // Not a key; no key value; a hidden column in _old.
        #expect(
            try await f.client.failure("upsert", target: items, named: ["code": "C", "qty": 1, "_on": ["qty"]])?.kind
                == .badRequest)
        #expect(
            try await f.client.failure("upsert", target: items, named: ["qty": 1, "_on": ["code"]])?.kind == .badRequest
        )
        #expect(
            try await f.client.failure("upsert", target: people, named: ["id": 1, "_old": .dict(["secret": "s1"])])?
                .kind
                == .badRequest)
    }
}
