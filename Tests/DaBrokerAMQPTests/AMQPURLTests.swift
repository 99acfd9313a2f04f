import DaBrokerCore
import Testing

@testable import DaBrokerAMQP

/// `amqp://` URL parsing.
struct AMQPURLTests {
    @Test func fullURL() throws {
        let c = try AMQPConfiguration(url: "amqp://us%40er:p%3Ass@rabbit.example:5673/%2fprod")
        #expect(c.host == "rabbit.example")
        #expect(c.port == 5673)
        #expect(c.user == "us@er")
        #expect(c.password == "p:ss")
        #expect(c.vhost == "/prod")
        #expect(c.queue == "dab_queue" && c.exchange == "dab_alert" && c.routingKey == "dab_info")
    }

    @Test func defaults() throws {
        let c = try AMQPConfiguration(url: "amqp://localhost")
        #expect(c.host == "localhost" && c.port == 5672 && c.user == "guest" && c.password == "guest")
        #expect(c.vhost == "/")
        #expect(try AMQPConfiguration(url: "amqp://h/%2f").vhost == "/")
        #expect(try AMQPConfiguration(url: "amqp://h/test").vhost == "test")
        #expect(try AMQPConfiguration(url: "amqp://[::1]:1234/").host == "::1")
    }

    @Test(arguments: ["http://h/", "amqp://h:99999/", "amqp://h:x/", "amqp://u:%zz@h/", "amqp://h/%ff"])
    func badURLs(_ url: String) {
        #expect(throws: BrokerError.self) { try AMQPConfiguration(url: url) }
    }

    @Test func passwordIsRedactedInErrors() {
        #expect(URLRedaction.redacted("amqp://u:secret@h:1/") == "amqp://u:***@h:1/")
    }
}
