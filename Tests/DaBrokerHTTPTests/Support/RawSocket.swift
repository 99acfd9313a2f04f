import DaBrokerCore
import DaBrokerTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP connection to a loopback port, for tests that need to send partial HTTP
/// requests (stalled headers, stalled bodies) or reuse one keep-alive connection, which
/// URLSession does not allow. Every blocking call runs off the cooperative pool.
final class RawSocket: Sendable {
    let fd: Int32
    /// Whether ``close()`` has not run yet: after it the descriptor may belong to another
    /// test's connection, so nothing may use it.
    private let open = SharedMutex(true)

    private init(fd: Int32) { self.fd = fd }

    /// Connects to `127.0.0.1:port` (reads time out after `readTimeout` seconds).
    static func connect(port: Int, readTimeout: Int = 30) async throws -> RawSocket {
        try await TestStack.onThread {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw RawSocketError("socket() failed: errno \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard rc == 0 else {
                _ = Glibc.close(fd)
                throw RawSocketError("connect() failed: errno \(errno)")
            }
            var tv = timeval(tv_sec: readTimeout, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            return RawSocket(fd: fd)
        }
    }

    /// Sends `text` whole.
    func send(_ text: String) async throws {
        guard open.withLock({ $0 }) else { throw RawSocketError("socket closed") }
        let bytes = Array(text.utf8)
        let fd = fd
        try await TestStack.onThread {
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw RawSocketError("send() failed: errno \(errno)") }
                sent += n
            }
        }
    }

    /// Reads one HTTP response (head and a `Content-Length` body); nil when the peer closed first.
    func readResponse() async throws -> (status: Int, body: String)? {
        let fd = fd
        return try await TestStack.onThread {
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                if let end = Self.headEnd(data) {
                    let head = String(decoding: data[..<end], as: UTF8.self)
                    let length =
                        head.split(separator: "\r\n").compactMap { line -> Int? in
                            let parts = line.split(separator: ":", maxSplits: 1)
                            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                            return Int(parts[1].trimmingCharacters(in: .whitespaces))
                        }.first ?? 0
                    if data.count >= end + 4 + length {
                        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
                        return (status, String(decoding: data[(end + 4)..<(end + 4 + length)], as: UTF8.self))
                    }
                }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n == 0 { return nil }
                guard n > 0 else { throw RawSocketError("recv() failed: errno \(errno)") }
                data += buffer[0..<n]
            }
        }
    }

    /// Waits until the peer closes the connection (true) or `seconds` pass (false).
    func waitForClose(seconds: Double) async throws -> Bool {
        let fd = fd
        return try await TestStack.onThread {
            let end = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < end {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&p, 1, 100)
                if ready > 0 {
                    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    if n <= 0 { return true }
                }
            }
            return false
        }
    }

    /// Closes the connection (once).
    func close() {
        let wasOpen = open.withLock { o in
            defer { o = false }
            return o
        }
        if wasOpen { _ = Glibc.close(fd) }
    }

    private static func headEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10
        {
            return i
        }
        return nil
    }

    /// A `POST /rpc` request with a complete body, keeping the connection open.
    static func post(_ body: String) -> String {
        "POST /rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-dab-json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }
}

struct RawSocketError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
