import CRabbitMQ
import DaBrokerTestSupport
import Foundation
import Testing

@testable import DaBrokerAMQP

/// Issue 2's smoke test: librabbitmq itself (no DaBroker code) talks to the test RabbitMQ.
@Suite(.enabled(if: AMQPTest.enabled), .rabbit(.shared), .timeLimit(.minutes(1)))
struct RabbitMQSmokeTests {
    @Test func declarePublishConsume() async throws {
        let c = try AMQPTest.configuration()
        let body = "smoke \(UUID())"
        let received = try await TestStack.onThread { () throws -> String in
            try Self.roundTrip(c, body: body)
        }
        #expect(received == body)
    }

    /// Connects with plain librabbitmq calls, declares an auto-delete queue, publishes one
    /// message to it and consumes it back.
    private static func roundTrip(_ c: AMQPConfiguration, body: String) throws -> String {
        guard let conn = amqp_new_connection(), let socket = amqp_tcp_socket_new(conn) else {
            throw AMQPFailure(description: "cannot allocate a connection")
        }
        defer { amqp_destroy_connection(conn) }
        guard amqp_socket_open(socket, c.host, Int32(c.port)) == AMQP_STATUS_OK.rawValue else {
            throw AMQPFailure(description: "cannot open \(c.host):\(c.port)")
        }
        let login = dab_amqp_login_plain(conn, c.vhost, 0, 131_072, 0, c.user, c.password)
        try #require(login.reply_type == AMQP_RESPONSE_NORMAL)
        amqp_channel_open(conn, 1)
        try #require(amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL)

        // `amqp_cstring_bytes` keeps the pointer: copy while the C string is alive.
        let queueName = c.queue.withCString { amqp_bytes_malloc_dup(amqp_cstring_bytes($0)) }
        defer { amqp_bytes_free(queueName) }
        let declared = amqp_queue_declare(conn, 1, queueName, 0, 0, 0, 1, dab_amqp_empty_table())
        try #require(declared != nil)
        let message = body.withCString { amqp_bytes_malloc_dup(amqp_cstring_bytes($0)) }
        defer { amqp_bytes_free(message) }
        let status = amqp_basic_publish(conn, 1, dab_amqp_empty_bytes(), queueName, 0, 0, nil, message)
        try #require(status == AMQP_STATUS_OK.rawValue)
        amqp_basic_consume(conn, 1, queueName, dab_amqp_empty_bytes(), 0, 1, 0, dab_amqp_empty_table())
        try #require(amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL)

        var envelope = amqp_envelope_t()
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        amqp_maybe_release_buffers(conn)
        let reply = amqp_consume_message(conn, &envelope, &timeout, 0)
        try #require(reply.reply_type == AMQP_RESPONSE_NORMAL)
        defer { amqp_destroy_envelope(&envelope) }
        _ = amqp_connection_close(conn, AMQP_REPLY_SUCCESS)
        return AMQPSession.string(envelope.message.body)
    }
}
