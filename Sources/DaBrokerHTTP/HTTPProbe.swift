import DaBrokerCore

/// One `GET` to a gateway's operator endpoint (`/readyz`, `/healthz`, `/metrics`), for
/// health-check commands in images without curl: `dabroker probe http://127.0.0.1:8080/readyz`.
public enum HTTPProbe {
    /// The response's status code and body; throws `Unavailable` when nothing answers.
    public static func get(
        host: String, port: Int, path: String, bearerToken: String?, timeout: Duration
    ) async throws -> (status: Int, body: String) {
        let pool = HTTPConnectionPool(
            configuration: .init(
                host: host, port: port, bearerToken: bearerToken, requestTimeout: timeout, connectTimeout: timeout))
        do {
            let reply = try await pool.get(path)
            await pool.close()
            return (Int(reply.status.code), String(buffer: reply.body))
        } catch {
            await pool.close()
            throw error
        }
    }
}
