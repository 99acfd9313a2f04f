import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Plain HTTP requests with Foundation's URL loading, as any client would make them.
enum RawHTTP {
    struct Reply: Sendable {
        var status: Int
        var body: [UInt8]
        var headers: [String: String]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    static func request(
        _ method: String, port: Int, path: String, body: [UInt8]? = nil,
        contentType: String? = "application/x-dab-json", token: String? = nil
    ) async throws -> Reply {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw URLError(.badURL) }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 10
        if let body { request.httpBody = Data(body) }
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key] = value }
        }
        return Reply(status: http.statusCode, body: Array(data), headers: headers)
    }

    static func post(
        port: Int, _ body: String, contentType: String? = "application/x-dab-json", token: String? = nil
    ) async throws -> Reply {
        try await request(
            "POST", port: port, path: "/rpc", body: Array(body.utf8), contentType: contentType, token: token)
    }

    static func get(port: Int, path: String, token: String? = nil) async throws -> Reply {
        try await request("GET", port: port, path: path, contentType: nil, token: token)
    }
}
