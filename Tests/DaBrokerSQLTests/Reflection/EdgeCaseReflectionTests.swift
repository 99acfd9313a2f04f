import DaBrokerCore
import DaBrokerSQL
import Foundation
import Testing

/// The edge-case schema (see `EdgeCaseSchema`) reflects as docs/reflection.md and
/// docs/naming.md say, on each database.
@Suite("Reflection: edge cases")
struct EdgeCaseReflectionTests {
    @Test("edge-case schema", arguments: ReflectionBackend.available)
    func edgeCases(_ backend: ReflectionBackend) async throws {
        try await backend.withFreshDatabase("refl_edge") { connection in
            try await dropOther(backend, connection)
            do {
                for statement in EdgeCaseSchema.ddl(backend) { _ = try await connection.execute(statement) }
                try await check(backend, connection)
                try await dropOther(backend, connection)
            } catch {
                try? await dropOther(backend, connection)
                throw error
            }
        }
    }

    private func dropOther(_ backend: ReflectionBackend, _ connection: any DatabaseConnection) async throws {
        guard backend == .mariadb else { return }
        // refl_edge.film references the other database: drop it without the foreign-key check.
        _ = try await connection.execute("SET FOREIGN_KEY_CHECKS = 0")
        _ = try await connection.execute("DROP DATABASE IF EXISTS \(EdgeCaseSchema.otherSchema)")
        _ = try await connection.execute("SET FOREIGN_KEY_CHECKS = 1")
    }

    private func check(_ backend: ReflectionBackend, _ connection: any DatabaseConnection) async throws {
        let other = EdgeCaseSchema.otherSchema
        // PostgreSQL reads every non-system schema by default, MariaDB only the current database.
        let options =
            backend == .mariadb
            ? ReflectionOptions(include: [ReflectionBackend.databaseName("refl_edge"), other]) : ReflectionOptions()
        let schema = try await SchemaReflector.reflect(connection, options: options)
        var expectedTables = [
            "language", "author", "person", "film", "shelf", "book", "film_detail", "nopk", "film_titles",
            EdgeCaseSchema.oddTable,
        ]
        if backend == .mariadb { expectedTables.append("legacy") }
        if backend != .sqlite { expectedTables.append("\(other).publisher") }
        #expect(schema.sortedKeys == expectedTables.sorted())
        // The fingerprint computed during reflection matches the server-side one (non-ASCII names,
        // comments, several schemas).
        #expect(try await SchemaReflector.fingerprint(of: connection, options: options) == schema.fingerprint)

        // Notices: the view, the table without primary key, the unmapped column (named with its type).
        #expect(
            schema.notices.map { "\($0.kind.rawValue) \($0.table) \($0.column ?? "")" }.sorted() == [
                "noPrimaryKey nopk ", "unmappedType \(EdgeCaseSchema.oddTable) Weird", "view film_titles ",
            ])
        let unmapped = try #require(schema.notices.first { $0.kind == .unmappedType })
        #expect(unmapped.message.contains(EdgeCaseSchema.oddTable) && unmapped.message.contains("Weird"))
        #expect(unmapped.message.lowercased().contains(backend == .sqlite ? "geometry" : "point"))
        #expect(schema.tables["film_titles"]?.isView == true)
        #expect(schema.tables["film_titles"]?.isReadOnlyAtMost == true)
        #expect(schema.tables["nopk"]?.isReadOnlyAtMost == true)
        #expect(schema.tables["film"]?.isReadOnlyAtMost == false)

        let model = ReflectedModel(schema: schema)
        #expect(model.notices == schema.notices)
        let film = try #require(model.tables["film"])
        var filmRefs = ["author", "language_ref", "original_language"]
        if backend != .sqlite { filmRefs.append("publisher") }
        #expect(film.refs.map(\.name).sorted() == filmRefs)
        #expect(film.ref("author")?.target == "person")
        #expect(film.ref("language_ref")?.foreignKey.onDelete == .cascade)
        #expect(film.ref("original_language")?.foreignKey.onDelete == .setNull)
        #expect(film.ref("original_language")?.foreignKey.onUpdate == .cascade)
        // MariaDB reports an unspecified action as RESTRICT (the same as NO ACTION in InnoDB).
        #expect(film.ref("author")?.foreignKey.onDelete == (backend == .mariadb ? .restrict : .noAction))
        if backend != .sqlite { #expect(film.ref("publisher")?.target == "\(other).publisher") }
        #expect(film.backrefs.map(\.name).sorted() == [EdgeCaseSchema.oddTable, "film_detail"])
        #expect(film.table.column("doubled")?.isGenerated == true)
        #expect(film.table.column("title")?.isNullable == false)
        #expect(film.table.column("original_language_id")?.isNullable == true)
        #expect(film.table.column("created")?.kind == .timestamp)
        #expect(film.table.column("created")?.defaultValue != nil)
        #expect(film.table.column("doc")?.kind == .json)
        #expect(film.table.column("title")?.defaultValue == nil)

        let language = try #require(model.tables["language"])
        #expect(language.backrefs.map(\.name) == ["film_by_language", "film_by_original_language"])
        #expect(language.table.uniqueConstraints.map(\.columns) == [["name"]])
        #expect(language.table.column("id")?.isAutoIncrement == true)
        #expect(model.tables["person"]?.table.column("id")?.isAutoIncrement == true)
        #expect(model.tables["person"]?.refs.map(\.name) == ["boss"])
        #expect(model.tables["person"]?.backrefs.map(\.name) == ["film", "person"])

        let shelf = try #require(model.tables["shelf"])
        #expect(shelf.table.primaryKey == ["building", "room"])
        #expect(shelf.backrefs.map(\.name) == ["book"])
        let book = try #require(model.tables["book"])
        #expect(book.refs.map(\.name) == ["shelf"])
        #expect(book.ref("shelf")?.foreignKey.columns == ["building", "room"])
        #expect(book.ref("shelf")?.foreignKey.referencedColumns == ["building", "room"])
        #expect(model.tables["film_detail"]?.refs.map(\.name) == ["film"])

        let odd = try #require(model.tables[EdgeCaseSchema.oddTable])
        #expect(odd.table.columns.map(\.name) == EdgeCaseSchema.oddColumns)
        #expect(odd.table.primaryKey == ["select"])
        #expect(odd.fields.map(\.name) == EdgeCaseSchema.oddColumns.filter { $0 != "Weird" })
        #expect(odd.refs.map(\.name) == ["film"])

        switch backend {
        case .postgres:
            #expect(film.table.column("tags")?.kind == .list)
            #expect(film.table.column("mood")?.kind == .string)
            #expect(film.table.column("code")?.kind == .string)
            #expect(film.table.column("code")?.declaredType == "short_text")
            #expect(film.table.column("nick")?.kind == .string)  // a domain over a domain
        case .mariadb:
            #expect(film.table.column("mood")?.kind == .string)
            #expect(film.table.column("flags")?.kind == .int)
            #expect(model.tables["legacy"]?.table.engine == "MyISAM")
            #expect(model.tables["legacy"]?.table.isTransactional == false)
            #expect(film.table.engine == "InnoDB" && film.table.isTransactional == true)
            #expect(model.tables["film_titles"]?.table.isTransactional == nil)
        case .sqlite:
            #expect(film.table.column("flag")?.kind == .bool)
            #expect(film.ref("author")?.foreignKey.referencedColumns == ["id"])  // REFERENCES person (no column)
        }
        if backend != .sqlite {
            #expect(language.table.comment == "Spoken languages")
            #expect(language.table.column("name")?.comment == "English name")
        }
        if backend == .mariadb { try await checkMariaDBForeignKeySources(connection, options: options) }
        try await checkSchemaSelection(backend, connection)
    }

    /// Excluding the other schema leaves `film.publisher_id` without a ref (a notice); an
    /// include pattern selects schemas by glob.
    private func checkSchemaSelection(_ backend: ReflectionBackend, _ connection: any DatabaseConnection) async throws {
        guard backend != .sqlite else { return }
        let other = EdgeCaseSchema.otherSchema
        let options =
            backend == .postgres ? ReflectionOptions(exclude: [other]) : ReflectionOptions()  // MariaDB: current only
        let schema = try await SchemaReflector.reflect(connection, options: options)
        #expect(schema.tables["\(other).publisher"] == nil)
        let model = ReflectedModel(schema: schema)
        #expect(model.tables["film"]?.ref("publisher") == nil)
        let unresolved = model.notices.filter { $0.kind == .unresolvedForeignKey }
        #expect(unresolved.map(\.table) == ["film"])
        #expect(unresolved.first?.message.contains("publisher") == true)

        let only = try await SchemaReflector.reflect(
            connection, options: ReflectionOptions(include: ["refl_edge_o*_\(getpid())"]))
        #expect(only.sortedKeys == ["\(other).publisher"])
    }
}
