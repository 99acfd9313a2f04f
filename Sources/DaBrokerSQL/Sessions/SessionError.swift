/// Misuse of a `Session`: the session is refused, nothing is sent to the database.
public struct SessionError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The session was used from a task other than the one whose scope is open.
        case concurrentUse
        /// The session's outermost scope has ended (or its connection broke).
        case closed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "session error (\(kind.rawValue)): \(message)" }
}
