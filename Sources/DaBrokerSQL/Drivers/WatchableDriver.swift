import DaBrokerCore

/// A driver's connection state whose statements can be sent from another thread and their
/// answers awaited in that thread's `poll` (``DescriptorWatch``), instead of on the
/// connection's own thread.
protocol WatchableDriver: AnyObject {
    /// Sends `sql` without waiting for the answer; `false` when it must run with
    /// ``execute(_:_:)`` on the connection's thread instead (not prepared yet, large
    /// parameters, TLS, …). Never blocks.
    func start(_ sql: String, _ parameters: [Value]) throws -> Bool
    /// The socket to poll for the started statement, and for which events.
    var socket: Int32 { get }
    var awaitedEvents: Int16 { get }
    /// Goes on with the started statement, without blocking, after its socket polled ready
    /// with `revents`.
    func collect(polled revents: Int16) throws -> WatchedProgress
    /// Goes on with the started statement until it is over, blocking (on the connection's
    /// thread): `.done` or `.again`.
    func finishBlocking() throws -> WatchedProgress
    /// Runs a statement the blocking way.
    func execute(_ sql: String, _ parameters: [Value]) throws -> QueryResult
}

/// What ``WatchableDriver/collect(polled:)`` found.
enum WatchedProgress {
    /// Not over: poll the socket for ``WatchableDriver/awaitedEvents`` again.
    case waiting
    case done(QueryResult)
    /// The statement's plan was invalidated: run it again with ``WatchableDriver/execute(_:_:)``.
    case again
    /// The rest must wait in a way the poll cannot (other events, a timeout): go on with
    /// ``WatchableDriver/finishBlocking()`` on the connection's thread.
    case finishOnThread
}

/// What a driver does around each statement it runs (PostgreSQL: make it cancellable).
struct StatementHooks: Sendable {
    var begin: @Sendable () -> Void = {}
    var end: @Sendable (Result<QueryResult, any Error>) -> Result<QueryResult, any Error> = { $0 }
}
