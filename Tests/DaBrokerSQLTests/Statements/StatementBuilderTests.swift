import DaBrokerCore
import DaBrokerSQL
import Testing

@Suite("Statement building")
struct StatementBuilderTests {
    let pg = StatementBuilder(dialect: PostgresDialect())
    let my = StatementBuilder(dialect: MySQLDialect())
    let lite = StatementBuilder(dialect: SQLiteDialect())

    /// A caller that keeps a SELECT's text binds `parameters(of:)`: what the builder binds.
    @Test func parametersOfFiltersAreThoseTheBuilderBinds() {
        let filters: [[(String, Value)]] = [
            [], [("a", .null)], [("a", 1), ("b", .null), ("c", "x")], [("a", .null), ("b", 2.5), ("c", .null)],
        ]
        for f in filters {
            for builder in [pg, my, lite] {
                #expect(StatementBuilder.parameters(of: f) == builder.select(["id"], from: "t", where: f).parameters)
                #expect(StatementBuilder.parameters(of: f) == builder.count(from: "t", where: f).parameters)
            }
        }
    }

    @Test func selectQuotesIdentifiersAndParameterisesValues() {
        let s = pg.select(
            ["id", "na\"me"], from: "person", schema: "other",
            where: [("name", "Robert'); DROP TABLE x;--"), ("x", .null)],
            orderBy: ["id"], limit: 2, offset: 4)
        #expect(
            s.sql
                == #"SELECT "id", "na""me" FROM "other"."person" WHERE "name" = $1 AND "x" IS NULL ORDER BY "id" LIMIT 2 OFFSET 4"#
        )
        #expect(s.parameters == ["Robert'); DROP TABLE x;--"])
        let m = my.select(["id"], from: "person", where: [("a", 1), ("b", 2)])
        #expect(m.sql == "SELECT `id` FROM `person` WHERE `a` = ? AND `b` = ?")
        #expect(m.parameters == [1, 2])
        #expect(lite.select(["id"], from: "t", where: [("a", 1)]).sql == #"SELECT "id" FROM "t" WHERE "a" = ?1"#)
        // An offset without limit still needs a LIMIT on MariaDB and SQLite; PostgreSQL refuses
        // LIMIT -1 and takes OFFSET alone.
        #expect(my.select(["id"], from: "t", offset: 3).sql.hasSuffix("LIMIT 18446744073709551615 OFFSET 3"))
        #expect(lite.select(["id"], from: "t", offset: 3).sql.hasSuffix("LIMIT -1 OFFSET 3"))
        #expect(pg.select(["id"], from: "t", offset: 3).sql == #"SELECT "id" FROM "t" OFFSET 3"#)
    }

    @Test func dialectsQuoteByDoublingTheirMark() {
        for (name, pgQuoted, myQuoted) in [
            ("plain", "\"plain\"", "`plain`"), ("", "\"\"", "``"), ("say \"hi\"", "\"say \"\"hi\"\"\"", "`say \"hi\"`"),
            ("back`tick", "\"back`tick\"", "`back``tick`"), ("Größe", "\"Größe\"", "`Größe`"),
            ("\"\"", "\"\"\"\"\"\"", "`\"\"`"),
        ] {
            #expect(PostgresDialect().quote(name) == pgQuoted)
            #expect(SQLiteDialect().quote(name) == pgQuoted)
            #expect(MySQLDialect().quote(name) == myQuoted)
        }
    }

    @Test func countInsertDelete() {
        #expect(pg.count(from: "t", where: [("a", 1)]).sql == #"SELECT COUNT(*) FROM "t" WHERE "a" = $1"#)
        let ins = pg.insert(into: "t", values: [("a", 1), ("b", "x")], returning: ["id"])
        #expect(ins.sql == #"INSERT INTO "t" ("a", "b") VALUES ($1, $2) RETURNING "id""#)
        #expect(ins.parameters == [1, "x"])
        #expect(my.insert(into: "t", values: [("a", 1)], returning: ["id"]).sql == "INSERT INTO `t` (`a`) VALUES (?)")
        #expect(my.insert(into: "t", values: []).sql == "INSERT INTO `t` () VALUES ()")
        #expect(lite.insert(into: "t", values: []).sql == #"INSERT INTO "t" DEFAULT VALUES"#)
        let del = lite.delete(from: "t", where: [("a", 1), ("b", 2)])
        #expect(del.sql == #"DELETE FROM "t" WHERE "a" = ?1 AND "b" = ?2"#)
        #expect(del.parameters == [1, 2])
    }

    @Test func updateChecksOldValuesNullSafely() {
        let set: [(String, Value)] = [("name", "new")]
        let key: [(String, Value)] = [("id", 3)]
        let old: [(String, Value)] = [("name", "old"), ("note", .null)]
        let p = pg.update("t", set: set, where: key, expecting: old)
        #expect(
            p.sql
                == #"UPDATE "t" SET "name" = $1 WHERE "id" = $2 AND "name" IS NOT DISTINCT FROM $3 AND "note" IS NULL"#)
        #expect(p.parameters == ["new", 3, "old"])
        #expect(
            my.update("t", set: set, where: key, expecting: old).sql
                == "UPDATE `t` SET `name` = ? WHERE `id` = ? AND `name` <=> ? AND `note` IS NULL")
        #expect(
            lite.update("t", set: set, where: key, expecting: old).sql
                == #"UPDATE "t" SET "name" = ?1 WHERE "id" = ?2 AND "name" IS ?3 AND "note" IS NULL"#)
    }
}
