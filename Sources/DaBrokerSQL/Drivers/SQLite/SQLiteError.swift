/// An error reported by the SQLite driver: what failed, the SQLite result code and message,
/// and the statement it happened in.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is, independent of SQLite's numeric codes.
    public enum Kind: String, Sendable {
        /// The database file could not be opened or configured.
        case connection
        /// A statement failed to prepare or run.
        case statement
        /// A constraint (unique, foreign key, not null, check) was violated.
        case constraint
        /// A value cannot be mapped between SQLite and `Value` (the message names column and type).
        case unmappedType
        /// The statement ran longer than the statement timeout, or the database stayed busy.
        case timeout
        /// The connection was closed.
        case closed
    }

    public var kind: Kind
    /// SQLite's (extended) result code, or `nil` for errors raised by the driver itself.
    public var code: Int32?
    public var message: String
    /// The statement that failed, if any.
    public var sql: String?

    public init(_ kind: Kind, _ message: String, code: Int32? = nil, sql: String? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
        self.sql = sql
    }

    public var description: String {
        var s = "SQLite \(kind.rawValue) error: \(message)"
        if let code { s += " (code \(code))" }
        if let sql { s += " in `\(sql)`" }
        return s
    }
}
