import DaBrokerCore
import DaBrokerServerTestSupport
import DaBrokerTestSupport
import Foundation
import Testing

@testable import DaBrokerAMQP

/// A client of the original DaBroker talks to this server: the captured request bodies,
/// published with the captured properties by a raw librabbitmq client that replies through
/// a classic exclusive queue (as the original client did), get replies with the original's
/// properties; broadcasts carry the original's properties too.
@Suite(.enabled(if: AMQPTest.enabled), .rabbit(.shared), .timeLimit(.minutes(2)))
struct AMQPInteropTests {
    @Test func capturedRequestsGetRepliesWithTheOriginalProperties() async throws {
        let wire = try CapturedWire.load()
        try #require(wire.rpcs.count >= 8)
        let c = try AMQPTest.configuration()
        let broker = try await StaticBroker(c)
        let (replyQueue, replies) = try await TestStack.onThread { () throws -> (String, [RawMessage?]) in
            let session = try AMQPSession(configuration: AMQPTest.named(c, "raw"))
            let queue = try session.declareQueue("", durable: false, exclusive: true, autoDelete: true)
            _ = try session.consume(queue, noAck: true)
            var replies: [RawMessage?] = []
            for rpc in wire.rpcs {
                // AMQPSession.publish sets exactly the captured request properties.
                try session.publish(
                    AMQPOutgoing(
                        exchange: "", routingKey: c.queue, body: rpc.requestBody,
                        correlationID: rpc.requestProperties["correlation_id"], replyTo: queue))
                replies.append(RawAMQP.next(session))
            }
            return (queue, replies)
        }
        for (rpc, reply) in zip(wire.rpcs, replies) {
            #expect(
                Set(rpc.requestProperties.keys) == ["reply_to", "correlation_id", "content_encoding", "content_type"])
            #expect(rpc.requestProperties["content_type"] == AMQPOutgoing.contentType)
            #expect(rpc.requestProperties["content_encoding"] == AMQPOutgoing.contentEncoding)
            let reply = try #require(reply, "no reply to '\(rpc.step)'")
            #expect(reply.exchange == "")
            #expect(reply.routingKey == replyQueue)
            #expect(reply.properties == rpc.replyProperties, "reply properties of '\(rpc.step)'")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
            #expect(json["msgid"] != nil)
            #expect(json["data"] != nil || json["error"] != nil)
        }
        let echo = try #require(replies.last ?? nil)
        let echoJSON = try #require(try JSONSerialization.jsonObject(with: Data(echo.body)) as? [String: Any])
        #expect(echoJSON["data"] as? String == "hi")
        let root = try #require(replies.first ?? nil)
        let rootJSON = try #require(try JSONSerialization.jsonObject(with: Data(root.body)) as? [String: Any])
        #expect((rootJSON["data"] as? [String: Any])?["_o"] as? String == "Obj")
        await broker.stop()
        await AMQPTest.cleanUp(c)
    }

    @Test func broadcastsCarryTheOriginalProperties() async throws {
        let wire = try CapturedWire.load()
        var config = try AMQPTest.configuration()
        config.routingKey = wire.key
        let c = config
        let broker = try await StaticBroker(c)
        let listener = try await TestStack.onThread { () throws -> RawMessage? in
            let session = try AMQPSession(configuration: AMQPTest.named(c, "raw"))
            let queue = try session.declareQueue("", durable: false, exclusive: true, autoDelete: true)
            try session.bindQueue(queue, exchange: c.exchange, routingKey: "")
            _ = try session.consume(queue, noAck: true)
            Task { try await broker.server.objUpdate(broker.status, ["health": "poor"]) }
            return RawAMQP.next(session)
        }
        let message = try #require(listener)
        #expect(wire.broadcastExchange == "dab_alert" && wire.key == "dab_info")
        #expect(message.exchange == c.exchange)
        #expect(message.routingKey == wire.key)
        #expect(message.properties == wire.broadcast)
        #expect(AMQPTest.text(message.body).contains("invalid_key"))
        await broker.stop()
        await AMQPTest.cleanUp(c)
    }

    /// A python that has py-amqp 5 (`DABROKER_TEST_PYTHON_AMQP`, which scripts/test.sh sets
    /// up); in CI its absence fails these tests.
    static var python: String? { ProcessInfo.processInfo.environment["DABROKER_TEST_PYTHON_AMQP"] }
    static var pythonEnabled: Bool { python != nil || TestServices.isCI }

    /// Runs `scripts/amqp-interop-check.py` with the captured wire examples against `c`'s queue.
    static func runInteropScript(_ c: AMQPConfiguration, extra: [String] = []) async throws -> Int32 {
        let python = try #require(python, "DABROKER_TEST_PYTHON_AMQP is not set (scripts/test.sh sets it up)")
        let wirePath = try #require(CapturedWire.path())
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let url = try TestServices.url(for: .amqp)
        return try await TestStack.onThread { () throws -> Int32 in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: python)
            p.arguments =
                [root.appendingPathComponent("scripts/amqp-interop-check.py").path, url, c.queue, c.exchange, wirePath]
                + extra
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
    }

    /// The original-style client script runs against this server.
    @Test(.enabled(if: pythonEnabled)) func pyAMQPClientOfTheOriginalKind() async throws {
        let c = try AMQPTest.configuration()
        let broker = try await StaticBroker(c)
        #expect(try await Self.runInteropScript(c) == 0)
        await broker.stop()
        await AMQPTest.cleanUp(c)
    }

    /// With `decimals: .string`, the original client's codec reads a row with a decimal
    /// column; with the default (`Dec`) it cannot, as the original could not.
    @Test(.enabled(if: pythonEnabled), arguments: [DecimalEncoding.string, .exact])
    func pyAMQPClientReadsDecimals(_ decimals: DecimalEncoding) async throws {
        let c = try AMQPTest.configuration()
        let broker = try await AMQPDecimalBroker(c, decimals: decimals, name: "amqp_decimal_\(decimals.rawValue)")
        let status = try await Self.runInteropScript(c, extra: ["--decimal", "Item", "price"])
        #expect(status == (decimals == .string ? 0 : 1))
        await broker.stop()
        await AMQPTest.cleanUp(c)
    }
}
