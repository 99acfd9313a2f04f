import DaBrokerCore
import DaBrokerSQL
import Testing

/// The SQLite driver reads a cached statement's result columns (names, declared types) once;
/// a schema change makes SQLite prepare the statement again, and the next run must see the
/// new columns, not the kept ones.
@Suite struct SQLiteResultShapeTests {
    @Test func aCachedQuerySeesAColumnAddedLater() async throws {
        let db = try await SQLiteConnection.connect(url: "sqlite::memory:")
        _ = try await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        _ = try await db.execute("INSERT INTO t (name) VALUES ('a')")
        let before = try await db.execute("SELECT * FROM t")
        #expect(before.columns == ["id", "name"])
        _ = try await db.execute("ALTER TABLE t ADD COLUMN n INTEGER DEFAULT 7")
        let after = try await db.execute("SELECT * FROM t")
        #expect(after.columns == ["id", "name", "n"])
        #expect(after.rows.first?["n"] == .int(7))
        let again = try await db.execute("SELECT * FROM t")
        #expect(again.columns == ["id", "name", "n"])
        await db.close()
    }

    @Test func aCachedQuerySeesADeclaredTypeChangedLater() async throws {
        let db = try await SQLiteConnection.connect(url: "sqlite::memory:")
        _ = try await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, flag INTEGER)")
        _ = try await db.execute("INSERT INTO t (flag) VALUES (1)")
        let select = "SELECT id, flag FROM t"
        #expect(try await db.execute(select).rows.first?["flag"] == .int(1))
        #expect(try await db.execute(select).rows.first?["flag"] == .int(1))
        _ = try await db.execute("DROP TABLE t")
        _ = try await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, flag BOOLEAN)")
        _ = try await db.execute("INSERT INTO t (flag) VALUES (1)")
        #expect(try await db.execute(select).rows.first?["flag"] == .bool(true))
        #expect(try await db.execute(select).rows.first?["flag"] == .bool(true))
        await db.close()
    }

    @Test func aStatementThatFailsAtItsFirstStepReportsTheError() async throws {
        let db = try await SQLiteConnection.connect(url: "sqlite::memory:")
        _ = try await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        await #expect(throws: DatabaseError.self) { try await db.execute("INSERT INTO t (n) VALUES (NULL)") }
        #expect(try await db.execute("SELECT COUNT(*) AS c FROM t").rows.first?["c"] == .int(0))
        await db.close()
    }
}
