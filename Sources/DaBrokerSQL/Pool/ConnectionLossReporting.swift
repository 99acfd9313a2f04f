/// An error that knows whether it means the connection is gone (server restarted, connection
/// killed, network dropped). The pool discards such connections; errors that do not conform
/// are judged by a health check of the connection that threw them.
public protocol ConnectionLossReporting: Error {
    var isConnectionLost: Bool { get }
}

extension DatabaseError: ConnectionLossReporting {}
