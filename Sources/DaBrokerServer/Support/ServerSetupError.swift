/// A mistake in how the application set up the server (an object served without a key,
/// a ref holding a non-object). Thrown to server code; logged in full when a request hits
/// it, and the client gets a generic `Internal` error.
public struct ServerSetupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
