import DaBrokerCore

/// One SQL statement with its positional parameters, ready for
/// ``DatabaseConnection/execute(_:_:)``.
public struct SQLStatement: Sendable, Hashable, CustomStringConvertible {
    public var sql: String
    public var parameters: [Value]

    public init(_ sql: String, _ parameters: [Value] = []) {
        self.sql = sql
        self.parameters = parameters
    }

    /// The SQL text only (parameters are never printed: they may hold hidden values).
    public var description: String { sql }
}

extension DatabaseConnection {
    /// Runs a built statement.
    public func execute(_ statement: SQLStatement) async throws -> QueryResult {
        try await execute(statement.sql, statement.parameters)
    }
}
