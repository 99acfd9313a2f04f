import DaBrokerCore
import DaBrokerSQL
import Testing

/// The schema fingerprint changes with DDL and only with DDL.
@Suite("Reflection: schema fingerprint")
struct FingerprintTests {
    @Test("DDL changes the fingerprint, data does not", arguments: ReflectionBackend.available)
    func fingerprint(_ backend: ReflectionBackend) async throws {
        try await backend.withFreshDatabase("refl_fp") { connection in
            _ = try await connection.execute("CREATE TABLE thing (id int PRIMARY KEY, name varchar(20))")
            let schema = try await SchemaReflector.reflect(connection)
            #expect(!schema.fingerprint.isEmpty)
            #expect(try await SchemaReflector.fingerprint(of: connection) == schema.fingerprint)

            // No DDL: same fingerprint, also after data changes.
            let p = connection.dialect
            _ = try await connection.execute(
                "INSERT INTO thing (id, name) VALUES (\(p.placeholder(0)), \(p.placeholder(1)))", [1, "one"])
            _ = try await connection.execute("UPDATE thing SET name = \(p.placeholder(0))", ["uno"])
            #expect(try await SchemaReflector.fingerprint(of: connection) == schema.fingerprint)
            #expect(try await SchemaReflector.reflect(connection).fingerprint == schema.fingerprint)

            // Each kind of DDL changes it.
            var seen: Set<String> = [schema.fingerprint]
            for ddl in [
                "ALTER TABLE thing ADD COLUMN extra int",
                "CREATE TABLE other (id int PRIMARY KEY, thing_id int REFERENCES thing (id))",
                "CREATE VIEW thing_names AS SELECT name FROM thing",
                "DROP TABLE other",
            ] {
                _ = try await connection.execute(ddl)
                let now = try await SchemaReflector.fingerprint(of: connection)
                #expect(!seen.contains(now), "fingerprint unchanged after \(ddl)")
                seen.insert(now)
                #expect(try await SchemaReflector.reflect(connection).fingerprint == now)
            }
        }
    }
}
