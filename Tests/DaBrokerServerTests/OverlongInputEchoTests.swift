import DaBrokerCore
import DaBrokerServerTestSupport
import DaBrokerTestSupport
import OrderedCollections
import Testing

@testable import DaBrokerServer

extension ChinookTests {
    /// Issue 14, point 8: an error message quotes at most a short prefix of what the client sent.
    @Suite("Error messages quote at most a short prefix of client input")
    struct OverlongInputEchoTests {
        @Test func excerptCutsAfterTheLimit() {
            #expect(BrokerError.excerpt("short") == "short")
            #expect(BrokerError.excerpt(String(repeating: "a", count: 40)) == String(repeating: "a", count: 40))
            #expect(BrokerError.excerpt(String(repeating: "b", count: 41)) == String(repeating: "b", count: 40) + "…")
            let key = ObjectKey(["sql", .string(String(repeating: "k", count: 100_000))] + (0..<20).map { .int($0) })
            #expect(key.description.count < 120)
        }

        @Test(arguments: ChinookBackend.available)
        func overlongNamesAreNotEchoed(_ backend: ChinookBackend) async throws {
            let n = backend.names
            let f = try await SQLFixture.make(backend) { sql, root in
                try sql.addModel(n.artist, into: root, rw: .readWrite)
            }
            defer { Task { await f.close() } }
            let artists = try await f.table(n.artist)
            let method = "m" + String(repeating: "x", count: 1_000_000)
            let filter = "f" + String(repeating: "y", count: 70_000)
            let keyPart = String(repeating: "z", count: 200_000)
            let failures: [(String, BrokerError?)] = [
                ("server method", try await f.client.failure(method)),
                ("table method", try await f.client.failure(method, target: artists)),
                ("row method", try await f.client.failure(method, target: f.rowRef(n.artist, 1))),
                ("filter", try await f.client.failure("_dab_search", target: artists, named: [filter: 1])),
                ("count filter", try await f.client.failure("_dab_count", target: artists, named: [filter: 1])),
                ("new field", try await f.client.failure("new", target: artists, named: [filter: 1])),
                (
                    "update field",
                    try await f.client.failure("update", target: f.rowRef(n.artist, 1), named: [filter: [1, 2]])
                ),
                (
                    "backref",
                    try await f.client.failure("backref_len", args: [.ref(f.rowRef(n.artist, 1)), .string(filter)])
                ),
                (
                    "forged key",
                    try await f.client.failure(
                        "get", args: [.ref(Ref(key: ObjectKey(["sql", .string(keyPart)]), code: "x"))])
                ),
                ("unknown key", try await f.client.failure("get", args: [.ref(f.rowRef(n.artist, .string(keyPart)))])),
            ]
            for (what, e) in failures {
                let e = try #require(e, "\(what) did not fail")
                #expect(e.message.utf8.count < 400, "\(what): \(e.message.utf8.count) bytes")
                #expect(!e.message.contains(String(repeating: "x", count: 41)), "\(what)")
                #expect(!e.message.contains(String(repeating: "y", count: 41)), "\(what)")
                #expect(!e.message.contains(String(repeating: "z", count: 41)), "\(what)")
            }
            // The names are still recognisable: the message starts the quote.
            let unknown = try #require(failures[0].1)
            #expect(unknown.message.contains("mxxx"))
            #expect(unknown.message.contains("…"))
        }
    }
}
