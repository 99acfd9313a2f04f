import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import Foundation
import Synchronization

/// `--profile N --profile-calls codec`: the JSON codec alone on a real find-50 reply. One
/// find-50 goes through an in-process gateway on SQLite with its bytes recorded; then the
/// reply is decoded N times and the decoded message encoded N times (with access codes set
/// as the server sets them), each timed on its own. The figures are CPU-bound and single
/// threaded, so two builds can be compared without the machine's scheduling noise.
struct CodecLoop {
    var calls: Int

    func run() async throws {
        let database = try await BenchDatabase.prepare(backend: "sqlite", base: nil, rows: 1000)
        defer { database.cleanUp() }
        let gateway = try await BenchGateway(database: database, amqp: nil)
        let recorder = RecordingTransport(gateway.inProcess.makeClient())
        let client = BrokerClient(transport: recorder, configuration: .init(logger: BenchGateway.quiet("client")))
        try await client.connect()
        let model = try await client.model(BenchDatabase.table)
        _ = try await model.find([:], limit: 50)
        let reply = recorder.largestReply
        await client.close()
        await gateway.stop()

        let codec = JSONCodec()
        let codes = gateway.server.codes
        let signing = RefCodes { key, canonical in key.isMetaRoot ? nil : codes.code(canonical: canonical) }
        let clock = ContinuousClock()
        var decodeTimes: [Double] = []
        var encodeTimes: [Double] = []
        var sink = 0
        for _ in 0..<max(1, calls) {
            var start = clock.now
            let decoded = try codec.decode(reply)
            decodeTimes.append(BenchStats.micros(clock.now - start))
            start = clock.now
            let bytes = codec.encode(decoded, codes: signing)
            encodeTimes.append(BenchStats.micros(clock.now - start))
            sink &+= bytes.count
        }
        let d = BenchStats.percentiles(decodeTimes)
        let e = BenchStats.percentiles(encodeTimes)
        let show = { (x: Double) in String(format: "%.1f", x) }
        print(
            "find-50 reply of \(reply.count) bytes: decode p50 \(show(d.p50)) µs (\(show(d.p50 / 50)) per object),"
                + " encode with codes p50 \(show(e.p50)) µs (\(show(e.p50 / 50)) per object); \(sink / max(1, calls)) bytes"
        )
    }
}

/// A client transport that passes calls on and keeps the largest reply it saw.
private final class RecordingTransport: ClientTransport {
    private let inner: any ClientTransport
    private let largest = Mutex<[UInt8]>([])

    init(_ inner: any ClientTransport) { self.inner = inner }

    var events: AsyncStream<TransportEvent> { inner.events }
    var largestReply: [UInt8] { largest.withLock { $0 } }

    func connect() async throws { try await inner.connect() }
    func close() async { await inner.close() }

    func call(_ request: [UInt8]) async throws -> [UInt8] {
        let reply = try await inner.call(request)
        largest.withLock { if reply.count > $0.count { $0 = reply } }
        return reply
    }
}
