import DaBrokerCore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Routes the HTTP endpoints of an ``HTTPServerTransport``: `POST /rpc`, `GET /events`,
/// `GET /healthz`, `GET /readyz`, `GET /metrics`, with the bearer token, content type, body size and concurrency checks.
struct HTTPRPCResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let configuration: HTTPServerConfiguration
    let handler: RequestHandler
    let hub: EventHub
    let inFlight: SharedMutex<Int>
    let logger: Logger
    var operations = OperationsEndpoints()
    /// Extra endpoints under their prefixes (see ``HTTPRoute``), consulted before the built-in ones.
    var routes: [any HTTPRoute] = []

    static let messageContentType = "application/x-dab-json"
    private static let lastEventID = HTTPField.Name("Last-Event-ID")
    static let retryAfter = HTTPField.Name("Retry-After")
    private static let wwwAuthenticate = HTTPField.Name("WWW-Authenticate")
    private static let accelBuffering = HTTPField.Name("X-Accel-Buffering")
    static let requestID = HTTPField.Name("X-Request-Id")

    func respond(to request: Request, context: Context) async throws -> Response {
        let route = route(for: request.uri.path)
        guard route?.requiresToken == false || isAuthorized(request) else {
            logger.notice("refused: missing or wrong bearer token", metadata: ["path": "\(request.uri.path)"])
            var response = Self.error(.unauthorized, .accessDenied, "missing or wrong bearer token")
            if let name = Self.wwwAuthenticate { response.headers[name] = #"Bearer realm="dabroker""# }
            return response
        }
        if let route { return try await routed(request, to: route) }
        switch (request.uri.path, request.method) {
        case ("/rpc", .post): return try await rpc(request)
        case ("/events", .get): return events(request)
        case ("/healthz", .get), ("/healthz", .head): return await health(ready: false)
        case ("/readyz", .get), ("/readyz", .head): return await health(ready: true)
        case ("/metrics", .get):
            if let response = await operations.metricsResponse() { return response }
            return Self.error(.notFound, .badRequest, "no metrics are served here")
        case ("/rpc", _), ("/events", _), ("/healthz", _), ("/readyz", _), ("/metrics", _):
            let allowed = request.uri.path == "/rpc" ? "POST" : "GET"
            var response = Self.error(
                .methodNotAllowed, .badRequest, "\(request.method) \(request.uri.path) is not allowed; use \(allowed)")
            response.headers[.allow] = allowed
            return response
        default:
            return Self.error(
                .notFound, .badRequest,
                "no endpoint \(BrokerError.excerpt(request.uri.path)); use POST /rpc or GET /events")
        }
    }

    /// Takes a request slot if one is free.
    func admit() -> Bool {
        inFlight.withLock { count in
            guard count < configuration.maxConcurrentRequests else { return false }
            count += 1
            return true
        }
    }

    /// `GET /healthz` (liveness: 200 while the server runs) and `GET /readyz` (readiness:
    /// 503 while every request slot is taken or a check of ``OperationsEndpoints/readiness``
    /// fails, so a load balancer sends calls elsewhere). Both report the slots in use.
    private func health(ready: Bool) async -> Response {
        await operations.healthResponse(
            ready: ready, used: inFlight.withLock { $0 }, limit: configuration.maxConcurrentRequests)
    }

    private func isAuthorized(_ request: Request) -> Bool {
        guard let token = configuration.bearerToken else { return true }
        guard let header = request.headers[.authorization] else { return false }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else { return false }
        return ConstantTime.equal(Array(header.dropFirst(prefix.count).utf8), Array(token.utf8))
    }

    /// Reads the whole body under `maxBodyBytes`, or the 413 response to send instead. The
    /// body is read before a request slot is taken: a slow or stalled client holds no slot
    /// (the connection's body deadline closes it; see RequestDeadlineHandler).
    func readBody(_ request: Request) async throws -> Result<[UInt8], Refusal> {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBodyBytes {
            return .failure(Refusal(response: Self.tooLarge(length, configuration.maxBodyBytes)))
        }
        var body = ByteBuffer()
        for try await part in request.body {
            guard body.readableBytes + part.readableBytes <= configuration.maxBodyBytes else {
                let size = body.readableBytes + part.readableBytes
                return .failure(Refusal(response: Self.tooLarge(size, configuration.maxBodyBytes)))
            }
            body.writeImmutableBuffer(part)
        }
        return .success(body.readBytes(length: body.readableBytes) ?? [])
    }

    private func rpc(_ request: Request) async throws -> Response {
        let contentType = request.headers[.contentType].map(Self.mediaType) ?? ""
        guard contentType == Self.messageContentType || contentType == "application/json" else {
            let shown = contentType.isEmpty ? "none" : contentType
            return Self.error(
                .unsupportedMediaType, .badRequest,
                "content type \(shown) is not accepted; send application/x-dab-json or application/json")
        }
        let bytes: [UInt8]
        switch try await readBody(request) {
        case .success(let read): bytes = read
        case .failure(let refusal): return refusal.response
        }
        guard !bytes.isEmpty else {
            return Self.error(.badRequest, .badRequest, "empty request body; send one request message (a JSON object)")
        }
        do {
            try JSONCodec().validateObject(bytes)
        } catch {
            return Self.error(.badRequest, .badRequest, "request body is not a JSON object: \(error)")
        }
        guard admit() else {
            logger.warning("POST /rpc refused: \(configuration.maxConcurrentRequests) requests in progress")
            var response = Self.error(
                .serviceUnavailable, .unavailable,
                "server busy: \(configuration.maxConcurrentRequests) requests in progress; retry later")
            if let name = Self.retryAfter { response.headers[name] = "1" }
            return response
        }
        // The slot is given back as soon as the reply exists, before it is written: the
        // client's next request on this connection can only come after that.
        // The request's id: in its log lines (a task-local context) and the reply's X-Request-Id.
        let context = RequestContext(transport: RequestContext.Transport.http)
        let reply = await RequestContext.$current.withValue(context) { await handler(bytes) }
        inFlight.withLock { $0 -= 1 }
        var response = Response(
            status: .ok, headers: [.contentType: Self.messageContentType],
            body: .init(byteBuffer: ByteBuffer(bytes: reply)))
        if let name = Self.requestID { response.headers[name] = context.id }
        return response
    }

    private func events(_ request: Request) -> Response {
        let lastEventID = Self.lastEventID.flatMap { request.headers[$0] }
        switch hub.open(lastEventID: lastEventID) {
        case .overLimit:
            logger.warning("GET /events refused: \(configuration.maxEventStreams) streams open")
            var response = Self.error(
                .serviceUnavailable, .unavailable,
                "too many event streams open (\(configuration.maxEventStreams)); retry later")
            if let name = Self.retryAfter { response.headers[name] = "5" }
            return response
        case .closed:
            return Self.error(.serviceUnavailable, .unavailable, "server is stopping")
        case .stream(let stream, let token):
            var headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
            if let name = Self.accelBuffering { headers[name] = "no" }
            let hub = self.hub
            return Response(
                status: .ok, headers: headers,
                body: .init { writer in
                    defer { hub.close(token: token) }
                    for await chunk in stream {
                        try await writer.write(chunk)
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// The media type of a `Content-Type` value, lowercased, without parameters.
    static func mediaType(_ value: String) -> String {
        let type = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        return type.trimmingSpaces.lowercased()
    }

    private static func tooLarge(_ size: Int, _ limit: Int) -> Response {
        var response = error(
            .contentTooLarge, .badRequest, "request body of \(size) bytes exceeds the limit of \(limit) bytes")
        response.headers[.connection] = "close"
        return response
    }

    /// An HTTP error response whose body is the protocol's error message.
    static func error(_ status: HTTPResponse.Status, _ kind: BrokerError.Kind, _ message: String) -> Response {
        Response(
            status: status, headers: [.contentType: messageContentType],
            body: .init(byteBuffer: ByteBuffer(bytes: ErrorReply.encode(kind, message))))
    }
}
