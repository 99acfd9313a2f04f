import Yams

extension ConfigurationLoader {
    /// `rest:` — `false` switches the REST face off; a mapping sets `enabled`, `prefix` and
    /// `require_if_match`.
    func parseREST(_ node: Node, _ r: NodeReader) throws -> GatewayConfiguration.RESTSettings {
        var rest = GatewayConfiguration.RESTSettings()
        if r.isNull(node) { return rest }
        if node.mapping == nil {
            rest.enabled = try r.bool(node, path: "rest")
            return rest
        }
        let pairs = try r.mapping(node, path: "rest")
        try r.checkKeys(pairs, allowed: ["enabled", "prefix", "require_if_match"], path: "rest")
        for (k, v) in pairs {
            switch k.string {
            case "enabled": rest.enabled = try r.bool(v, path: "rest.enabled")
            case "require_if_match": rest.requireIfMatch = try r.bool(v, path: "rest.require_if_match")
            case "prefix":
                let prefix = try r.string(v, path: "rest.prefix")
                let segments = prefix.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
                guard prefix.hasPrefix("/"), !segments.isEmpty,
                    segments.allSatisfy({ s in
                        !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
                    }),
                    !["/rpc", "/events", "/healthz", "/readyz"].contains(prefix)
                else {
                    throw ConfigurationError(
                        "rest.prefix '\(prefix)' is not a path prefix", at: r.location(v),
                        hint:
                            "a path such as /api: starts with /, no trailing /, not /rpc, /events, /healthz or /readyz")
                }
                rest.prefix = prefix
            default: break
            }
        }
        return rest
    }
}
