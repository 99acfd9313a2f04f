import DaBrokerClient
import DaBrokerCore
import DaBrokerServer
import Synchronization
import Testing

/// `BrokerClient.delete` sends the table-level form that the original Python DaBroker's
/// server accepts (`delete` on the table, `_mt: true`, the row as its argument), not the
/// row-level form it refuses; our server deletes the row either way.
@Suite("Client: delete form")
struct ClientDeleteFormTests {
    @Test func deleteIsSentThroughTheTable() async throws {
        let f = try await SQLClientFixture.start(.sqlite)
        let n = f.n
        try await f.deleteRows(n.genre, n.genreId, from: 7300, to: 7399)
        let recording = RecordingClientTransport(inner: f.transport.makeClient())
        let client = BrokerClient(transport: recording)
        try await client.connect()
        let genres = try await client.model(n.genre)
        let row = try await genres.new([n.genreId: 7301, n.name: "to delete"])
        try await genres.delete(row)
        #expect(try await genres.count([n.genreId: 7301]) == 0, "the row is gone")

        let requests = try recording.requests.withLock { $0 }.map { try JSONCodec().decode($0).data }
        let delete = try #require(requests.compactMap { try? Request(from: $0) }.first { $0.method == "delete" })
        #expect(delete.classLevel, "sent with _mt: true")
        #expect(delete.target?.key == ObjectKey(["sql", .string(n.genre)]), "addressed to the table")
        #expect(delete.target?.code != nil)
        #expect(delete.args.first?.refValue?.key == row.key, "the row travels as the argument")
        await client.close()
        await f.stop()
    }
}

/// A client transport that keeps a copy of every request.
final class RecordingClientTransport: ClientTransport {
    let inner: InProcessClientTransport
    let requests = Mutex<[[UInt8]]>([])

    init(inner: InProcessClientTransport) { self.inner = inner }

    var events: AsyncStream<TransportEvent> { inner.events }
    func connect() async throws { try await inner.connect() }
    func call(_ request: [UInt8]) async throws -> [UInt8] {
        requests.withLock { $0.append(request) }
        return try await inner.call(request)
    }
    func close() async { await inner.close() }
}
