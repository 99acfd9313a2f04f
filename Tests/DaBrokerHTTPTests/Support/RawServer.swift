import DaBrokerCore
import DaBrokerTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP server on a thread that reads HTTP requests and answers the first
/// `answered` of them (200, keep-alive) and then closes the connection on the next one
/// without a reply: the server "dies" after reading a request. It counts every request head
/// it reads, on any connection, so a test can tell whether a client sent a request again.
final class RawServer: Sendable {
    let port: Int
    private let listener: Int32
    private let counts = SharedMutex((requests: 0, connections: 0))
    private let stopped = SharedMutex(false)

    /// Requests read so far (on every connection).
    var requests: Int { counts.withLock { $0.requests } }
    /// Connections accepted so far.
    var connections: Int { counts.withLock { $0.connections } }

    init(answered: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawSocketError("socket() failed") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, p, &length) == 0
            }
        }
        guard bound else {
            _ = Glibc.close(fd)
            throw RawSocketError("bind/listen failed: errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let counts = counts
        let stopped = stopped
        Thread {
            var answeredSoFar = 0
            while !stopped.withLock({ $0 }) {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 100) > 0 else { continue }
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                counts.withLock { $0.connections += 1 }
                Self.serve(
                    client, counts: counts,
                    answer: { () -> Bool in
                        answeredSoFar += 1
                        return answeredSoFar <= answered
                    })
            }
            _ = Glibc.close(fd)
        }.start()
    }

    /// Reads requests on one connection; answers while `answer()` says so, else closes.
    private static func serve(
        _ fd: Int32, counts: SharedMutex<(requests: Int, connections: Int)>, answer: () -> Bool
    ) {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        defer { _ = Glibc.close(fd) }
        while true {
            // One request: its head and its Content-Length body.
            while !requestComplete(data) {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { return }
                data += buffer[0..<n]
            }
            data.removeAll()
            counts.withLock { $0.requests += 1 }
            guard answer() else { return }
            let body = #"{"ok":true}"#
            let reply =
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-dab-json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let bytes = Array(reply.utf8)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    private static func requestComplete(_ data: [UInt8]) -> Bool {
        guard data.count >= 4 else { return false }
        var end: Int?
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10
        {
            end = i
            break
        }
        guard let end else { return false }
        let head = String(decoding: data[..<end], as: UTF8.self).lowercased()
        let length =
            head.split(separator: "\r\n").compactMap { line -> Int? in
                guard line.hasPrefix("content-length:") else { return nil }
                return Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            }.first ?? 0
        return data.count >= end + 4 + length
    }

    func stop() { stopped.withLock { $0 = true } }
}
