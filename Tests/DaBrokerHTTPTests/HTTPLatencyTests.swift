import DaBrokerCore
import DaBrokerHTTP
import Testing

/// Prints request latency over HTTP (loopback, sequential, after warm-up). Figures only.
@Suite("HTTP latency", .serialized)
struct HTTPLatencyTests {
    @Test("echo over HTTP with HTTPClientTransport")
    func echo() async throws {
        let server = try await EchoServer()
        let client = HTTPClientTransport(configuration: .init(port: server.port))
        let request = Array(#"{"data":{"_m":"echo","_a":{"_o":"LIST","_d":["hello"]}}}"#.utf8)
        let latency = try await Latency.measure("HTTP echo (transport only)") {
            _ = try await client.call(request)
        }
        print(latency)
        #expect(latency.samples.count == 2000)
        await client.close()
        await server.transport.stop()
    }

    @Test("echo and get-by-key through BrokerServer over HTTP")
    func broker() async throws {
        let broker = try await ManualBroker()
        let client = HTTPClientTransport(configuration: .init(port: broker.port))
        let codec = JSONCodec()
        let echo = codec.encode(Request(method: "echo", args: ["hello"]).message)
        let echoLatency = try await Latency.measure("HTTP echo (BrokerServer)") { _ = try await client.call(echo) }
        print(echoLatency)

        let rootReply = try codec.decode(try await client.call(codec.encode(Request(method: "root").message)))
        guard case .object(let root) = rootReply.data, let status = root.refs["status"] ?? nil else {
            throw BrokerError.internal("no root status ref: \(rootReply)")
        }
        let get = codec.encode(Request(method: "get", args: [.ref(status)]).message)
        let check = try codec.decode(try await client.call(get))
        #expect(check.error == nil)
        let getLatency = try await Latency.measure("HTTP get-by-key (BrokerServer, static object)") {
            _ = try await client.call(get)
        }
        print(getLatency)
        await client.close()
        await broker.stop()
    }

    @Test("get-by-key of a SQLite row through the SQL loader over HTTP")
    func sqliteGet() async throws {
        let broker = try await SQLiteBroker.start()
        let client = HTTPClientTransport(configuration: .init(port: broker.port))
        let codec = JSONCodec()
        let rootReply = try codec.decode(try await client.call(codec.encode(Request(method: "root").message)))
        guard case .object(let root) = rootReply.data, case .dict(let data)? = root.fields["data"],
            case .info(let table)? = data["http_album"]
        else { throw BrokerError.internal("no table: \(rootReply)") }
        let search = codec.encode(Request(method: "_dab_search", target: table.ref, named: ["id": 2]).message)
        guard case .list(let rows) = try codec.decode(try await client.call(search)).data,
            case .object(let row)? = rows.first
        else { throw BrokerError.internal("no row 2") }
        let get = codec.encode(Request(method: "get", args: [.ref(row.ref)]).message)
        #expect(try codec.decode(try await client.call(get)).error == nil)
        let latency = try await Latency.measure("HTTP get-by-key (SQL loader, SQLite row)") {
            _ = try await client.call(get)
        }
        print(latency)
        let searchLatency = try await Latency.measure("HTTP _dab_search id=2 (SQL loader, SQLite)") {
            _ = try await client.call(search)
        }
        print(searchLatency)
        await client.close()
        await broker.stop()
    }
}
