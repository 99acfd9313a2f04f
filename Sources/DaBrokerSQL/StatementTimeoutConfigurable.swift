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

/// A statement timeout in whole milliseconds (at least 1), or 0 for none (`nil` or `0`);
/// throws for negative, non-finite or absurdly long values (over 24 days).
func statementTimeoutMilliseconds(_ seconds: Double?) throws -> Int64 {
    guard let seconds, seconds != 0 else { return 0 }
    guard seconds.isFinite, seconds > 0, seconds <= 2_000_000 else {
        throw DatabaseError(
            .parameter, "statement timeout \(seconds) s: expected nil or 0 (none) or 0 < seconds ≤ 2000000")
    }
    return max(1, Int64((seconds * 1000).rounded()))
}
