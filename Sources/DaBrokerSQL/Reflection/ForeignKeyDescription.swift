import Foundation

/// A foreign key: columns of one table that reference columns of another (or the same) table.
public struct ForeignKeyDescription: Sendable, Hashable, Codable {
    /// The constraint name; `nil` on SQLite, which does not report one.
    public var name: String?
    /// The referencing columns, in constraint order.
    public var columns: [String]
    /// The schema (PostgreSQL schema, MariaDB database, SQLite `main`/attached name) of the
    /// referenced table.
    public var referencedSchema: String
    /// The referenced table's name.
    public var referencedTable: String
    /// The referenced columns, paired with `columns` by position.
    public var referencedColumns: [String]
    public var onDelete: ReferentialAction
    public var onUpdate: ReferentialAction

    public init(
        name: String?, columns: [String], referencedSchema: String, referencedTable: String,
        referencedColumns: [String], onDelete: ReferentialAction = .noAction, onUpdate: ReferentialAction = .noAction
    ) {
        self.name = name
        self.columns = columns
        self.referencedSchema = referencedSchema
        self.referencedTable = referencedTable
        self.referencedColumns = referencedColumns
        self.onDelete = onDelete
        self.onUpdate = onUpdate
    }
}

/// What the database does to referencing rows when the referenced row is deleted or updated.
public enum ReferentialAction: String, Sendable, Hashable, Codable, CaseIterable {
    case noAction = "NO ACTION"
    case restrict = "RESTRICT"
    case cascade = "CASCADE"
    case setNull = "SET NULL"
    case setDefault = "SET DEFAULT"

    /// Parses the spelling of `information_schema` and SQLite's pragmas (`NO ACTION`,
    /// `SET NULL`, …, case-insensitive); unknown spellings read as `.noAction`.
    public init(sqlName: String) {
        let s = sqlName.uppercased().replacingOccurrences(of: "_", with: " ")
        self = ReferentialAction(rawValue: s) ?? .noAction
    }

    /// Parses PostgreSQL's `pg_constraint.confdeltype` / `confupdtype` letter.
    public init(postgresCode: String) {
        switch postgresCode {
        case "r": self = .restrict
        case "c": self = .cascade
        case "n": self = .setNull
        case "d": self = .setDefault
        default: self = .noAction
        }
    }
}
