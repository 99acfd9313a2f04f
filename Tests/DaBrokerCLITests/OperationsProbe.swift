import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Plain HTTP calls to a `dabroker serve` child process, as an operator's tools make them:
/// a scrape of `/metrics`, a probe of `/readyz`, a raw `POST /rpc`.
enum OperationsProbe {
    struct Reply {
        var status: Int
        var requestID: String?
        var body: String
    }

    static func call(
        port: Int, _ path: String, post body: String? = nil, token: String? = nil
    ) async throws -> Reply {
        guard let url = URL(string: "http://127.0.0.1:\(port)\(path)") else { throw ProbeError("bad path \(path)") }
        var request = URLRequest(url: url)
        if let body {
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return Reply(
            status: http?.statusCode ?? 0, requestID: http?.value(forHTTPHeaderField: "X-Request-Id"),
            body: String(decoding: data, as: UTF8.self))
    }

    /// `GET /metrics` as a map from series (`name{labels}`) to value.
    static func scrape(port: Int, token: String?) async throws -> [String: Double] {
        let reply = try await call(port: port, "/metrics", token: token)
        guard reply.status == 200 else { throw ProbeError("GET /metrics answered \(reply.status)") }
        var series: [String: Double] = [:]
        for line in reply.body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            series[String(line[..<space])] = value
        }
        return series
    }

    /// Probes `/readyz` until it answers `status` or `timeout` seconds pass; the last reply.
    static func waitForReadiness(
        port: Int, status: Int, token: String?, timeout: Double = 30
    ) async throws -> Reply {
        let deadline = Date().addingTimeInterval(timeout)
        var last = try await call(port: port, "/readyz", token: token)
        while last.status != status, Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
            last = try await call(port: port, "/readyz", token: token)
        }
        return last
    }

    /// The port in the `HTTP transport listening` line of a JSON log (`"port":"N"`).
    static func jsonLoggedPort(_ stderr: String) -> Int? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.contains("HTTP transport listening") }),
            let range = line.range(of: #""port":""#)
        else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    struct ProbeError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }
}
