import ArgumentParser
import DaBrokerClient
import DaBrokerCore
import DaBrokerHTTP
import Foundation

/// How the client commands reach a running gateway.
struct ClientOptionGroup: ParsableArguments {
    @Option(name: .long, help: "The gateway's HTTP address, e.g. http://127.0.0.1:8080 (the default).")
    var http: String?

    @Option(name: .long, help: "A RabbitMQ URL, amqp://user:pass@host:port/vhost, instead of HTTP.")
    var amqp: String?

    @Option(name: .long, help: "The bearer token for HTTP (or DABROKER_HTTP_TOKEN).")
    var token: String?

    @Option(name: .long, help: "Seconds to wait for a reply before giving up.")
    var timeout: Double = 10

    @Flag(name: .long, help: "Print JSON on one line.")
    var compact = false

    /// A connected client over the chosen transport.
    func connect() async throws -> BrokerClient {
        let transport = try makeTransport()
        let client = BrokerClient(transport: transport)
        try await client.connect()
        return client
    }

    func makeTransport() throws -> any ClientTransport {
        let env = ProcessInfo.processInfo.environment
        if let amqp = amqp ?? (http == nil ? env["DABROKER_AMQP_URL"].flatMap { $0.isEmpty ? nil : $0 } : nil) {
            return try AMQPClientFactory.make(
                url: amqp, timeout: timeout, queue: env["DABROKER_AMQP_QUEUE"], exchange: env["DABROKER_AMQP_EXCHANGE"])
        }
        let url = http ?? "http://127.0.0.1:8080"
        var configuration = try HTTPClientConfiguration.parse(url: url)
        configuration.bearerToken = token ?? env["DABROKER_HTTP_TOKEN"]
        configuration.requestTimeout = .milliseconds(Int(timeout * 1000))
        return HTTPClientTransport(configuration: configuration)
    }

    func output(_ value: Value) {
        Output.line(PlainJSON.render(value, pretty: !compact))
    }
}

extension HTTPClientConfiguration {
    static func parse(url: String) throws -> HTTPClientConfiguration {
        guard let parsed = URL(string: url), parsed.scheme?.lowercased() == "http", let host = parsed.host else {
            throw ConfigurationError("--http '\(url)' is not of the form http://host:port")
        }
        return HTTPClientConfiguration(host: host, port: parsed.port ?? 80)
    }
}

extension ClientObject {
    /// The object as a value, for printing.
    var value: Value { .object(ObjectValue(ref: ref, fields: fields, refs: refs)) }
}
