/// An error raised by a database driver, the pool or a session.
///
/// `kind` says what went wrong in a form code can branch on (reconnect, retry, report);
/// `refusal` classifies a refused change (not-null, unique, foreign key, …) the same way on
/// every database. `message` says what failed for a person, naming the table, column,
/// constraint, parameter or type involved, but never a value: the database's own text,
/// which may quote a row or a key, is kept apart in `serverMessage`, out of `description`
/// (as postgres-nio's `PSQLError` does). Log `serverMessage` at debug level only.
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
        /// No connection could be had in time (pool exhausted, or the database unreachable).
        case unavailable
        /// The API was used in a way it does not allow (a session used by two tasks at once, …).
        case misuse
        /// A parameter value cannot be sent to this database (wrong `Value` case, count mismatch).
        case parameter
        /// A result column has a database type with no `Value` mapping (see docs/types.md).
        case unmappedType
        /// The server or client library behaved unexpectedly (malformed data, out of memory).
        case `internal`
    }

    public var kind: Kind
    /// What went wrong, for a person: names the statement part, parameter, table, column or
    /// type, never a value.
    public var message: String
    /// The five-character SQLSTATE the server reported, if any.
    public var sqlState: String?
    /// The native error number (MariaDB error code, SQLite result code), if any.
    public var code: Int?
    /// The table involved, when known (for `unmappedType`, constraint errors).
    public var table: String?
    /// The column involved, when known (the first of `columns`).
    public var column: String? {
        get { columns.first }
        set { columns = newValue.map { [$0] } ?? [] }
    }
    /// The columns involved, when the database names them (a unique key's columns on SQLite).
    public var columns: [String]
    /// The database type name involved (for `unmappedType`; a domain's name for a domain check).
    public var typeName: String?
    /// The class of a refused change, when the database refused one.
    public var refusal: DatabaseRefusal?
    /// The name of the constraint (or MariaDB key) involved, when the database gives it.
    public var constraint: String?
    /// The database's own text (message, detail, hint). It may quote parameter values and
    /// stored rows: it is never part of `description`, and is logged at debug level only.
    public var serverMessage: String?

    public init(
        _ kind: Kind, _ message: String, sqlState: String? = nil, code: Int? = nil,
        table: String? = nil, column: String? = nil, typeName: String? = nil, refusal: DatabaseRefusal? = nil,
        constraint: String? = nil, columns: [String] = [], serverMessage: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.code = code
        self.table = table
        self.columns = columns.isEmpty ? (column.map { [$0] } ?? []) : columns
        self.typeName = typeName
        self.refusal = refusal
        self.constraint = constraint
        self.serverMessage = serverMessage
    }

    /// Whether the connection that raised this error is gone and must be replaced.
    public var isConnectionLost: Bool { kind == .connectionLost }

    /// What failed, without the database's text or any value: safe for logs at any level.
    public var description: String {
        var s = "\(kind.rawValue): \(message)"
        if let sqlState { s += " (SQLSTATE \(sqlState))" }
        if let code { s += " (code \(code))" }
        return s
    }

    /// `description` followed by the database's own text, which may hold values: for the
    /// operator's own tools (`dabroker migrate`) and debug logs, never for a client.
    public var detailedDescription: String {
        guard let serverMessage, !serverMessage.isEmpty else { return description }
        return description + " — the database said: " + serverMessage
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

    /// The message of an error the server reported: what kind of failure, the refusal class
    /// and the names the server gave, never its text.
    static func summary(
        _ database: String, kind: Kind, refusal: DatabaseRefusal?, table: String?, columns: [String],
        constraint: String?
    ) -> String {
        var s = "\(database) refused the statement"
        if kind == .transactionConflict { s = "\(database) ended the transaction in a conflict" }
        if let refusal { s += ": " + refusal.phrase }
        if let table { s += "; table \(table)" }
        if !columns.isEmpty { s += "; column \(columns.joined(separator: ", "))" }
        if let constraint { s += "; constraint \(constraint)" }
        return s
    }
}
