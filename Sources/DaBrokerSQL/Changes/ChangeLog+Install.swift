import DaBrokerCore

/// Installing, removing and inspecting change capture on a database.
extension ChangeLog {
    /// Creates the log (if missing) and (re)creates the capture triggers of `tables`, which
    /// must have primary keys. Idempotent: installing twice leaves the same triggers.
    public func install(_ db: Database, tables: [TableDescription]) async throws {
        try await db.withConnection { conn in
            for statement in installStatements { _ = try await conn.execute(statement) }
            for t in tables where !t.primaryKey.isEmpty {
                for statement in triggerStatements(table: t.name, schema: t.schema, key: t.primaryKey) {
                    _ = try await conn.execute(statement)
                }
            }
        }
    }

    /// Removes the capture triggers of `tables` only (the log stays).
    public func drop(_ db: Database, tables: [TableDescription]) async throws {
        try await db.withConnection { conn in
            for t in tables {
                for statement in dropTriggerStatements(table: t.name, schema: t.schema) {
                    _ = try await conn.execute(statement)
                }
            }
        }
    }

    /// Removes every capture trigger, the log, its state and (PostgreSQL) the trigger
    /// function: no trace is left. Returns the tables that were captured.
    @discardableResult
    public func uninstall(_ db: Database, schemaOf: (String) -> String? = { _ in nil }) async throws -> [String] {
        let captured = try await capturedTables(db)
        let drops = captured.flatMap { dropTriggerStatements(table: $0, schema: schemaOf($0)) }
        try await db.withConnection { conn in
            for statement in drops { _ = try await conn.execute(statement) }
            for statement in uninstallStatements { _ = try await conn.execute(statement) }
        }
        return captured
    }

    /// The tables that have capture triggers, by name.
    public func capturedTables(_ db: Database) async throws -> [String] {
        try await db.execute(capturedTablesQuery).rows.compactMap {
            if case .string(let s) = $0[0] { return s }
            return nil
        }
    }

    /// Whether the log table exists.
    public func isInstalled(_ db: Database) async throws -> Bool {
        try await !db.execute(logExistsQuery).rows.isEmpty
    }

    /// How many records the log holds.
    public func size(_ db: Database) async throws -> Int64 {
        Self.int(try await db.execute("SELECT COUNT(*) FROM \(dialect.quote(Self.table))").rows.first?[0])
    }
}
