import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

extension EdgeCaseReflectionTests {
    /// MariaDB reads foreign keys from InnoDB's dictionary when it may (PROCESS privilege),
    /// decoding its file-name-encoded names (`Straße Mixed`), and from `information_schema`
    /// otherwise, with a notice; both read the same schema, each with a fingerprint the server
    /// reproduces. Two pooled connections read the same as one.
    func checkMariaDBForeignKeySources(_ connection: any DatabaseConnection, options: ReflectionOptions) async throws {
        let privileged = try await SchemaReflector.reflect(connection, options: options)
        #expect(!privileged.notices.contains { $0.kind == .slowCatalog })
        #expect(privileged.tables[EdgeCaseSchema.oddTable]?.foreignKeys.map(\.columns) == [["film_id"]])

        let database = ReflectionBackend.databaseName("refl_edge")
        let url = DatabaseConnector.url(try TestServices.url(for: .mysql), database: database)
        let pool = try await Database.open(url: url)
        let pooled = try await SchemaReflector.reflect(pool, options: options)
        await pool.close()
        #expect(pooled == privileged)

        // A user with every privilege on the two databases but no global ones (no PROCESS).
        let user = "dab_plain_\(getpid())"
        _ = try await connection.execute("DROP USER IF EXISTS '\(user)'@'%'")
        _ = try await connection.execute("CREATE USER '\(user)'@'%' IDENTIFIED BY 'plain'")
        let read: (schema: DatabaseSchema, fingerprint: String)
        do {
            for name in [database, EdgeCaseSchema.otherSchema] {
                _ = try await connection.execute("GRANT ALL ON `\(name)`.* TO '\(user)'@'%'")
            }
            let plain = try await MariaDBConnection.connect(url: Self.url(url, user: user, password: "plain"))
            let schema = try await SchemaReflector.reflect(plain, options: options)
            read = (schema, try await SchemaReflector.fingerprint(of: plain, options: options))
            await plain.close()
            _ = try await connection.execute("DROP USER '\(user)'@'%'")
        } catch {
            _ = try? await connection.execute("DROP USER IF EXISTS '\(user)'@'%'")
            throw error
        }
        let (fallback, fingerprint) = read
        #expect(fallback.tables == privileged.tables)
        #expect(fallback.notices.filter { $0.kind == .slowCatalog }.count == 1)
        #expect(fallback.notices.first { $0.kind == .slowCatalog }?.message.contains("PROCESS") == true)
        #expect(fingerprint == fallback.fingerprint)
    }

    /// `url` with its user and password replaced.
    static func url(_ url: String, user: String, password: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else {
            return url
        }
        return url[..<schemeEnd.upperBound] + "\(user):\(password)" + url[at...]
    }
}
