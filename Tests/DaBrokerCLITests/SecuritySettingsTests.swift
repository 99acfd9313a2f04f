import DaBrokerAMQP
import Testing

@testable import DaBrokerCLI

/// The HTTP time limits and the AMQP reply_to prefixes read from the YAML configuration.
@Suite("Configuration: HTTP time limits and AMQP reply_to")
struct SecuritySettingsTests {
    let loader = ConfigurationLoader(environment: [:])

    @Test func defaults() throws {
        let c = try loader.parse(yaml: "database: sqlite:x.db\nhttp:\n  port: 1\namqp:\n  queue: q\n", file: "gw.yaml")
        let http = try #require(c.http)
        #expect(http.headerTimeoutSeconds == 10)
        #expect(http.bodyTimeoutSeconds == 30)
        #expect(http.idleTimeoutSeconds == 60)
        #expect(http.drainTimeoutSeconds == 10)
        #expect(c.amqp?.allowedReplyTo == ["amq.rabbitmq.reply-to", "amq.gen-"])
    }

    @Test func configured() throws {
        let yaml = """
            database: sqlite:x.db
            http:
              header_timeout: 2
              body_timeout: 3.5
              idle_timeout: 4
              drain_timeout: 5
            amqp:
              reply_to: [amq.rabbitmq.reply-to]
            """
        let c = try loader.parse(yaml: yaml, file: "gw.yaml")
        #expect(c.http?.headerTimeoutSeconds == 2)
        #expect(c.http?.bodyTimeoutSeconds == 3.5)
        #expect(c.http?.idleTimeoutSeconds == 4)
        #expect(c.http?.drainTimeoutSeconds == 5)
        #expect(c.amqp?.allowedReplyTo == ["amq.rabbitmq.reply-to"])
        #expect(throws: ConfigurationError.self) {
            try loader.parse(yaml: "http:\n  body_timeout: -1\n", file: "gw.yaml")
        }
    }
}
