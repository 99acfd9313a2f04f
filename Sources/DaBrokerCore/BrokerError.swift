/// An error that travels to clients, with one of the stable type names of the protocol.
///
/// The message names what was wrong (table, column, value, method) and never carries a
/// hidden value or a traceback.
public struct BrokerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable error types of the wire protocol (`_t`).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case noData = "NoData"
        case manyData = "ManyData"
        case unknownCommand = "UnknownCommand"
        case accessDenied = "AccessDenied"
        case staleData = "StaleData"
        case badRequest = "BadRequest"
        case readOnly = "ReadOnly"
        case unavailable = "Unavailable"
        case `internal` = "Internal"
        /// The database refused a change: a column that needs a value got none (details:
        /// `table`, `column`). See docs/protocol.md §8 for the details of each class.
        case notNull = "NotNull"
        /// The database refused a change: a unique constraint or key already holds the value
        /// (details: `table`, `column`, `constraint`).
        case unique = "Unique"
        /// The database refused a change: a foreign-key value names no row (`table`,
        /// `column`, `constraint`).
        case foreignKey = "ForeignKey"
        /// The database refused a delete: other rows still refer to the row (`table`, `constraint`).
        case referenced = "Referenced"
        /// The database refused a change: a CHECK or domain constraint (`table`, `constraint`).
        case check = "Check"
        /// A value does not fit its column's type (`table`, `column`, `expected`, `allowed`);
        /// found by the server before any SQL runs, or by the database.
        case invalidValue = "InvalidValue"
        /// A value fits the column's type but is out of its range (`table`, `column`, `expected`).
        case outOfRange = "OutOfRange"
        /// The column or table cannot be written: a generated column, a view, a rule
        /// (`table`, `column`).
        case notWritable = "NotWritable"
        /// No partition of a partitioned table accepts the row (`table`).
        case noPartition = "NoPartition"
    }

    /// Whether this is one of the classes of a refused change (not-null, unique, …), whose
    /// details name the table, columns and constraint.
    public var isRefusal: Bool { Self.refusalKinds.contains(kind) }

    /// The kinds that classify a refused change.
    public static let refusalKinds: Set<Kind> = [
        .notNull, .unique, .foreignKey, .referenced, .check, .invalidValue, .outOfRange, .notWritable, .noPartition,
    ]

    public var kind: Kind
    public var message: String
    /// Extra details, as strings (`field` for StaleData, for example).
    public var details: [String: String]

    public init(_ kind: Kind, _ message: String, details: [String: String] = [:]) {
        self.kind = kind
        self.message = message
        self.details = details
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    public static func noData(_ m: String) -> BrokerError { .init(.noData, m) }
    public static func manyData(_ m: String) -> BrokerError { .init(.manyData, m) }
    public static func unknownCommand(_ m: String) -> BrokerError { .init(.unknownCommand, m) }
    public static func accessDenied(_ m: String) -> BrokerError { .init(.accessDenied, m) }
    public static func staleData(_ m: String) -> BrokerError { .init(.staleData, m) }
    public static func badRequest(_ m: String) -> BrokerError { .init(.badRequest, m) }
    public static func readOnly(_ m: String) -> BrokerError { .init(.readOnly, m) }
    public static func unavailable(_ m: String) -> BrokerError { .init(.unavailable, m) }
    public static func `internal`(_ m: String) -> BrokerError { .init(.internal, m) }
}
