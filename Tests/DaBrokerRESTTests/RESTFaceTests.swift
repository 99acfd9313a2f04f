import DaBrokerREST
import DaBrokerServerTestSupport
import Foundation
import Testing

/// Every route of the REST face on SQLite, PostgreSQL and MariaDB (Chinook), over real HTTP.
@Suite("REST face", .serialized)
struct RESTFaceTests {
    @Test("index, OpenAPI document, hidden and non-exported names", arguments: ChinookBackend.available)
    func describes(_ backend: ChinookBackend) async throws {
        let f = try await RESTFixture.start(backend)
        defer { Task { await f.stop() } }
        let n = f.n

        let index = try await f.send("GET", "/api/")
        #expect(index.status == 200)
        let tables = (index.object["tables"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Set(tables) == [n.artist, n.genre, n.album, n.track, n.customer])
        #expect(!index.text.contains("\"\(n.email)\""))
        // Hidden columns are counted (for the console), never named.
        let described = index.object["tables"] as? [[String: Any]] ?? []
        let customerInfo = described.first { $0["name"] as? String == n.customer }
        #expect(customerInfo?["hidden"] as? Int == 1)
        #expect(described.first { $0["name"] as? String == n.artist }?["hidden"] as? Int == 0)
        #expect(customerInfo?["notices"] is [Any])

        let doc = try await f.send("GET", "/api/openapi.json")
        #expect(doc.status == 200)
        #expect(doc.object["openapi"] as? String == "3.1.1")
        let paths = doc.object["paths"] as? [String: Any] ?? [:]
        #expect(paths["/api/\(n.artist)/{\(n.artistId)}"] != nil)
        #expect(paths["/api/\(n.employee)"] == nil)
        #expect(!doc.text.contains("\"\(n.email)\""))

        // A table that is not exported answers exactly as one that does not exist.
        let employee = try await f.send("GET", "/api/\(n.employee)")
        let nothing = try await f.send("GET", "/api/no_such_table")
        #expect(employee.status == 404 && nothing.status == 404)
        #expect(employee.header("Content-Type") == "application/problem+json")
        #expect(employee.object["title"] as? String == nothing.object["title"] as? String)

        // A hidden column is the same unknown column as one that does not exist.
        let hidden = try await f.send("GET", "/api/\(n.customer)?\(n.email)=eq.x")
        let unknown = try await f.send("GET", "/api/\(n.customer)?no_such_column=eq.x")
        #expect(hidden.status == 400 && unknown.status == 400)
        #expect(!hidden.text.contains("x\""))
        let customer = try await f.send("GET", "/api/\(n.customer)/1")
        #expect(customer.status == 200)
        #expect(customer.object[n.email] == nil && customer.object[n.firstName] != nil)
    }

    @Test("list with filters, limit and count; one row with its refs", arguments: ChinookBackend.available)
    func reads(_ backend: ChinookBackend) async throws {
        let f = try await RESTFixture.start(backend)
        defer { Task { await f.stop() } }
        let n = f.n

        let page = try await f.send("GET", "/api/\(n.album)?\(n.artistId)=eq.1&limit=1&count=exact")
        #expect(page.status == 200)
        #expect(page.array.count == 1)
        #expect(page.array.first?[n.artistId] as? Int == 1)
        #expect(page.header("X-Total-Count") == "2")

        let album = try await f.send("GET", "/api/\(n.album)/1")
        #expect(album.status == 200)
        #expect(album.object[n.title] as? String == "For Those About To Rock We Salute You")
        #expect(album.header("ETag")?.hasPrefix("\"") == true)
        #expect(album.object["_url"] as? String == "/api/\(n.album)/1")
        let urls = album.object.values.compactMap { $0 as? String }
        #expect(urls.contains("/api/\(n.artist)/1"))
        let backrefs = album.object["_backrefs"] as? [String: String] ?? [:]
        let tracks = try #require(backrefs.values.first)
        let listed = try await f.send("GET", tracks)
        #expect(listed.status == 200 && listed.array.count == 10)

        #expect(try await f.send("GET", "/api/\(n.album)/999999").status == 404)
        #expect(try await f.send("GET", "/api/\(n.album)/1/2").status == 404)
        #expect(try await f.send("GET", "/api/\(n.album)?\(n.artistId)=1").status == 400)
    }

    @Test("create, change and delete with ETags; If-Match required", arguments: ChinookBackend.available)
    func writes(_ backend: ChinookBackend) async throws {
        let f = try await RESTFixture.start(backend)
        defer { Task { await f.stop() } }
        let n = f.n
        let id = Int.random(in: 100_000...900_000_000)
        let name = "rest-\(backend)-\(id)"

        let created = try await f.send(
            "POST", "/api/\(n.artist)", json: #"{"\#(n.artistId)": \#(id), "\#(n.name)": "\#(name)"}"#)
        #expect(created.status == 201)
        let location = try #require(created.header("Location"))
        let etag = try #require(created.header("ETag"))
        #expect(created.object[n.name] as? String == name)

        let got = try await f.send("GET", location)
        #expect(got.status == 200 && got.header("ETag") == etag)

        let change = #"{"\#(n.name)": "\#(name)-2"}"#
        #expect(try await f.send("PATCH", location, json: change).status == 428)
        let changed = try await f.send("PATCH", location, json: change, headers: ["If-Match": etag])
        #expect(changed.status == 200)
        #expect(changed.object[n.name] as? String == name + "-2")
        let newTag = try #require(changed.header("ETag"))
        #expect(newTag != etag)

        // The old ETag is stale now: 412, and nothing changes.
        let stale = try await f.send("PATCH", location, json: #"{"\#(n.name)": "x"}"#, headers: ["If-Match": etag])
        #expect(stale.status == 412)
        #expect(stale.header("Content-Type") == "application/problem+json")
        #expect(try await f.send("DELETE", location, headers: ["If-Match": etag]).status == 412)
        #expect(try await f.send("GET", location).object[n.name] as? String == name + "-2")

        #expect(try await f.send("DELETE", location, headers: ["If-Match": newTag]).status == 204)
        #expect(try await f.send("GET", location).status == 404)

        // Bulk: an array creates every row.
        let bulk = try await f.send(
            "POST", "/api/\(n.artist)",
            json: #"[{"\#(n.artistId)": \#(id + 1), "\#(n.name)": "\#(name)-a"}, "#
                + #"{"\#(n.artistId)": \#(id + 2), "\#(n.name)": "\#(name)-b"}]"#)
        #expect(bulk.status == 201 && bulk.array.count == 2)
        for row in bulk.array {
            let url = try #require(row["_url"] as? String)
            #expect(try await f.send("DELETE", url, headers: ["If-Match": "*"]).status == 204)
        }

        // A value of the wrong type is a problem, never a 5xx, and names no value.
        let bad = try await f.send("POST", "/api/\(n.artist)", json: #"{"\#(n.artistId)": "not-a-number"}"#)
        #expect((400..<500).contains(bad.status))
        #expect(!bad.text.contains("not-a-number"))
        #expect(try await f.send("POST", "/api/\(n.artist)", json: "{").status == 400)
    }

    @Test("read-only tables refuse writes with 405", arguments: ChinookBackend.available)
    func readOnly(_ backend: ChinookBackend) async throws {
        let f = try await RESTFixture.start(backend)
        defer { Task { await f.stop() } }
        let n = f.n
        let post = try await f.send("POST", "/api/\(n.album)", json: #"{"\#(n.title)": "x"}"#)
        #expect(post.status == 405)
        #expect(post.header("Allow") == "GET")
        let patch = try await f.send(
            "PATCH", "/api/\(n.album)/1", json: #"{"\#(n.title)": "x"}"#, headers: ["If-Match": "*"])
        #expect(patch.status == 405)
        #expect(try await f.send("DELETE", "/api/\(n.album)/1", headers: ["If-Match": "*"]).status == 405)
        #expect(try await f.send("GET", "/api/\(n.album)/1").object[n.title] as? String != "x")
    }

    @Test("If-Match can be made optional", arguments: ChinookBackend.available)
    func optionalIfMatch(_ backend: ChinookBackend) async throws {
        let f = try await RESTFixture.start(backend, rest: .init(requireIfMatch: false))
        defer { Task { await f.stop() } }
        let n = f.n
        let id = Int.random(in: 100_000...900_000_000)
        let created = try await f.send(
            "POST", "/api/\(n.genre)", json: #"{"\#(n.genreId)": \#(id), "\#(n.name)": "rest-optional"}"#)
        let location = try #require(created.header("Location"))
        #expect(try await f.send("PATCH", location, json: #"{"\#(n.name)": "rest-optional-2"}"#).status == 200)
        #expect(try await f.send("DELETE", location).status == 204)
    }
}
