import DaBrokerCore
import HTTPTypes
import Hummingbird
import NIOCore

extension HTTPRPCResponder {
    /// A response the transport sends instead of calling the handler (413…).
    struct Refusal: Error {
        var response: Response
    }

    /// The mounted route serving `path`: its prefix itself or a path below `prefix + "/"`.
    func route(for path: String) -> (any HTTPRoute)? {
        routes.first { route in
            path == route.prefix || (path.hasPrefix(route.prefix) && path.dropFirst(route.prefix.count).first == "/")
        }
    }

    /// Hands a request to a mounted route with the same body limit and request slots as
    /// `POST /rpc` (the token was checked before).
    func routed(_ request: Request, to route: any HTTPRoute) async throws -> Response {
        let body: [UInt8]
        switch try await readBody(request) {
        case .success(let read): body = read
        case .failure(let refusal): return refusal.response
        }
        guard admit() else {
            logger.warning("\(route.prefix) refused: \(configuration.maxConcurrentRequests) requests in progress")
            var response = Self.error(
                .serviceUnavailable, .unavailable,
                "server busy: \(configuration.maxConcurrentRequests) requests in progress; retry later")
            if let name = Self.retryAfter { response.headers[name] = "1" }
            return response
        }
        let routeRequest = HTTPRouteRequest(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
            headers: request.headers.map { (name: $0.name.rawName, value: $0.value) }, body: body)
        // As for /rpc: the request's id in its log lines and in X-Request-Id.
        let context = RequestContext(transport: RequestContext.Transport.http)
        let answer = await RequestContext.$current.withValue(context) { await route.respond(to: routeRequest) }
        inFlight.withLock { $0 -= 1 }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        if let name = Self.requestID { fields[name] = context.id }
        return Response(
            status: .init(code: answer.status), headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
