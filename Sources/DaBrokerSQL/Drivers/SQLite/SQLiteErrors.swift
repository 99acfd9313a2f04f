extension DatabaseError {
    /// An error of the SQLite driver: SQLite's result code as `code`, the statement in the message.
    static func sqlite(_ kind: Kind, _ message: String, code: Int32? = nil, sql: String? = nil) -> DatabaseError {
        DatabaseError(kind, message + (sql.map { " in `\($0)`" } ?? ""), code: code.map(Int.init))
    }
}
