import DaBrokerSQL
import Testing

/// The naming rule of docs/naming.md, on hand-built schemas (no database needed).
@Suite("Reflection: ref and backref naming")
struct RelationshipNamerTests {
    @Test(
        "id suffixes are stripped",
        arguments: [
            ("language_id", "language"), ("original_language_id", "original_language"), ("SupportRepId", "SupportRep"),
            ("OwnerID", "Owner"), ("owner_ID", "owner"), ("id", ""), ("ID", ""), ("ReportsTo", "ReportsTo"),
            ("paid", "paid"), ("UUID", "UUID"), ("user__id", "user"), ("Größe_id", "Größe"),
        ])
    func stripping(_ column: String, _ stripped: String) {
        #expect(RelationshipNamer.strippedColumnName(column) == stripped)
    }

    @Test func joinFollowsTheFirstPartsStyle() {
        #expect(RelationshipNamer.join(["reports_to", "ref"]) == "reports_to_ref")
        #expect(RelationshipNamer.join(["album", "ref"]) == "album_ref")
        #expect(RelationshipNamer.join(["ReportsTo", "ref"]) == "ReportsToRef")
        #expect(RelationshipNamer.join(["InvoiceLine", "by", "Track"]) == "InvoiceLineByTrack")
    }

    static func fk(
        _ columns: [String], _ target: String, _ targetColumns: [String] = ["id"], name: String? = nil
    ) -> ForeignKeyDescription {
        ForeignKeyDescription(
            name: name, columns: columns, referencedSchema: "main", referencedTable: target,
            referencedColumns: targetColumns)
    }

    static func table(_ name: String, _ columns: [String], pk: [String] = ["id"], fks: [ForeignKeyDescription] = [])
        -> TableDescription
    {
        TableDescription(
            schema: "main", name: name,
            columns: columns.map { ColumnDescription(name: $0, declaredType: "integer", kind: .int, isNullable: true) },
            primaryKey: pk, foreignKeys: fks)
    }

    /// film → language twice (one fk column stripping to an existing column), a composite fk,
    /// a self reference, a one-to-one `id` fk and an fk whose ref name equals another table.
    static var schema: DatabaseSchema {
        var s = DatabaseSchema(databaseKind: .sqlite, defaultSchema: "main")
        for t in [
            table("language", ["id", "name"]),
            table(
                "film", ["id", "language", "language_id", "original_language_id", "author_id"],
                fks: [
                    fk(["original_language_id"], "language"), fk(["language_id"], "language"),
                    fk(["author_id"], "person"),
                ]),
            table("author", ["id"]),
            table("person", ["id", "boss_id", "mentor"], fks: [fk(["boss_id"], "person"), fk(["mentor"], "person")]),
            table("shelf", ["building", "room"], pk: ["building", "room"]),
            table(
                "book", ["id", "building", "room"],
                fks: [fk(["building", "room"], "shelf", ["building", "room"], name: "book_shelf_fk")]),
            table("film_detail", ["id", "notes"], fks: [fk(["id"], "film")]),
        ] {
            s.tables[t.name] = t
        }
        return s
    }

    @Test func refNames() throws {
        let model = ReflectedModel(schema: Self.schema)
        let film = try #require(model.tables["film"])
        #expect(film.refs.map(\.name) == ["author", "language_ref", "original_language"])
        #expect(film.ref("language_ref")?.foreignKey.columns == ["language_id"])
        #expect(film.ref("author")?.target == "person")  // a ref may share a table's name
        #expect(model.tables["person"]?.refs.map(\.name) == ["boss", "mentor_ref"])
        #expect(model.tables["book"]?.refs.map(\.name) == ["shelf"])
        #expect(model.tables["film_detail"]?.refs.map(\.name) == ["film"])
        #expect(model.notices.isEmpty)
    }

    @Test func backrefNames() throws {
        let model = ReflectedModel(schema: Self.schema)
        let language = try #require(model.tables["language"])
        #expect(language.backrefs.map(\.name) == ["film_by_language", "film_by_original_language"])
        #expect(language.backref("film_by_language")?.refName == "language_ref")
        let person = try #require(model.tables["person"])
        #expect(person.backrefs.map(\.name) == ["film", "person_by_boss", "person_by_mentor"])
        #expect(model.tables["shelf"]?.backrefs.map(\.name) == ["book"])
        #expect(model.tables["film"]?.backrefs.map(\.name) == ["film_detail"])
    }

    @Test func backrefAvoidsColumnsAndRefs() throws {
        var s = DatabaseSchema(databaseKind: .sqlite, defaultSchema: "main")
        // `artist` has a column named like its referencing table, and a ref with that name too.
        s.tables["artist"] = Self.table("artist", ["id", "album", "label_id"], fks: [Self.fk(["label_id"], "label")])
        s.tables["album"] = Self.table("album", ["id", "artist_id"], fks: [Self.fk(["artist_id"], "artist")])
        s.tables["label"] = Self.table("label", ["id", "artist"])
        let model = ReflectedModel(schema: s)
        #expect(model.tables["artist"]?.backrefs.map(\.name) == ["album_by_artist"])
        #expect(model.tables["label"]?.backrefs.map(\.name) == ["artist_by_label"])
    }

    @Test func orderOfForeignKeysDoesNotMatter() {
        var s = Self.schema
        s.tables["film"]?.foreignKeys.reverse()
        s.tables["person"]?.foreignKeys.reverse()
        func names(_ m: ReflectedModel) -> [String] {
            m.tables.keys.sorted().flatMap { key in
                (m.tables[key]?.refs.map { "\(key).\($0.name)=\($0.foreignKey.columns)" } ?? [])
                    + (m.tables[key]?.backrefs.map { "\(key)<\($0.name)=\($0.source)\($0.foreignKey.columns)" } ?? [])
            }.sorted()
        }
        #expect(names(ReflectedModel(schema: s)) == names(ReflectedModel(schema: Self.schema)))
        #expect(names(ReflectedModel(schema: s)).count == 14)
    }

    @Test func overrides() throws {
        let overrides = NamingOverrides(
            refs: [
                "film": ["original_language_id": "source_language", "language_id": "language2"],
                "book": ["book_shelf_fk": "place"],
            ],
            backrefs: ["language": ["film(original_language_id)": "translations"], "shelf": ["book": "books"]])
        let model = ReflectedModel(schema: Self.schema, overrides: overrides)
        #expect(model.tables["film"]?.refs.map(\.name) == ["author", "language2", "source_language"])
        #expect(model.tables["book"]?.refs.map(\.name) == ["place"])
        #expect(model.tables["language"]?.backrefs.map(\.name) == ["film_by_language", "translations"])
        #expect(model.tables["language"]?.backref("film_by_language")?.refName == "language2")
        #expect(model.tables["shelf"]?.backrefs.map(\.name) == ["books"])
        #expect(model.notices.isEmpty)
    }

    @Test func collidingOverrideIsANotice() throws {
        let overrides = NamingOverrides(refs: ["film": ["language_id": "LANGUAGE"]])
        let model = ReflectedModel(schema: Self.schema, overrides: overrides)
        #expect(model.tables["film"]?.ref("language_ref") != nil)
        #expect(model.notices.map(\.kind) == [.namingOverride])
        #expect(model.notices.first?.message.contains("LANGUAGE") == true)
    }

    @Test func foreignKeyToAnUnreflectedTableIsANotice() throws {
        var s = Self.schema
        s.tables["language"] = nil
        let model = ReflectedModel(schema: s)
        #expect(model.tables["film"]?.refs.map(\.name) == ["author"])
        #expect(model.notices.filter { $0.kind == .unresolvedForeignKey }.count == 2)
    }

    @Test func brokeredInfoListsFieldsRefsAndBackrefs() throws {
        let model = ReflectedModel(schema: Self.schema)
        let info = try #require(model.tables["language"]).brokeredInfo
        #expect(Array(info.fields.keys) == ["id", "name"])
        #expect(Array(info.backrefs.keys) == ["film_by_language", "film_by_original_language"])
        #expect(info.refs.keys.contains("_meta"))
    }
}
