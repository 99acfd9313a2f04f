import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

@testable import DaBrokerServer

/// A client of the original Python DaBroker reads rows with decimals when the server sends
/// them as strings (`BrokerServerConfiguration.decimals = .string`): the captured
/// `root.data['Person'].get(id=1)` request of `shared/protocol/dabroker-wire-examples.json`,
/// replayed with our code for the table, gets a reply that uses only the typed objects the
/// original's codec knows.
@Suite("Original client: decimals")
struct OriginalClientDecimalTests {
    /// The `_o` names the original's client codec decodes (dabroker/base/codec,
    /// dabroker/client/codec); any other name raises `KeyError` there.
    static let originalTypes: Set<String> = [
        "LIST", "Obj", "Info", "_ROOT", "Ref", "_F", "_R", "_B", "_C", "datetime", "date", "time", "timedelta",
        "adict", "exc",
    ]

    /// The captured request bodies by step name.
    static func captured(_ step: String) throws -> String {
        let path = try #require(OriginalWire.path())
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for s in json["steps"] as? [[String: Any]] ?? [] where (s["step"] as? String)?.hasPrefix(step) == true {
            let rpc = try #require((s["rpcs"] as? [[String: Any]])?.first)
            return try #require((rpc["request"] as? [String: Any])?["body"] as? String)
        }
        throw BrokerError.badRequest("no captured step '\(step)'")
    }

    /// Every `_o` name in a JSON document.
    static func typeNames(_ json: Any, into names: inout Set<String>) {
        if let d = json as? [String: Any] {
            if let o = d["_o"] as? String { names.insert(o) }
            for v in d.values { typeNames(v, into: &names) }
        } else if let a = json as? [Any] {
            for v in a { typeNames(v, into: &names) }
        }
    }

    struct Served {
        let server: BrokerServer
        let transport: RecordingTransport
        let db: Database
    }

    static func serve(_ decimals: DecimalEncoding, _ kind: DatabaseKind = .sqlite, name: String) async throws -> Served
    {
        let url = try await TestDatabases.create(kind, named: name)
        let db = try await Database.open(url: url)
        let person = db.dialect.quote("Person")
        _ = try await db.execute(
            "CREATE TABLE \(person) (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, balance DECIMAL(12,2))")
        _ = try await db.execute("INSERT INTO \(person) VALUES (1, 'Person 1', 12.50), (2, 'Person 2', -0.05)")
        var configuration = BrokerServerConfiguration(secret: "original-client")
        configuration.decimals = decimals
        let server = BrokerServer(configuration: configuration)
        let transport = RecordingTransport()
        server.addTransport(transport)
        let root = try server.addDataRoot()
        let loader = try await SQLLoader.reflecting(database: db, broker: server)
        try loader.addModel("Person", into: root, rw: .readWrite)
        try await server.start()
        return Served(server: server, transport: transport, db: db)
    }

    /// The captured get-by-key request, with our server's code for the table (which the
    /// original client reads from the root, as it did from its own server's).
    static func getByKey(_ served: Served) async throws -> [String: Any] {
        let root = try await served.transport.send(Array(try captured("get root").utf8))
        let rootJSON = try #require(try JSONSerialization.jsonObject(with: Data(root)) as? [String: Any])
        let data = try #require(rootJSON["data"] as? [String: Any])
        let tables = try #require((data["f"] as? [String: Any])?["data"] as? [String: Any])
        let code = try #require((tables["Person"] as? [String: Any])?["c"] as? String)
        let request = try captured("get by key").replacingOccurrences(of: "tQT9CqDw", with: code)
        let reply = try await served.transport.send(Array(request.utf8))
        return try #require(try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any])
    }

    @Test func stringModeRepliesUseOnlyTheOriginalsTypes() async throws {
        let served = try await Self.serve(.string, name: "original_decimal_string")
        let reply = try await Self.getByKey(served)
        #expect(reply["error"] == nil, "\(reply)")
        var names = Set<String>()
        Self.typeNames(reply, into: &names)
        #expect(names.isSubset(of: Self.originalTypes), "types the original cannot read: \(names)")
        let rows = try #require((reply["data"] as? [String: Any])?["_d"] as? [[String: Any]])
        let fields = try #require(rows.first?["f"] as? [String: Any])
        #expect(fields["balance"] as? String == "12.50", "the exact digits, as a string")
        #expect(fields["name"] as? String == "Person 1")
        await served.server.stop()
        await served.db.close()
    }

    @Test func exactModeKeepsTheDecExtension() async throws {
        let served = try await Self.serve(.exact, name: "original_decimal_exact")
        let reply = try await Self.getByKey(served)
        var names = Set<String>()
        Self.typeNames(reply, into: &names)
        #expect(names.contains("Dec"), "the default is exact and typed")
        await served.server.stop()
        await served.db.close()
    }

    /// A client of the original sends back the strings it was given, as old and new values.
    @Test(arguments: [DatabaseKind.sqlite, .postgres, .mysql].filter(TestDatabases.isAvailable))
    func stringModeWritesTakeTheStringsItSent(_ kind: DatabaseKind) async throws {
        let served = try await Self.serve(.string, kind, name: "original_decimal_update")
        let client = TestClient(transport: served.transport)
        let key = ObjectKey(["sql", "Person", 1])
        let ref = Ref(key: key, code: served.server.codes.code(for: key))
        let changes: Value = .dict(["balance": .list(["12.50", "13.05"])])
        _ = try await client.call("update", args: [.ref(ref)], named: ["k": changes])
        let row = try #require(try await client.get(ref).object)
        #expect(row.fields["balance"] == .string("13.05"))
        let stale: Value = .dict(["balance": .list(["12.50", "99.00"])])
        let refused = try await client.failure("update", args: [.ref(ref)], named: ["k": stale])
        #expect(refused?.kind == .staleData, "the old value no longer matches")
        let direct = try await served.db.execute(
            "SELECT balance FROM \(served.db.dialect.quote("Person")) WHERE id = 1"
        ).rows.first?[0]
        #expect(direct == .decimal("13.05"), "nothing written by the stale update")
        await served.server.stop()
        await served.db.close()
        try await TestDatabases.drop(kind, named: "original_decimal_update")
    }

    @Test func accessCodesDoNotDependOnTheDecimalMode() async throws {
        let exact = BrokerServer(configuration: .init(secret: "same"))
        var c = BrokerServerConfiguration(secret: "same")
        c.decimals = .string
        let strings = BrokerServer(configuration: c)
        let key = ObjectKey(["sql", "Person", 1])
        #expect(exact.codes.code(for: key) == strings.codes.code(for: key))
    }
}

/// Where `shared/protocol/dabroker-wire-examples.json` is: beside the repository, or under
/// `DABROKER_SHARED_DIR`.
enum OriginalWire {
    static func path() -> String? {
        if let dir = ProcessInfo.processInfo.environment["DABROKER_SHARED_DIR"] {
            return dir + "/protocol/dabroker-wire-examples.json"
        }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = repository.deletingLastPathComponent().appendingPathComponent(
            "shared/protocol/dabroker-wire-examples.json")
        return FileManager.default.fileExists(atPath: file.path) ? file.path : nil
    }
}
