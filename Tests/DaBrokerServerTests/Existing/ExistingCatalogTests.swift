import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

@testable import DaBrokerServer

/// Issue 15: what reflection reads from the catalog of the fixture schemas — writability,
/// enum labels, partitions, inheritance, rules — on the three backends.
@Suite("Existing databases: writability, enums, partitions and inheritance from the catalog")
struct ExistingCatalogTests {
    @Test(arguments: ExistingBackend.available)
    func catalogFactsReachTheModel(_ backend: ExistingBackend) async throws {
        let f = try await ExistingFixture.make(backend, "catalog")
        do {
            let model = f.loader.reflected
            let item = try #require(model.tables["item"]).table
            #expect(item.column("doubled")?.isWritable == false)
            #expect(item.column("title")?.isWritable == true)
            #expect(item.column("mood")?.enumValues == ["happy", "sad", "ok"])
            // The foreign-key cycle category ⇄ item gives a ref each way.
            #expect(model.tables["item"]?.refs.map(\.target) == ["category"])
            #expect(model.tables["category"]?.refs.map(\.target) == ["item"])
            #expect(f.loader.mode(of: "item_summary") == .readOnly)
            if backend == .postgres {
                #expect(model.tables["serial_no"]?.table.column("id")?.isIdentityAlways == true)
                // A partitioned table: one table, its partitions' foreign keys become its ref.
                #expect(model.tables["measurement_2025"] == nil)
                let measurement = try #require(model.tables["measurement"])
                #expect(measurement.refs.map(\.target) == ["category"])
                #expect(model.tables["category"]?.backrefs.contains { $0.source == "measurement" } == true)
                // An inheritance child is reflected but not exported; the parent finds each row once.
                #expect(model.tables["urgent_note"]?.table.inheritsFrom == "note")
                #expect(model.notices.filter { $0.kind == .inheritance }.count == 1)
                let notes = try #require(try await f.client.call("_dab_search", target: try await f.table("note")).list)
                let ids = notes.compactMap { $0.object?.ref.key.parts.last }
                #expect(ids.count == 2 && Set(ids).count == 2)
                // DO INSTEAD rules: read-only at most, with a notice.
                #expect(f.loader.mode(of: "audited") == .readOnly)
                #expect(model.notices.contains { $0.kind == .insteadRule && $0.table == "audited" })
                // A row into a partition through the parent, with the lifted ref.
                let created = try #require(
                    try await f.client.call(
                        "new", target: try await f.table("measurement"),
                        named: ["id": 9, "taken": "2026-06-01", "category_id": 2, "reading": 1]
                    ).object)
                #expect(created.refs["category"]??.key.parts.last == 2)
            }
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }

    /// Reflection time of the fixture schema (for the report; asserts only that it ran).
    @Test(arguments: ExistingBackend.available)
    func reflectionTimeOfTheFixtureSchema(_ backend: ExistingBackend) async throws {
        let (db, name) = try await backend.database("timing")
        var times: [Duration] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            let schema = try await SchemaReflector.reflect(db)
            times.append(ContinuousClock.now - start)
            #expect(schema.tables["item"] != nil)
        }
        print("reflection-time | \(backend) | min \(times.min() ?? .zero) | max \(times.max() ?? .zero)")
        await db.close()
        try? await TestDatabases.drop(backend.kind, named: name)
    }
}

/// SQLite: a view's computed columns are kept; one bad stored value does not fail a find.
@Suite("Existing databases: SQLite views and undecodable values")
struct ExistingSQLiteTests {
    @Test(arguments: ExistingBackend.available.filter { $0 == .sqlite })
    func viewColumnsAndBadValues(_ backend: ExistingBackend) async throws {
        let f = try await ExistingFixture.make(backend, "sqliteview")
        do {
            let view = try #require(f.loader.reflected.tables["item_summary"])
            #expect(view.fields.map(\.name) == ["category_id", "n", "most", "shout"])
            let rows = try #require(
                try await f.client.call("_dab_search", target: try await f.table("item_summary")).list)
            #expect(rows.count == 2)
            #expect(rows.compactMap { $0.object?.fields["n"] } == [1, 1])

            _ = try await f.db.execute("UPDATE item SET made = 'yesterday' WHERE id = 11")
            let items = try #require(try await f.client.call("_dab_search", target: try await f.table("item")).list)
            #expect(items.count == 2)
            #expect(items.last?.object?.fields["made"] == "yesterday")
            #expect(
                f.log.all.contains {
                    $0.contains("'item'") && $0.contains("'made'") && $0.contains("11") && $0.contains("DATE")
                })
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }
}
