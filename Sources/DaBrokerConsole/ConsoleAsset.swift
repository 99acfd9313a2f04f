/// One file of the console (HTML, CSS or JavaScript), embedded in the binary by
/// `scripts/generate-console.py`.
struct ConsoleAsset: Sendable {
    /// The `Content-Type` it is served with.
    var contentType: String
    /// Its text (UTF-8 on the wire).
    var text: String
}
