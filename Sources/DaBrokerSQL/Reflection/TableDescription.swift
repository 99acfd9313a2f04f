/// One reflected table or view: its columns in order, keys, foreign keys and comment.
public struct TableDescription: Sendable, Hashable, Codable {
    /// The schema: PostgreSQL schema, MariaDB database, SQLite `main` or attached name.
    public var schema: String
    /// The table name, exactly as the catalog spells it.
    public var name: String
    /// Whether this is a view (or materialized view) rather than a base table.
    public var isView: Bool
    /// The columns, in table order.
    public var columns: [ColumnDescription]
    /// The primary-key columns in key order; empty when the table has no primary key.
    public var primaryKey: [String]
    public var uniqueConstraints: [UniqueConstraintDescription]
    /// The table's foreign keys, ordered by their columns.
    public var foreignKeys: [ForeignKeyDescription]
    /// MariaDB only: the storage engine (`InnoDB`, `MyISAM`, …).
    public var engine: String?
    /// MariaDB only: whether the engine supports transactions (InnoDB yes; MyISAM, Aria,
    /// MEMORY, CSV no). `nil` on other databases and for views.
    public var isTransactional: Bool?
    /// The table's comment, if any.
    public var comment: String?
    /// PostgreSQL only: the table key of the parent an old-style inheritance child
    /// (`INHERITS`) inherits from. Such children are not exported unless configured by name:
    /// the parent's rows already include theirs.
    public var inheritsFrom: String?
    /// PostgreSQL only: the `DO INSTEAD` rules that rewrite writes to this table
    /// (`rule (INSERT)`); the broker cannot read back what it wrote, so the table is read-only at most.
    public var insteadRules: [String] = []

    public init(
        schema: String, name: String, isView: Bool = false, columns: [ColumnDescription] = [],
        primaryKey: [String] = [], uniqueConstraints: [UniqueConstraintDescription] = [],
        foreignKeys: [ForeignKeyDescription] = [], engine: String? = nil, isTransactional: Bool? = nil,
        comment: String? = nil
    ) {
        self.schema = schema
        self.name = name
        self.isView = isView
        self.columns = columns
        self.primaryKey = primaryKey
        self.uniqueConstraints = uniqueConstraints
        self.foreignKeys = foreignKeys
        self.engine = engine
        self.isTransactional = isTransactional
        self.comment = comment
    }

    /// The column named `name` (exact spelling), if any.
    public func column(_ name: String) -> ColumnDescription? {
        columns.first { $0.name == name }
    }

    /// Whether clients may at most read this table: views and tables without a primary key
    /// cannot address single rows for update or delete.
    public var isReadOnlyAtMost: Bool { isView || primaryKey.isEmpty || !insteadRules.isEmpty }

    /// Why the table is read-only at most (`nil` when it is not): for notices.
    public var readOnlyReason: String? {
        if isView { return "a view" }
        if primaryKey.isEmpty { return "a table without primary key" }
        if !insteadRules.isEmpty {
            return "a table whose writes DO INSTEAD rules rewrite (\(insteadRules.joined(separator: ", ")))"
        }
        return nil
    }
}
