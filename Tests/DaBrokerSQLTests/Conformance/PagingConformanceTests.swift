import DaBrokerCore
import DaBrokerSQL
import Testing

/// `StatementBuilder.select` with limit and offset, run on every backend: each database
/// accepts the SQL it is given and pages the same way.
@Suite("Conformance: paging with limit and offset")
struct PagingConformanceTests {
    @Test(arguments: Conformance.backends)
    func offsetWithAndWithoutLimit(kind: DatabaseKind) async throws {
        try await Conformance.withDatabase(kind) { db in
            try await Conformance.withTable(db, "page") { table in
                for id: Int64 in 1...6 { try await Conformance.insert(db, table, id) }
                let builder = StatementBuilder(dialect: db.dialect)
                func ids(limit: Int?, offset: Int?) async throws -> [Value] {
                    let s = builder.select(["id"], from: table, orderBy: ["id"], limit: limit, offset: offset)
                    return try await db.execute(s.sql, s.parameters).rows.map { $0[0] }
                }
                #expect(try await ids(limit: nil, offset: 4) == [5, 6], "an offset without a limit")
                #expect(try await ids(limit: 2, offset: 1) == [2, 3])
                #expect(try await ids(limit: 2, offset: nil) == [1, 2])
                #expect(try await ids(limit: nil, offset: nil) == [1, 2, 3, 4, 5, 6])
                #expect(try await ids(limit: nil, offset: 6) == [])
            }
        }
    }
}
