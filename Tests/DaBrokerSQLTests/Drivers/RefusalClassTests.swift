import Testing

@testable import DaBrokerSQL

/// The refusal classes of the three drivers, from the codes and texts the servers send
/// (quoted from PostgreSQL 15, MariaDB 10.11 and SQLite 3).
@Suite("Refusal classes: SQLSTATE, MariaDB errno, SQLite extended codes")
struct RefusalClassTests {
    @Test func postgres() {
        #expect(PostgresRefusal.classify("23502", constraint: nil, dataType: nil) == .notNull)
        #expect(PostgresRefusal.classify("23505", constraint: "k", dataType: nil) == .unique)
        #expect(PostgresRefusal.classify("23503", constraint: "fk", dataType: nil) == .foreignKey)
        #expect(PostgresRefusal.classify("23514", constraint: "c", dataType: nil) == .check)
        #expect(PostgresRefusal.classify("23514", constraint: "c", dataType: "positive_price") == .check)
        #expect(PostgresRefusal.classify("23514", constraint: nil, dataType: nil) == .noPartition)
        #expect(PostgresRefusal.classify("22P02", constraint: nil, dataType: nil) == .invalidValue)
        #expect(PostgresRefusal.classify("22003", constraint: nil, dataType: nil) == .outOfRange)
        #expect(PostgresRefusal.classify("428C9", constraint: nil, dataType: nil) == .notWritable)
        #expect(PostgresRefusal.classify("55000", constraint: nil, dataType: nil) == .notWritable)
        #expect(PostgresRefusal.classify("42601", constraint: nil, dataType: nil) == nil)
    }

    @Test func mariadb() {
        let dup = MariaDBRefusal.classify(1062, "Duplicate entry 'dave-HASH_SECRET' for key 'account_login_key'")
        #expect(dup == MariaDBRefusal(refusal: .unique, constraint: "account_login_key"))
        let fk = MariaDBRefusal.classify(
            1452,
            "Cannot add or update a child row: a foreign key constraint fails (`db`.`item`, CONSTRAINT `item_category_fk`"
                + " FOREIGN KEY (`category_id`) REFERENCES `category` (`id`))")
        #expect(fk == MariaDBRefusal(refusal: .foreignKey, columns: ["category_id"], constraint: "item_category_fk"))
        #expect(MariaDBRefusal.classify(1451, "Cannot delete or update a parent row: …")?.refusal == .referenced)
        #expect(
            MariaDBRefusal.classify(4025, "CONSTRAINT `item_qty_nonneg` failed for `db`.`item`")
                == MariaDBRefusal(refusal: .check, constraint: "item_qty_nonneg"))
        #expect(
            MariaDBRefusal.classify(1366, "Incorrect integer value: '10xyz' for column `db`.`item`.`qty` at row 1")
                == MariaDBRefusal(refusal: .invalidValue, columns: ["qty"]))
        #expect(
            MariaDBRefusal.classify(1264, "Out of range value for column 'qty' at row 1")
                == MariaDBRefusal(refusal: .outOfRange, columns: ["qty"]))
        #expect(
            MariaDBRefusal.classify(1048, "Column 'title' cannot be null")
                == MariaDBRefusal(refusal: .notNull, columns: ["title"]))
        #expect(
            MariaDBRefusal.classify(1364, "Field 'title' doesn't have a default value")
                == MariaDBRefusal(refusal: .notNull, columns: ["title"]))
        #expect(
            MariaDBRefusal.classify(
                1906, "The value specified for generated column 'doubled' in table 'item' has been ignored")
                == MariaDBRefusal(refusal: .notWritable, columns: ["doubled"]))
        #expect(MariaDBRefusal.classify(1526, "Table has no partition for value 2030")?.refusal == .noPartition)
        #expect(MariaDBRefusal.classify(1064, "You have an error in your SQL syntax") == nil)
    }

    @Test func sqlite() {
        #expect(
            SQLiteRefusal.classify(SQLiteRefusal.notNull, "NOT NULL constraint failed: item.title")
                == SQLiteRefusal(refusal: .notNull, table: "item", columns: ["title"]))
        #expect(
            SQLiteRefusal.classify(SQLiteRefusal.unique, "UNIQUE constraint failed: account.owner, account.pass_hash")
                == SQLiteRefusal(refusal: .unique, table: "account", columns: ["owner", "pass_hash"]))
        #expect(
            SQLiteRefusal.classify(SQLiteRefusal.check, "CHECK constraint failed: item_qty_nonneg")
                == SQLiteRefusal(refusal: .check, constraint: "item_qty_nonneg"))
        #expect(SQLiteRefusal.classify(SQLiteRefusal.check, "CHECK constraint failed: qty >= 0")?.constraint == nil)
        #expect(
            SQLiteRefusal.classify(SQLiteRefusal.foreignKey, "FOREIGN KEY constraint failed")?.refusal == .foreignKey)
        #expect(SQLiteRefusal.classify(1, "no such table: x") == nil)
    }

    @Test func descriptionHoldsNoServerText() {
        let e = DatabaseError(
            .constraint, "PostgreSQL refused the statement: the value is already taken", sqlState: "23505",
            refusal: .unique, serverMessage: "Key (owner, pass_hash)=(dave, HASH_SECRET) already exists.")
        #expect(!e.description.contains("HASH_SECRET"))
        #expect(!"\(e)".contains("HASH_SECRET"))
        #expect(!String(reflecting: e).contains("HASH_SECRET"))
        #expect(e.detailedDescription.contains("HASH_SECRET"))
    }
}
