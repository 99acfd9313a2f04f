import DaBrokerCore
import OrderedCollections
import Yams

extension ConfigurationLoader {
    func parseHTTP(_ node: Node, _ r: NodeReader) throws -> GatewayConfiguration.HTTPSettings {
        var http = GatewayConfiguration.HTTPSettings()
        if r.isNull(node) { return http }
        let pairs = try r.mapping(node, path: "http")
        try r.checkKeys(
            pairs,
            allowed: [
                "host", "port", "token", "max_body_bytes", "header_timeout", "body_timeout", "idle_timeout",
                "drain_timeout",
            ], path: "http")
        for (k, v) in pairs {
            switch k.string {
            case "header_timeout": http.headerTimeoutSeconds = try r.seconds(v, path: "http.header_timeout")
            case "body_timeout": http.bodyTimeoutSeconds = try r.seconds(v, path: "http.body_timeout")
            case "idle_timeout": http.idleTimeoutSeconds = try r.seconds(v, path: "http.idle_timeout")
            case "drain_timeout": http.drainTimeoutSeconds = try r.seconds(v, path: "http.drain_timeout")
            case "host": http.host = try r.string(v, path: "http.host")
            case "port": http.port = try r.int(v, path: "http.port", range: 0...65535)
            case "token": http.token = try r.string(v, path: "http.token")
            case "max_body_bytes": http.maxBodyBytes = try r.int(v, path: "http.max_body_bytes", range: 1...(1 << 30))
            default: break
            }
        }
        return http
    }

    func parseAMQP(_ node: Node, _ r: NodeReader) throws -> GatewayConfiguration.AMQPSettings {
        var amqp = GatewayConfiguration.AMQPSettings()
        if r.isNull(node) { return amqp }
        let pairs = try r.mapping(node, path: "amqp")
        try r.checkKeys(
            pairs, allowed: ["url", "queue", "exchange", "routing_key", "purge", "prefetch", "heartbeat", "reply_to"],
            path: "amqp")
        for (k, v) in pairs {
            switch k.string {
            case "url":
                amqp.url = try r.string(v, path: "amqp.url")
                try Self.checkAMQPURL(amqp.url, at: r.location(v))
            case "queue": amqp.queue = try r.string(v, path: "amqp.queue")
            case "exchange": amqp.exchange = try r.string(v, path: "amqp.exchange")
            case "routing_key": amqp.routingKey = try r.string(v, path: "amqp.routing_key")
            case "purge": amqp.purge = try r.bool(v, path: "amqp.purge")
            case "prefetch": amqp.prefetch = try r.int(v, path: "amqp.prefetch", range: 1...65535)
            case "heartbeat": amqp.heartbeatSeconds = try r.int(v, path: "amqp.heartbeat", range: 0...3600)
            case "reply_to": amqp.allowedReplyTo = try r.strings(v, path: "amqp.reply_to")
            default: break
            }
        }
        return amqp
    }

    func parseLimits(_ node: Node, _ r: NodeReader) throws -> GatewayConfiguration.Limits {
        var limits = GatewayConfiguration.Limits()
        if r.isNull(node) { return limits }
        let pairs = try r.mapping(node, path: "limits")
        try r.checkKeys(
            pairs,
            allowed: [
                "pool_size", "request_concurrency", "max_find_limit", "call_timeout", "statement_timeout",
                "max_message_bytes",
            ], path: "limits")
        for (k, v) in pairs {
            let path = "limits." + k.string
            switch k.string {
            case "pool_size": limits.poolSize = try r.int(v, path: path, range: 1...1024)
            case "request_concurrency": limits.requestConcurrency = try r.int(v, path: path, range: 1...100_000)
            case "max_find_limit": limits.maxFindLimit = try r.int(v, path: path, range: 1...10_000_000)
            case "call_timeout": limits.callTimeoutSeconds = try r.seconds(v, path: path)
            case "statement_timeout":
                limits.statementTimeoutSeconds = r.isNull(v) ? nil : try r.seconds(v, path: path)
            case "max_message_bytes": limits.maxMessageBytes = try r.int(v, path: path, range: 1024...(1 << 30))
            default: break
            }
        }
        return limits
    }

    func parseSchema(_ node: Node, _ r: NodeReader) throws -> GatewayConfiguration.SchemaChanges {
        var schema = GatewayConfiguration.SchemaChanges()
        if r.isNull(node) { return schema }
        let pairs = try r.mapping(node, path: "schema")
        try r.checkKeys(pairs, allowed: ["check", "reload"], path: "schema")
        for (k, v) in pairs {
            let path = "schema." + k.string
            switch k.string {
            case "check": schema.checkSeconds = r.isNull(v) ? nil : try r.seconds(v, path: path)
            case "reload": schema.reload = try r.bool(v, path: path)
            default: break
            }
        }
        return schema
    }

    func parseWire(_ node: Node, _ r: NodeReader) throws -> GatewayConfiguration.WireSettings {
        var wire = GatewayConfiguration.WireSettings()
        if r.isNull(node) { return wire }
        let pairs = try r.mapping(node, path: "wire")
        try r.checkKeys(pairs, allowed: ["decimals"], path: "wire")
        for (k, v) in pairs where k.string == "decimals" {
            let name = try r.string(v, path: "wire.decimals")
            guard let encoding = DecimalEncoding(rawValue: name) else {
                throw ConfigurationError(
                    "wire.decimals must be one of \(DecimalEncoding.allCases.map(\.rawValue).joined(separator: ", "))",
                    at: r.location(v))
            }
            wire.decimals = encoding
        }
        return wire
    }

    func parseChanges(_ node: Node, _ r: NodeReader) throws -> GatewayConfiguration.ChangeSettings? {
        if r.isNull(node) { return nil }
        var changes = GatewayConfiguration.ChangeSettings()
        let pairs = try r.mapping(node, path: "changes")
        try r.checkKeys(pairs, allowed: ["tables", "poll", "retention", "lease"], path: "changes")
        for (k, v) in pairs {
            let path = "changes." + k.string
            switch k.string {
            case "tables": changes.tables = try r.strings(v, path: path)
            case "poll": changes.pollSeconds = try r.seconds(v, path: path)
            case "retention": changes.retentionSeconds = try r.seconds(v, path: path)
            case "lease": changes.leaseSeconds = try r.seconds(v, path: path)
            default: break
            }
        }
        if changes.tables == ["*"] { changes.tables = [] }
        return changes
    }

    func parseExport(_ node: Node, _ r: NodeReader) throws -> GatewayConfiguration.ExportDefaults {
        var export = GatewayConfiguration.ExportDefaults()
        if r.isNull(node) { return export }
        let pairs = try r.mapping(node, path: "export")
        try r.checkKeys(pairs, allowed: ["rw", "include", "exclude"], path: "export")
        for (k, v) in pairs {
            switch k.string {
            case "rw": export.mode = try r.accessMode(v, path: "export.rw")
            case "include": export.include = try r.strings(v, path: "export.include")
            case "exclude": export.exclude = try r.strings(v, path: "export.exclude")
            default: break
            }
        }
        return export
    }

    func parseTables(_ node: Node, _ r: NodeReader, config: inout GatewayConfiguration) throws -> OrderedDictionary<
        String, GatewayConfiguration.TableSettings
    > {
        var tables: OrderedDictionary<String, GatewayConfiguration.TableSettings> = [:]
        if r.isNull(node) { return tables }
        for (name, tableNode) in try r.mapping(node, path: "tables") {
            let path = "tables.\(name.string)"
            config.origins[path] = r.location(name.node)
            var t = GatewayConfiguration.TableSettings()
            if !r.isNull(tableNode) {
                let pairs = try r.mapping(tableNode, path: path)
                try r.checkKeys(pairs, allowed: ["rw", "hide", "cached", "refs", "backrefs"], path: path)
                for (k, v) in pairs {
                    config.origins[path + "." + k.string] = r.location(v)
                    switch k.string {
                    case "rw": t.mode = try r.accessMode(v, path: path + ".rw")
                    case "hide": t.hide = try r.strings(v, path: path + ".hide")
                    case "cached": t.cached = try r.bool(v, path: path + ".cached")
                    case "refs": t.refNames = try names(v, r, path: path + ".refs")
                    case "backrefs": t.backrefNames = try names(v, r, path: path + ".backrefs")
                    default: break
                    }
                }
            }
            tables[name.string] = t
        }
        return tables
    }

    private func names(_ node: Node, _ r: NodeReader, path: String) throws -> OrderedDictionary<String, String> {
        var out: OrderedDictionary<String, String> = [:]
        for (k, v) in try r.mapping(node, path: path) {
            out[k.string] = try r.string(v, path: "\(path).\(k.string)")
        }
        return out
    }
}
