import DaBrokerAMQP
import DaBrokerClient
import DaBrokerCore
import DaBrokerHTTP
import Foundation

/// What a burst of large searches leaves behind in a gateway process: `dabroker serve` on its
/// own (HTTP on a free port), RSS when idle before, the peak during `concurrency` finds of
/// every row of `bench_item` over HTTP, and RSS once idle again (after `settle`).
struct MemoryBurst {
    var before: Int
    var peak: Int
    var after: Int
    /// The anonymous part (heap, stacks) of `before` and `after`; the rest is mapped files.
    var anonBefore: Int
    var anonAfter: Int

    static func measure(
        database: BenchDatabase, amqpURL: String, rows: Int, concurrency: Int, settle: Duration
    ) async throws -> MemoryBurst {
        guard let executable = SecondServer.executable() else {
            throw BenchFailure("no dabroker binary next to dabroker-bench: build it to measure the burst")
        }
        let port = try freePort()
        let amqp = try benchConfiguration(amqpURL)
        let server = try await SecondServer(
            executable: executable, database: database, amqpURL: amqpURL, amqp: amqp, timeout: .seconds(60),
            consumers: 1, httpPort: port)
        var clients: [BrokerClient] = []
        do {
            for _ in 0..<8 {
                let t = HTTPClientTransport(
                    configuration: .init(port: port), logger: BenchGateway.quiet("burst"))
                let c = BrokerClient(transport: t, configuration: .init(cacheSize: 10, logger: BenchGateway.quiet("c")))
                try await c.connect()
                clients.append(c)
            }
            let models = try await clients.asyncMap { try await $0.model(BenchDatabase.table) }
            for m in models { _ = try await m.find([:], limit: 100) }
            try await Task.sleep(for: settle)
            guard let before = BenchMachine.rss(pid: server.pid) else { throw BenchFailure("no RSS of the server") }
            let anonBefore = BenchMachine.rss(pid: server.pid, field: "RssAnon") ?? 0
            let peak = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<concurrency {
                    let model = models[i % models.count]
                    group.addTask {
                        let found = try await model.find([:], limit: rows)
                        return found.count
                    }
                }
                var peak = before
                var finished = 0
                while finished < concurrency {
                    peak = max(peak, BenchMachine.rss(pid: server.pid) ?? 0)
                    if let n = try await group.next() {
                        guard n == rows else { throw BenchFailure("a burst find returned \(n) rows, not \(rows)") }
                        finished += 1
                    }
                }
                return peak
            }
            for c in clients { await c.close() }
            clients = []
            try await Task.sleep(for: settle)
            let after = BenchMachine.rss(pid: server.pid) ?? 0
            let anonAfter = BenchMachine.rss(pid: server.pid, field: "RssAnon") ?? 0
            server.stop()
            try await onBenchThread { try RawEcho.deleteNames(amqp) }
            return MemoryBurst(before: before, peak: peak, after: after, anonBefore: anonBefore, anonAfter: anonAfter)
        } catch {
            for c in clients { await c.close() }
            server.stop()
            throw error
        }
    }

    /// A TCP port that was free a moment ago (bound to 0 and closed).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { a in
                bind(fd, a, length) == 0 && getsockname(fd, a, &length) == 0
            }
        }
        guard bound else { throw BenchFailure("cannot bind a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ body: (Element) async throws -> T) async throws -> [T] {
        var out: [T] = []
        for e in self { out.append(try await body(e)) }
        return out
    }
}
