import DaBrokerCore
import DaBrokerSQL
import Testing

/// Basic parameterised statements, identical on every backend.
@Suite("Conformance: CRUD")
struct CRUDConformanceTests {
    @Test(arguments: Conformance.backends)
    func insertSelectUpdateDelete(kind: DatabaseKind) async throws {
        try await Conformance.withDatabase(kind) { db in
            #expect(db.kind == kind)
            #expect(db.dialect.kind == kind)
            try await Conformance.withTable(db, "crud") { table in
                let d = db.dialect
                let t = d.quote(table)
                for id: Int64 in [1, 2, 3] { try await Conformance.insert(db, table, id) }
                let tricky = "O'Brien; DROP TABLE \(table); -- 😀"
                let upd = try await db.execute(
                    "UPDATE \(t) SET name = \(d.placeholder(0)) WHERE id = \(d.placeholder(1))", [.string(tricky), 2])
                #expect(upd.affectedRows == 1)
                let one = try await db.execute(
                    "SELECT id, name FROM \(t) WHERE id = \(d.placeholder(0))", [2])
                #expect(one.rows.count == 1)
                #expect(one.rows.first?["name"] == .string(tricky))
                #expect(one.rows.first?[0] == .int(2))
                let del = try await db.execute("DELETE FROM \(t) WHERE id >= \(d.placeholder(0))", [2])
                #expect(del.affectedRows == 2)
                let got1 = try await Conformance.ids(db, table)
                #expect(got1 == [1])
                let null = try await db.execute("SELECT name FROM \(t) WHERE id = \(d.placeholder(0))", [.null])
                #expect(null.rows.isEmpty)
            }
        }
    }

    @Test(arguments: Conformance.backends)
    func wrongParameterCountIsAnErrorAndChangesNothing(kind: DatabaseKind) async throws {
        try await Conformance.withDatabase(kind) { db in
            try await Conformance.withTable(db, "params") { table in
                let d = db.dialect
                await #expect(throws: (any Error).self) {
                    _ = try await db.execute(
                        "INSERT INTO \(d.quote(table)) (id, name) VALUES (\(d.placeholder(0)), \(d.placeholder(1)))",
                        [1])
                }
                let got2 = try await Conformance.ids(db, table)
                #expect(got2 == [])
            }
        }
    }

    @Test func unknownSchemeIsAConnectionError() async throws {
        let e = await #expect(throws: DatabaseError.self) {
            _ = try await Database.open(url: "oracle://scott:tiger@host/db")
        }
        #expect(e?.kind == .connection)
        #expect(e?.message.contains("tiger") == false, "the password is redacted")
        #expect(URLRedaction.redacted("postgres://u:secret@h:1/d") == "postgres://u:***@h:1/d")
    }
}
