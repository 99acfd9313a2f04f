/// Something reflection noticed and worked around instead of failing: the server logs these
/// at start-up.
public struct ReflectionNotice: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What kind of situation this is.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A view: exported read-only at most.
        case view
        /// A table without primary key: exported read-only at most.
        case noPrimaryKey
        /// A column whose type has no `Value` mapping: left out of the table's fields.
        case unmappedType
        /// A foreign key whose target table was not reflected (excluded schema): no ref.
        case unresolvedForeignKey
        /// A catalog object that could not be read (e.g. a broken SQLite view).
        case unreadable
        /// A naming override that could not be applied (unknown key or a name collision).
        case namingOverride
        /// The catalog had to be read the slow way (MariaDB without the PROCESS privilege:
        /// foreign keys from `information_schema`, which opens every table). `table` is empty.
        case slowCatalog
        /// PostgreSQL partitions and inheritance children: not exported by default (the
        /// partitioned or parent table serves their rows). `table` is empty.
        case inheritance
        /// A table whose writes `DO INSTEAD` rules rewrite: read-only at most.
        case insteadRule
    }

    public var kind: Kind
    /// The table key (see ``DatabaseSchema/key(schema:name:)``).
    public var table: String
    public var column: String?
    public var message: String

    public init(kind: Kind, table: String, column: String? = nil, message: String) {
        self.kind = kind
        self.table = table
        self.column = column
        self.message = message
    }

    public var description: String { message }
}
