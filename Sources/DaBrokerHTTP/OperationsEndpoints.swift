import DaBrokerCore
import HTTPTypes
import Hummingbird
import NIOCore

/// What `GET /metrics` and `GET /readyz` answer, given by the application (the transport
/// knows neither Prometheus nor the database): `dabroker serve` renders its Prometheus
/// registry and asks its `ReadinessMonitor`. Served by ``HTTPServerTransport`` on its port
/// and by ``AdminHTTPServer`` on a port of its own.
public struct OperationsEndpoints: Sendable {
    /// The body of `GET /metrics` (Prometheus text format); `nil`: no such endpoint (404).
    public var metrics: (@Sendable () async -> [UInt8])?
    /// Readiness beyond the transport's own request slots: `(ready, reasons)`; `nil`: only
    /// the slots count.
    public var readiness: (@Sendable () async -> (ready: Bool, reasons: [String]))?

    public init(
        metrics: (@Sendable () async -> [UInt8])? = nil,
        readiness: (@Sendable () async -> (ready: Bool, reasons: [String]))? = nil
    ) {
        self.metrics = metrics
        self.readiness = readiness
    }

    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"
    private static let retryAfter = HTTPField.Name("Retry-After")

    /// `GET /metrics`, or `nil` when no metrics are served.
    func metricsResponse() async -> Response? {
        guard let metrics else { return nil }
        return Response(
            status: .ok, headers: [.contentType: Self.prometheusContentType],
            body: .init(byteBuffer: ByteBuffer(bytes: await metrics())))
    }

    /// `GET /healthz` (`ready: false`: liveness, always 200) and `GET /readyz` (503 unless
    /// every check passes): `{"status":…,"requests_in_progress":n,"max_requests":m}`, with
    /// the failed checks' `reasons` when not ready.
    func healthResponse(ready: Bool, used: Int, limit: Int) async -> Response {
        var reasons: [String] = []
        if used >= limit { reasons.append("every request slot is taken") }
        if ready, let readiness {
            let report = await readiness()
            if !report.ready { reasons += report.reasons.filter { !reasons.contains($0) } }
        }
        let status = used >= limit ? "busy" : (ready && !reasons.isEmpty ? "unavailable" : "ok")
        var body = Array(#"{"status":"\#(status)","requests_in_progress":\#(used),"max_requests":\#(limit)"#.utf8)
        if ready && !reasons.isEmpty {
            body += #","reasons":["#.utf8
            for (i, reason) in reasons.enumerated() {
                if i > 0 { body.append(UInt8(ascii: ",")) }
                ErrorReply.appendString(reason, to: &body)
            }
            body += "]".utf8
        }
        body += "}".utf8
        let failing = ready && !reasons.isEmpty
        var response = Response(
            status: failing ? .serviceUnavailable : .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        if failing, let name = Self.retryAfter { response.headers[name] = "1" }
        return response
    }
}
