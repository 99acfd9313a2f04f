import DaBrokerCore
import DaBrokerSQL
import DaBrokerTestSupport
import Foundation
import Testing

@testable import DaBrokerServer

/// Issue 15: the table info a client receives carries each field's column facts (type,
/// nullability, default, writability, enum labels, array element type), decoded through the
/// real codec.
@Suite("Existing databases: column facts in the table info")
struct ExistingInfoFactsTests {
    @Test(arguments: ExistingBackend.available)
    func tableInfoCarriesColumnFacts(_ backend: ExistingBackend) async throws {
        let f = try await ExistingFixture.make(backend, "infofacts")
        do {
            let root = try #require(try await f.client.call("root").object)
            let info = try #require(root.fields["data"]?.dict?["item"]?.info).info
            let fields = info.fields

            let mood = try #require(fields["mood"])
            #expect(mood.enumValues == ["happy", "sad", "ok"], "\(backend): \(mood)")
            #expect(mood.nullable == true)
            #expect(mood.writable == true)

            let qty = try #require(fields["qty"])
            #expect(qty.nullable == false, "\(backend): \(qty)")
            #expect(qty.default == "0", "\(backend): \(qty)")
            #expect(qty.writable == true)
            #expect(qty.type != nil)
            #expect(qty.enumValues == nil && qty.elementType == nil)

            let code = try #require(fields["code"])
            #expect(code.nullable == false && code.default == nil, "\(backend): \(code)")

            let doubled = try #require(fields["doubled"])
            #expect(doubled.writable == false, "\(backend): \(doubled)")
            #expect(doubled.default == nil, "a generation expression is no default: \(doubled)")

            if backend == .postgres {
                let tags = try #require(fields["tags"])
                #expect(tags.type == "text[]", "\(tags)")
                #expect(tags.elementType == "text", "\(tags)")
                #expect(tags.nullable == true && tags.writable == true)
            }

            // A read-only table: nothing is writable.
            let view = try #require(root.fields["data"]?.dict?["item_summary"]?.info).info
            #expect(view.fields.values.allSatisfy { $0.writable == false }, "\(backend): \(view.fields)")

            // On the wire: extra keys of the `_F` descriptor, snake_case like the Python client's attributes.
            let wire = f.replies.map { String(decoding: $0, as: UTF8.self) }.joined()
            #expect(wire.contains("\"enum_values\":[\"happy\",\"sad\",\"ok\"]"))
            #expect(wire.contains("\"nullable\":false"))
            #expect(!wire.contains("HASH_SECRET_4242") && !wire.contains("pass_hash"), "hidden columns get no facts")
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }
}
