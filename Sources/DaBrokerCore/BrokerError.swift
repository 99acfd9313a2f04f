/// An error that travels to clients, with one of the stable type names of the protocol.
///
/// The message names what was wrong (table, column, value, method) and never carries a
/// hidden value or a traceback.
public struct BrokerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stable error types of the wire protocol (`_t`).
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case noData = "NoData"
        case manyData = "ManyData"
        case unknownCommand = "UnknownCommand"
        case accessDenied = "AccessDenied"
        case staleData = "StaleData"
        case badRequest = "BadRequest"
        case readOnly = "ReadOnly"
        case unavailable = "Unavailable"
        case `internal` = "Internal"
    }

    public var kind: Kind
    public var message: String
    /// Extra details, as strings (`field` for StaleData, for example).
    public var details: [String: String]

    public init(_ kind: Kind, _ message: String, details: [String: String] = [:]) {
        self.kind = kind
        self.message = message
        self.details = details
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    public static func noData(_ m: String) -> BrokerError { .init(.noData, m) }
    public static func manyData(_ m: String) -> BrokerError { .init(.manyData, m) }
    public static func unknownCommand(_ m: String) -> BrokerError { .init(.unknownCommand, m) }
    public static func accessDenied(_ m: String) -> BrokerError { .init(.accessDenied, m) }
    public static func staleData(_ m: String) -> BrokerError { .init(.staleData, m) }
    public static func badRequest(_ m: String) -> BrokerError { .init(.badRequest, m) }
    public static func readOnly(_ m: String) -> BrokerError { .init(.readOnly, m) }
    public static func unavailable(_ m: String) -> BrokerError { .init(.unavailable, m) }
    public static func `internal`(_ m: String) -> BrokerError { .init(.internal, m) }
}
