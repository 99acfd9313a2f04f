import DaBrokerCore

/// A driver's connection state whose brief statements may run at once on another thread
/// that must not wait long (an AMQP I/O thread), for a driver without a socket to poll
/// (SQLite).
protocol BriefDriver: AnyObject {
    /// Runs `sql` if it is brief; `nil`, with nothing changed, when it must run with
    /// ``execute(_:_:)`` on the connection's thread instead. Never waits for long.
    func executeBriefly(_ sql: String, _ parameters: [Value]) throws -> QueryResult?
    /// Runs a statement the blocking way.
    func execute(_ sql: String, _ parameters: [Value]) throws -> QueryResult
}
