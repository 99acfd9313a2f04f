import DaBrokerREST
import DaBrokerServerTestSupport
import DaBrokerTestSupport
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

    @Test("operators, order, keyset pages with Link, estimated counts", arguments: ChinookBackend.available)
    func queries(_ backend: ChinookBackend) async throws {
        let f = try await RESTFixture.start(backend)
        defer { Task { await f.stop() } }
        let n = f.n

        // AC/DC (1) and Accept (2): ArtistId < 3, titles ordered descending.
        let two = try await f.send("GET", "/api/\(n.album)?\(n.artistId)=lt.3&order=-\(n.title)&count=exact")
        #expect(two.status == 200)
        #expect(two.header("X-Total-Count") == "4")
        let titles = two.array.compactMap { $0[n.title] as? String }
        #expect(titles == titles.sorted(by: >) && titles.count == 4)
        let inList = try await f.send("GET", "/api/\(n.artist)?\(n.artistId)=in.(1,2,3)")
        #expect(inList.array.count == 3)
        let like = try await f.send("GET", "/api/\(n.artist)?\(n.name)=like.AC*")
        #expect(like.array.compactMap { $0[n.name] as? String } == ["AC/DC"])
        let nulls = try await f.send("GET", "/api/\(n.track)?\(n.albumId)=eq.1&\(n.name)=not.is.null&count=exact")
        #expect(nulls.header("X-Total-Count") == "10")

        // Keyset pages: follow Link until it ends; every row once, in order.
        var seen: [Int] = []
        var next: String? = "/api/\(n.track)?\(n.albumId)=eq.1&order=\(n.trackId)&limit=4"
        while let url = next {
            let page = try await f.send("GET", url)
            #expect(page.status == 200)
            seen += page.array.compactMap { $0[n.trackId] as? Int }
            next = page.header("Link").flatMap { link in
                link.split(separator: ">").first.map { String($0.dropFirst()) }
            }
            if seen.count > 20 { break }
        }
        #expect(seen.count == 10 && seen == seen.sorted() && Set(seen).count == 10)

        // A cursor used with another query is refused.
        let first = try await f.send("GET", "/api/\(n.track)?\(n.albumId)=eq.1&limit=4")
        let link = try #require(first.header("Link"))
        let cursor = try #require(link.components(separatedBy: "after=").last?.split(separator: ">").first)
        let other = try await f.send("GET", "/api/\(n.track)?\(n.albumId)=eq.2&limit=4&after=\(cursor)")
        #expect(other.status == 400)

        let estimated = try await f.send("GET", "/api/\(n.artist)?limit=0&count=estimated")
        #expect(estimated.status == 200 && estimated.array.isEmpty)
        #expect(Int(estimated.header("X-Total-Count") ?? "") != nil)
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

        // A body value in the wire's ref form is refused: this face takes plain JSON only.
        let ref = #"{"_o":"Ref","k":{"_o":"LIST","_d":["sql","\#(n.artist)",1]}}"#
        let smuggled = try await f.send(
            "POST", "/api/\(n.artist)", json: #"{"\#(n.artistId)": \#(id + 1), "\#(n.name)": \#(ref)}"#)
        #expect(smuggled.status == 422)
        #expect(smuggled.text.contains("'\(n.name)'"))
        #expect(try await f.send("GET", "/api/\(n.artist)/\(id + 1)").status == 404)

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
        // All or nothing: the second row's key is taken, so neither is created.
        let clash = try await f.send(
            "POST", "/api/\(n.artist)",
            json: #"[{"\#(n.artistId)": \#(id + 3), "\#(n.name)": "c"}, {"\#(n.artistId)": 1, "\#(n.name)": "d"}]"#)
        #expect(clash.status == 409)
        #expect(try await f.send("GET", "/api/\(n.artist)/\(id + 3)").status == 404)
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

    @Test("broadcasts on /events name the row's REST URL", arguments: ChinookBackend.available)
    func broadcastURL(_ backend: ChinookBackend) async throws {
        let f = try await RESTFixture.start(backend)
        defer { Task { await f.stop() } }
        let n = f.n
        let id = Int.random(in: 100_000...900_000_000)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-sN", "--max-time", "5", f.base + "/events"]
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        for _ in 0..<500 where f.http.eventStreamCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(f.http.eventStreamCount == 1)
        let created = try await f.send(
            "POST", "/api/\(n.genre)", json: #"{"\#(n.genreId)": \#(id), "\#(n.name)": "rest-events"}"#)
        #expect(created.status == 201)
        let tag = try #require(created.header("ETag"))
        #expect(try await f.send("DELETE", "/api/\(n.genre)/\(id)", headers: ["If-Match": tag]).status == 204)
        // curl ends after its --max-time; waiting for it blocks, so not on the cooperative pool.
        let text = try await TestStack.onThread {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            curl.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let url = #""url":"/api/\#(n.genre)/\#(id)""#
        #expect(text.components(separatedBy: url).count == 3, "the created and the deleted row's broadcasts")
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

    @Test("the transport's token and body limit guard the REST face", arguments: ChinookBackend.available.prefix(1))
    func transportRules(_ backend: ChinookBackend) async throws {
        let f = try await RESTFixture.start(backend, token: "rest-token", maxBodyBytes: 64)
        defer { Task { await f.stop() } }
        #expect(try await f.send("GET", "/api/").status == 401)
        let auth = ["Authorization": "Bearer rest-token"]
        #expect(try await f.send("GET", "/api/", headers: auth).status == 200)
        let big = #"{"\#(f.n.name)": "\#(String(repeating: "x", count: 100))"}"#
        #expect(try await f.send("POST", "/api/\(f.n.artist)", json: big, headers: auth).status == 413)
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
