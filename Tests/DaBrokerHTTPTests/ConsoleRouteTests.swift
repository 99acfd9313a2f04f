import DaBrokerConsole
import DaBrokerCore
import Foundation
import Testing

@testable import DaBrokerHTTP

/// The web console's files, served by the HTTP transport at `/console/` (docs/console.md).
/// The page itself is tested in a browser by scripts/console-check.sh.
@Suite("Web console route")
struct ConsoleRouteTests {
    /// A transport with a token and the console mounted.
    private static func server() async throws -> (HTTPServerTransport, Int) {
        let transport = HTTPServerTransport(configuration: .init(port: 0, bearerToken: "console-secret"))
        transport.mount(ConsoleRoute())
        try await transport.start { $0 }
        guard let port = transport.port else { throw BrokerError.internal("no bound port") }
        return (transport, port)
    }

    @Test("the page and its files are served without the token, with a strict content security policy")
    func servesPage() async throws {
        let (transport, port) = try await Self.server()
        let page = try await RawHTTP.get(port: port, path: "/console/")
        #expect(page.status == 200)
        #expect(page.header("Content-Type") == "text/html; charset=utf-8")
        #expect(page.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
        #expect(page.header("X-Content-Type-Options") == "nosniff")
        #expect(page.text.contains(#"<script src="console.js">"#))
        // Every file the page names is served, with its type; nothing comes from elsewhere.
        for (file, type) in [("console.js", "text/javascript"), ("console.css", "text/css")] {
            #expect(page.text.contains(#""\#(file)""#))
            let reply = try await RawHTTP.get(port: port, path: "/console/\(file)")
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type")?.hasPrefix(type) == true)
            #expect(!reply.text.contains("http://") && !reply.text.contains("https://"))
        }
        // /console redirects to /console/ (read on a raw socket: FoundationNetworking loops on
        // a relative Location, which browsers and curl follow).
        let socket = try await RawSocket.connect(port: port)
        defer { socket.close() }
        try await socket.send("GET /console HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        #expect(try await socket.readResponse()?.status == 308)
        await transport.stop()
    }

    @Test("unknown files are 404, writes 405, and the rest of the server still needs the token")
    func refusals() async throws {
        let (transport, port) = try await Self.server()
        let missing = try await RawHTTP.get(port: port, path: "/console/secret.txt")
        #expect(missing.status == 404)
        #expect(missing.text.contains("no file secret.txt"))
        let post = try await RawHTTP.request("POST", port: port, path: "/console/", body: Array("x".utf8))
        #expect(post.status == 405)
        #expect(post.header("Allow") == "GET, HEAD")
        let events = try await RawHTTP.get(port: port, path: "/healthz")
        #expect(events.status == 401)
        let rpc = try await RawHTTP.post(port: port, #"{"data":{"_m":"ping"}}"#)
        #expect(rpc.status == 401)
        // A path that only starts like the prefix is not the console's.
        let other = try await RawHTTP.get(port: port, path: "/consoles", token: "console-secret")
        #expect(other.status == 404)
        await transport.stop()
    }

    @Test("the embedded files are the ones in Sources/DaBrokerConsole/Assets (regenerated)")
    func embeddedFilesCurrent() async throws {
        let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/DaBrokerConsole/Assets")
        let (transport, port) = try await Self.server()
        for (file, path) in [
            ("index.html", "/console/"), ("console.js", "/console/console.js"), ("console.css", "/console/console.css"),
        ] {
            let onDisk = try String(contentsOf: assets.appendingPathComponent(file), encoding: .utf8)
            let served = try await RawHTTP.get(port: port, path: path)
            #expect(served.text == onDisk, "\(file) changed: run python3 scripts/generate-console.py")
        }
        await transport.stop()
    }
}
