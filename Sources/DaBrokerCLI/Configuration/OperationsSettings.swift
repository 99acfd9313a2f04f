import Yams

extension GatewayConfiguration {
    /// The `operations` section: metrics, the admin listener and readiness.
    ///
    /// ```yaml
    /// operations:
    ///   metrics: true          # GET /metrics (Prometheus text format)
    ///   admin_port: 9090       # serve /metrics, /readyz, /healthz on a port of their own
    ///   admin_host: 127.0.0.1
    ///   admin_token: …         # bearer token of the admin port (default: http.token)
    ///   readiness_check: 5     # seconds between database checks for /readyz
    /// ```
    public struct OperationsSettings: Sendable, Equatable {
        /// Whether `GET /metrics` is served (on the HTTP port, and the admin port if any).
        public var metrics = true
        /// A port for an admin listener (`/metrics`, `/readyz`, `/healthz`); nil: none.
        public var adminPort: Int?
        /// The admin listener's bind address.
        public var adminHost = "127.0.0.1"
        /// The admin listener's bearer token; nil: the HTTP transport's token.
        public var adminToken: String?
        /// Seconds between two database checks of the readiness probe.
        public var readinessCheckSeconds = 5.0
        public init() {}
    }
}

extension ConfigurationLoader {
    func parseOperations(_ node: Node, _ r: NodeReader) throws -> GatewayConfiguration.OperationsSettings {
        var ops = GatewayConfiguration.OperationsSettings()
        if r.isNull(node) { return ops }
        let pairs = try r.mapping(node, path: "operations")
        try r.checkKeys(
            pairs, allowed: ["metrics", "admin_port", "admin_host", "admin_token", "readiness_check"],
            path: "operations")
        for (k, v) in pairs {
            let path = "operations." + k.string
            switch k.string {
            case "metrics": ops.metrics = try r.bool(v, path: path)
            case "admin_port": ops.adminPort = try r.int(v, path: path, range: 0...65535)
            case "admin_host": ops.adminHost = try r.string(v, path: path)
            case "admin_token": ops.adminToken = try r.string(v, path: path)
            case "readiness_check": ops.readinessCheckSeconds = try r.seconds(v, path: path)
            default: break
            }
        }
        return ops
    }
}
