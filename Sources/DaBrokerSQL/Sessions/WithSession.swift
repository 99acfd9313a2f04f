/// Runs `body` in a session on `database`: a transaction that commits when `body` returns and
/// rolls back when it throws.
///
/// Inside a session on the same database (same task), the call nests instead: a savepoint that
/// is released when `body` returns and rolled back when it throws, leaving the outer scope
/// intact. A non-transactional session (`transactional: false`, e.g. for MyISAM/Aria tables)
/// nests flat: the inner scope joins the outer one, nothing is rolled back, and a warning is
/// logged once. `transactional` only matters for the outermost call. See docs/sessions.md.
public func withSession<T>(
    on database: Database,
    transactional: Bool = true,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (Session) async throws -> T
) async throws -> T {
    if let session = SessionContext.current(for: database) {
        return try await session.runNested(isolation: isolation, body)
    }
    let session = try await Session.begin(on: database, transactional: transactional)
    var sessions = SessionContext.sessions
    sessions[ObjectIdentifier(database)] = session
    let result: T
    do {
        result = try await SessionContext.$sessions.withValue(sessions, operation: { try await body(session) })
    } catch {
        await session.finish(commit: false)
        throw error
    }
    try await session.commit()
    return result
}

extension Database {
    /// `withSession(on: self, …)`: a transaction, or a savepoint inside the current one.
    public func withSession<T>(
        transactional: Bool = true,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Session) async throws -> T
    ) async throws -> T {
        try await DaBrokerSQL.withSession(on: self, transactional: transactional, isolation: isolation, body)
    }
}
