/// An extra set of endpoints served by an ``HTTPServerTransport`` under a path prefix
/// (the REST face under `/api`, a console under `/console`): the transport's extension point.
///
/// The transport keeps its own rules for these paths too: it checks the bearer token, reads
/// the whole body under ``HTTPServerConfiguration/maxBodyBytes`` (413 above it), takes a
/// request slot of ``HTTPServerConfiguration/maxConcurrentRequests`` (503 when none is free)
/// and enforces the connection deadlines; only then does it call ``respond(to:)``. The route
/// sees plain values (no HTTP library types), so it needs nothing but this module.
///
/// ```swift
/// struct Hello: HTTPRoute {
///     let prefix = "/hello"
///     func respond(to request: HTTPRouteRequest) async -> HTTPRouteResponse {
///         .init(status: 200, headers: [("Content-Type", "text/plain")], body: Array("hi".utf8))
///     }
/// }
/// transport.mount(Hello())   // before start
/// ```
public protocol HTTPRoute: Sendable {
    /// The path prefix, starting with `/` and without a trailing `/` (`"/api"`): the route
    /// gets `prefix` itself and every path below `prefix + "/"`, for every method.
    var prefix: String { get }

    /// Answers one request. Errors are answered, not thrown: the route chooses their status
    /// and body.
    func respond(to request: HTTPRouteRequest) async -> HTTPRouteResponse
}

/// One request handed to an ``HTTPRoute``, its body read in full.
public struct HTTPRouteRequest: Sendable {
    /// The method as sent, upper case (`"GET"`, `"PATCH"`…).
    public var method: String
    /// The path as sent (still percent-encoded), including the route's prefix.
    public var path: String
    /// The query string as sent (percent-encoded, without `?`); empty when there is none.
    public var query: String
    /// The header fields in order; names as sent (compare them case-insensitively, or use
    /// ``header(_:)``).
    public var headers: [(name: String, value: String)]
    /// The whole body (empty for none).
    public var body: [UInt8]

    public init(
        method: String, path: String, query: String = "", headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of the header field `name` (case-insensitive), if any.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// The answer of an ``HTTPRoute``.
public struct HTTPRouteResponse: Sendable {
    /// The HTTP status code (200, 404…).
    public var status: Int
    /// Header fields to send (`Content-Length` is set by the transport).
    public var headers: [(name: String, value: String)]
    /// The whole body.
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
