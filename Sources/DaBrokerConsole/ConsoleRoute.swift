import DaBrokerHTTP

/// The web console (docs/console.md): a static page, embedded in the binary, that browses,
/// searches, edits and watches the exported tables through the REST face (`/api/`) and the
/// event stream (`GET /events`). Mount it on an ``HTTPServerTransport`` that also serves the
/// REST face:
///
/// ```swift
/// http.mount(ConsoleRoute(api: "/api"))   // serves /console/
/// ```
///
/// The page holds no data: it is served without the bearer token (a browser cannot send one
/// when it opens a URL), and asks for the token when the REST face answers 401.
public struct ConsoleRoute: HTTPRoute {
    /// The path prefix, `/console` unless given.
    public let prefix: String
    /// The REST face's prefix the page calls (`/api` unless given).
    public let api: String
    /// The page, with `api` written into it.
    private let index: String

    public init(prefix: String = "/console", api: String = "/api") {
        self.prefix = prefix
        self.api = api
        let page = ConsoleAssets.files["index.html"]?.text ?? ""
        let escaped = api.replacing("&", with: "&amp;").replacing("\"", with: "&quot;")
            .replacing("<", with: "&lt;")
        self.index = page.replacing(
            #"<meta name="dabroker-api" content="/api">"#,
            with: #"<meta name="dabroker-api" content=""# + escaped + #"">"#)
    }

    /// The page holds no data, so it needs no token; the REST calls it makes do.
    public var requiresToken: Bool { false }

    /// Answers `GET`/`HEAD` of `/console/` (the page) and its files; `/console` redirects to
    /// `/console/`; other paths 404, other methods 405.
    public func respond(to request: HTTPRouteRequest) async -> HTTPRouteResponse {
        let rest = request.path.dropFirst(prefix.count)
        guard request.method == "GET" || request.method == "HEAD" else {
            return Self.text(405, "\(request.method) is not allowed on the console; use GET", [("Allow", "GET, HEAD")])
        }
        if rest.isEmpty {
            return HTTPRouteResponse(status: 308, headers: [("Location", prefix + "/")])
        }
        let name = rest == "/" ? "index.html" : String(rest.dropFirst())
        guard let asset = ConsoleAssets.files[name] else {
            return Self.text(404, "the console has no file \(name.prefix(80)); open \(prefix)/")
        }
        let body = Array((name == "index.html" ? index : asset.text).utf8)
        return HTTPRouteResponse(
            status: 200, headers: Self.securityHeaders + [("Content-Type", asset.contentType)],
            body: request.method == "HEAD" ? [] : body)
    }

    /// Same-origin only, no inline script or style, never framed, never cached stale.
    static let securityHeaders: [(name: String, value: String)] = [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
                + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        ),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cache-Control", "no-cache"),
    ]

    private static func text(
        _ status: Int, _ message: String, _ extra: [(name: String, value: String)] = []
    ) -> HTTPRouteResponse {
        HTTPRouteResponse(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + extra,
            body: Array((message + "\n").utf8))
    }
}
