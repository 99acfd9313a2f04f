/// Why the database refused a change, in a small set of classes that are the same on every
/// database (PostgreSQL SQLSTATE, MariaDB errno and SQLite extended result codes map onto it).
///
/// The broker turns each class into an error type of the wire protocol (`NotNull`, `Unique`,
/// …; see docs/protocol.md), carrying the exported column and constraint names.
public enum DatabaseRefusal: String, Sendable, Hashable, CaseIterable, Codable {
    /// A column that must have a value got NULL (or no value and no default).
    case notNull
    /// A unique constraint or primary key already holds the value.
    case unique
    /// A foreign-key value names no row of the referenced table (insert or update).
    case foreignKey
    /// The row is still referenced by a foreign key of another row (delete).
    case referenced
    /// A CHECK constraint, a domain's check or a trigger refused the row.
    case check
    /// The value is not valid for the column's type (`'10xyz'` for an int, an unknown enum label).
    case invalidValue
    /// The value is valid for the type but too large, too small or too long for the column.
    case outOfRange
    /// The column or table cannot be written (a generated column, a view, a rule, a privilege).
    case notWritable
    /// No partition of a partitioned table accepts the row.
    case noPartition

    /// A short phrase for messages: "violates a NOT NULL constraint", ….
    public var phrase: String {
        switch self {
        case .notNull: "a value is required"
        case .unique: "the value is already taken (unique constraint)"
        case .foreignKey: "the referenced row does not exist (foreign key)"
        case .referenced: "the row is still referenced by other rows (foreign key)"
        case .check: "a check constraint refused the row"
        case .invalidValue: "a value is not valid for its column's type"
        case .outOfRange: "a value is out of range for its column"
        case .notWritable: "the database does not allow this write"
        case .noPartition: "no partition accepts the row"
        }
    }
}
