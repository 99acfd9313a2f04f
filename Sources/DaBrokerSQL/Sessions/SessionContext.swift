/// The sessions open in the current task, keyed by database (a task-local, so nested
/// `withSession` calls in the same task find and reuse them).
enum SessionContext {
    @TaskLocal static var sessions: [ObjectIdentifier: Session] = [:]

    static func current(for database: Database) -> Session? {
        sessions[ObjectIdentifier(database)]
    }
}
