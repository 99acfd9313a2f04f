/// A server transport that keeps requests in a queue between runs (AMQP) and can drop
/// those left over from an earlier run when it starts (the manual's `start(purge=True)`).
public protocol PurgeableServerTransport: ServerTransport {
    /// Starts like ``ServerTransport/start(handler:)``; with `purge`, first drops every
    /// request waiting in the queue.
    func start(handler: @escaping RequestHandler, purge: Bool) async throws
}
