/// An error raised by a database driver, the pool or a session.
///
/// `kind` says what went wrong in a form code can branch on (reconnect, retry, report);
/// `message` says it for a person, naming the table, column, parameter or type involved.
/// `sqlState` and `code` carry what the server (or client library) reported, when it did.
public struct DatabaseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, coarse enough to act upon.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The connection could not be opened (bad URL, refused, authentication failed).
        case connection
        /// An open connection broke: server restarted, connection killed, network gone.
        /// The connection is unusable; a pool should drop it and open a new one.
        case connectionLost
        /// The connection was closed by this process (`close()` was called).
        case closed
        /// The server rejected the statement (syntax, unknown table/column, wrong types, …).
        case statement
        /// An integrity constraint refused the change (unique, foreign key, not null, check).
        case constraint
        /// A deadlock or serialization failure: the transaction may succeed if retried.
        case transactionConflict
        /// The statement ran longer than the statement timeout and was cancelled.
        case timeout
        /// A parameter value cannot be sent to this database (wrong `Value` case, count mismatch).
        case parameter
        /// A result column has a database type with no `Value` mapping (see docs/types.md).
        case unmappedType
        /// The server or client library behaved unexpectedly (malformed data, out of memory).
        case `internal`
    }

    public var kind: Kind
    /// What went wrong, for a person: names the statement part, parameter, table, column or type.
    public var message: String
    /// The five-character SQLSTATE the server reported, if any.
    public var sqlState: String?
    /// The native error number (MariaDB error code, SQLite result code), if any.
    public var code: Int?
    /// The table involved, when known (for `unmappedType`, constraint errors).
    public var table: String?
    /// The column involved, when known.
    public var column: String?
    /// The database type name involved (for `unmappedType`).
    public var typeName: String?

    public init(
        _ kind: Kind, _ message: String, sqlState: String? = nil, code: Int? = nil,
        table: String? = nil, column: String? = nil, typeName: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.code = code
        self.table = table
        self.column = column
        self.typeName = typeName
    }

    /// Whether the connection that raised this error is gone and must be replaced.
    public var isConnectionLost: Bool { kind == .connectionLost }

    public var description: String {
        var s = "\(kind.rawValue): \(message)"
        if let sqlState { s += " (SQLSTATE \(sqlState))" }
        if let code { s += " (code \(code))" }
        return s
    }

    /// A result column whose type has no `Value` mapping.
    public static func unmappedType(table: String?, column: String, typeName: String) -> DatabaseError {
        let place = table.map { "\($0).\(column)" } ?? column
        return DatabaseError(
            .unmappedType, "column \(place) has type \(typeName), which has no Value mapping (see docs/types.md)",
            table: table, column: column, typeName: typeName)
    }

    /// Use of a connection after `close()`.
    public static func closed(_ what: String) -> DatabaseError {
        DatabaseError(.closed, "\(what): the connection is closed")
    }
}
