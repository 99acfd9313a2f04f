import DaBrokerCore
import DaBrokerSQL
import Testing

@Suite("Query statements: conditions, ordering, keyset, counts, upsert")
struct QueryStatementTests {
    let pg = StatementBuilder(dialect: PostgresDialect())
    let my = StatementBuilder(dialect: MySQLDialect())
    let lite = StatementBuilder(dialect: SQLiteDialect())

    @Test func conditionsNestAndParameteriseEveryValue() {
        let c = SQLCondition.and([
            .compare("born", .greater, 1900),
            .any([.all([.compare("name", .notEqual, "x'; --"), .isNotNull("note")]), .oneOf("id", [1, 2, .null])]),
            .oneOf("id", []), .compare("a", .equal, .null), .compare("a", .notEqual, .null),
            .compare("a", .less, .null),
        ])
        let s = pg.select(["id"], from: "p", condition: c, limit: 5)
        #expect(
            s.sql
                == #"SELECT "id" FROM "p" WHERE "born" > $1 AND (("name" <> $2 AND "note" IS NOT NULL) OR ("id" IN ($3, $4) OR "id" IS NULL)) AND 1 = 0 AND "a" IS NULL AND "a" IS NOT NULL AND 1 = 0 LIMIT 5"#
        )
        #expect(s.parameters == [1900, "x'; --", 1, 2])
        #expect(my.count(from: "p", condition: .any([])).sql == "SELECT COUNT(*) FROM `p` WHERE 1 = 0")
        #expect(lite.count(from: "p", condition: .all([])).sql == #"SELECT COUNT(*) FROM "p" WHERE 1 = 1"#)
        #expect(
            lite.count(from: "p", condition: .compare("a", .lessOrEqual, 3)).sql
                == #"SELECT COUNT(*) FROM "p" WHERE "a" <= ?1"#)
    }

    @Test func likeEscapesTheSameWayOnEveryDatabase() {
        #expect(SQLCondition.prefixPattern(#"50%_a\b"#) == #"50\%\_a\\b%"#)
        #expect(SQLCondition.containsPattern("ä") == "%ä%")
        #expect(SQLCondition.endsWithLoneEscape(#"ab\"#))
        #expect(!SQLCondition.endsWithLoneEscape(#"ab\\"#))
        let cs = SQLCondition.like("name", pattern: #"a\%b_%"#, caseInsensitive: false)
        let ci = SQLCondition.like("name", pattern: "a%", caseInsensitive: true)
        #expect(pg.count(from: "t", condition: cs).sql.hasSuffix(#"CAST("name" AS text) LIKE $1 ESCAPE '\'"#))
        #expect(pg.count(from: "t", condition: ci).sql.hasSuffix(#"CAST("name" AS text) ILIKE $1 ESCAPE '\'"#))
        #expect(
            my.count(from: "t", condition: cs).sql.hasSuffix(
                "CONVERT(`name` USING utf8mb4) COLLATE utf8mb4_bin LIKE ? ESCAPE CHAR(92)"))
        #expect(
            my.count(from: "t", condition: ci).sql.hasSuffix(
                "LOWER(CONVERT(`name` USING utf8mb4)) COLLATE utf8mb4_bin LIKE LOWER(?) ESCAPE CHAR(92)"))
        // SQLite's LIKE ignores ASCII case: the case-sensitive form is GLOB, pattern translated.
        let g = lite.count(from: "t", condition: cs)
        #expect(g.sql.hasSuffix(#""name" GLOB ?1"#))
        #expect(g.parameters == ["a%b?*"])
        let g2 = lite.count(from: "t", condition: .like("n", pattern: #"[*?]\_"#, caseInsensitive: false))
        #expect(g2.parameters == ["[[][*][?]]_"])
        #expect(lite.count(from: "t", condition: ci).sql.hasSuffix(#"LOWER("name") LIKE LOWER(?1) ESCAPE '\'"#))
    }

    @Test func nullsSortLastAscendingAndFirstDescendingEverywhere() {
        let order = [SQLOrderTerm("born", descending: true), SQLOrderTerm("name"), SQLOrderTerm("id", nullable: false)]
        #expect(
            pg.select(["id"], from: "p", condition: nil, order: order).sql
                == #"SELECT "id" FROM "p" ORDER BY "born" DESC, "name", "id""#)
        #expect(
            my.select(["id"], from: "p", condition: nil, order: order).sql
                == "SELECT `id` FROM `p` ORDER BY `born` IS NULL DESC, `born` DESC, `name` IS NULL, `name`, `id`")
        #expect(
            lite.select(["id"], from: "p", condition: nil, order: order, forUpdate: true).sql
                == #"SELECT "id" FROM "p" ORDER BY "born" IS NULL DESC, "born" DESC, "name" IS NULL, "name", "id""#)
        #expect(pg.select(["id"], from: "p", condition: nil, forUpdate: true).sql.hasSuffix("FOR UPDATE"))
    }

    @Test func keysetPredicateFollowsDirectionsAndNulls() {
        let order = [SQLOrderTerm("born", descending: true), SQLOrderTerm("name"), SQLOrderTerm("id", nullable: false)]
        // After (1950, "x", 7): born < 1950, or born = 1950 and (name > "x" or name null), or …
        let a = pg.count(from: "p", condition: SQLOrderTerm.after([1950, "x", 7], in: order))
        #expect(
            a.sql
                == #"SELECT COUNT(*) FROM "p" WHERE ("born" < $1 OR ("born" = $2 AND ("name" > $3 OR "name" IS NULL)) OR ("born" = $4 AND "name" = $5 AND "id" > $6))"#
        )
        #expect(a.parameters == [1950, 1950, "x", 1950, "x", 7])
        // After (NULL, NULL, 7): descending NULLs come first, so every non-null born is after;
        // ascending NULL name is last, so only a larger id with the same NULLs is.
        let b = pg.count(from: "p", condition: SQLOrderTerm.after([.null, .null, 7], in: order))
        #expect(
            b.sql
                == #"SELECT COUNT(*) FROM "p" WHERE ("born" IS NOT NULL OR ("born" IS NULL AND "name" IS NULL AND "id" > $1))"#
        )
        let single = SQLOrderTerm.after([3], in: [SQLOrderTerm("id", nullable: false)])
        #expect(single == .compare("id", .greater, 3))
    }

    @Test func estimatesAndInsertIfAbsent() {
        #expect(pg.estimatedCount(of: "p", schema: nil)?.parameters == [.null, "p"])
        #expect(my.estimatedCount(of: "p", schema: "s")?.sql.contains("TABLE_ROWS") == true)
        #expect(lite.estimatedCount(of: "p", schema: nil) == nil)
        let values: [(String, Value)] = [("id", 1), ("name", "a")]
        #expect(
            pg.insertIfAbsent(into: "p", values: values, conflict: ["id"], returning: ["id"]).sql
                == #"INSERT INTO "p" ("id", "name") VALUES ($1, $2) ON CONFLICT ("id") DO NOTHING RETURNING "id""#)
        #expect(
            lite.insertIfAbsent(into: "p", values: values, conflict: ["id"]).sql
                == #"INSERT INTO "p" ("id", "name") VALUES (?1, ?2) ON CONFLICT ("id") DO NOTHING"#)
        #expect(
            my.insertIfAbsent(into: "p", values: values, conflict: ["id"]).sql
                == "INSERT INTO `p` (`id`, `name`) VALUES (?, ?)")
    }
}
