/// A connection whose statements can be limited in time by the server.
///
/// The pool sets the configured statement timeout on every connection it opens through this
/// (`if let c = connection as? any StatementTimeoutConfigurable`). A statement running longer
/// fails with a `DatabaseError` of kind `.timeout`.
public protocol StatementTimeoutConfigurable: DatabaseConnection {
    /// Sets the session's statement timeout in seconds; `nil` removes it. Call it outside a
    /// transaction: a setting made inside one may be undone by its rollback.
    func setStatementTimeout(_ seconds: Double?) async throws
}
