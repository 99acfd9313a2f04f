/// A mistake in the configuration, reported before anything starts.
///
/// It says where (file, line), what was wrong, and what to do about it.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation?
    public var message: String
    public var hint: String?

    public init(_ message: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        var s = location.map { "\($0): " } ?? ""
        s += "error: " + message
        if let hint { s += "\n  hint: " + hint }
        return s
    }
}
