import DaBrokerCore
import DaBrokerTestSupport
import Synchronization
import Testing

@testable import DaBrokerAMQP

/// Issue 14, points 5 and 6, against the real RabbitMQ: a server replies only to allowed
/// `reply_to` queues, and a request no queue takes fails at once.
@Suite(.enabled(if: AMQPTest.enabled), .rabbit(.shared), .timeLimit(.minutes(2)))
struct AMQPReplyToTests {
    @Test func defaultAllowsDirectReplyToAndServerNamedQueuesOnly() {
        let c = AMQPConfiguration(host: "localhost")
        #expect(c.allowsReply(to: "amq.rabbitmq.reply-to.g1h2AA5yZXBseUAyNzk2NjQ0Ng==.abc"))
        #expect(c.allowsReply(to: "amq.gen-fPnkhtk9oU0_G8KhWdwEMg"))
        #expect(!c.allowsReply(to: "billing_queue"))
        #expect(!c.allowsReply(to: "dab_queue"))
        #expect(!c.allowsReply(to: "amq.genX"))
    }

    @Test func foreignReplyToGetsNothingAndIsNotRun() async throws {
        let c = try AMQPTest.configuration()
        let runs = Mutex(0)
        let server = AMQPServerTransport(configuration: AMQPTest.named(c, "server"))
        try await server.start(handler: { request in
            runs.withLock { $0 += 1 }
            return Array("reply:".utf8) + request
        })
        let victim = c.queue + "_victim"
        let (foreign, own) = try await TestStack.onThread { () throws -> (RawMessage?, RawMessage?) in
            // Another application's queue, with a name it chose.
            let other = try AMQPSession(configuration: AMQPTest.named(c, "victim"))
            _ = try other.declareQueue(victim, durable: false, exclusive: false, autoDelete: true)
            _ = try other.consume(victim, noAck: true)
            // A client with a reply queue of its own (server-named, as the original client's).
            let session = try AMQPSession(configuration: AMQPTest.named(c, "raw"))
            let queue = try session.declareQueue("", durable: false, exclusive: true, autoDelete: true)
            _ = try session.consume(queue, noAck: true)
            try session.publish(
                AMQPOutgoing(
                    exchange: "", routingKey: c.queue, body: Array("attack".utf8), correlationID: "1",
                    replyTo: victim))
            try session.publish(
                AMQPOutgoing(
                    exchange: "", routingKey: c.queue, body: Array("mine".utf8), correlationID: "2",
                    replyTo: queue))
            let own = RawAMQP.next(session, timeout: 10)
            // The foreign request came first; give a late delivery a second more.
            let foreign = RawAMQP.next(other, timeout: 1)
            try other.deleteQueue(victim)
            return (foreign, own)
        }
        #expect(foreign == nil)
        #expect(own.map { AMQPTest.text($0.body) } == "reply:mine")
        #expect(own?.properties["correlation_id"] == "2")
        #expect(runs.withLock { $0 } == 1)
        await server.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func requestToAnUndeclaredQueueFailsAtOnce() async throws {
        var c = try AMQPTest.configuration(timeout: .seconds(30))
        c.queue += "_nobody"
        let client = try await AMQPTest.client(c)
        let clock = ContinuousClock()
        let start = clock.now
        let error = await #expect(throws: BrokerError.self) { try await client.call(AMQPTest.bytes("hello")) }
        let elapsed = clock.now - start
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("did not run") == true)
        // The call timeout is 30 s: failing within 10 s tells "returned" from "timed out".
        #expect(elapsed < .seconds(10))
        print("[security] AMQP request to an undeclared queue failed after \(elapsed)")
        // The client still works once a server is there.
        let server = try await AMQPTest.echoServer(c, tag: "s:")
        #expect(AMQPTest.text(try await client.call(AMQPTest.bytes("again"))) == "s:again")
        await client.close()
        await server.stop()
        await AMQPTest.cleanUp(c)
    }
}
