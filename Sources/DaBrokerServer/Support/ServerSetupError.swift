/// A mistake in how the application set up the server (an object served without a key,
/// a ref holding a non-object). Logged in full; clients get a generic `Internal` error.
struct ServerSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
