import DaBrokerTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 14, point 3: `dabroker serve` stops on SIGTERM while a client holds a request body open.
@Suite("dabroker serve: SIGTERM with a stalled request body", .serialized)
struct ServeShutdownTests {
    @Test func sigtermExitsWithAStalledBodyOpen() async throws {
        let (dir, removeDir) = try CLITestPaths.freshDirectory("cli-shutdown")
        defer { removeDir() }
        let server = try ChildProcess(
            ["serve", "--http-port", "0", "--migrations", CLITestPaths.migrations], directory: dir.path)
        _ = try #require(await server.waitForOutput(containing: "project:"))
        let port = try #require(await server.waitForHTTPPort(), "the port the OS chose")
        // Bound by now; still, retry the connection a while on a slow machine.
        var connected: Int32?
        for _ in 0..<100 where connected == nil {
            connected = try? await TestStack.onThread { try Self.stalledBody(port: port) }
            if connected == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let stalled = try #require(connected)
        defer { _ = Glibc.close(stalled) }
        // The server has the request's headers once it answers another call.
        let count = try await ChildProcess.run(["count", "--http", "http://127.0.0.1:\(port)", "project"])
        #expect(count.status == 0, "\(count.err)")
        let clock = ContinuousClock()
        let start = clock.now
        server.signal(SIGTERM)
        let end = await server.finish(timeout: 40)
        let elapsed = clock.now - start
        #expect(end.status == 0, "\(end.err)")
        // The drain timeout is 10 s and the body limit 30 s; before the fix the server waited
        // for the client (45 s observed).
        #expect(elapsed < .seconds(12))
        print("[security] dabroker serve exited \(elapsed) after SIGTERM with a stalled body open")
    }

    /// A connection that sent headers announcing 100,000 body bytes and 8 of them.
    private static func stalledBody(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard fd >= 0, rc == 0 else {
            _ = Glibc.close(fd)
            throw CocoaError(.fileReadUnknown)
        }
        let request = Array(
            ("POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-dab-json\r\n"
                + "Content-Length: 100000\r\n\r\n{\"_m\":\"p").utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return fd
    }
}
