/// A message the I/O thread publishes.
struct AMQPOutgoing: Sendable {
    /// Every DaBroker message is JSON of this content type ...
    static let contentType = "application/x-dab-json"
    /// ... in this encoding (as the original DaBroker sent it).
    static let contentEncoding = "UTF-8"

    var exchange: String
    var routingKey: String
    var body: [UInt8]
    var correlationID: String?
    var replyTo: String?
    /// Published `mandatory`: RabbitMQ returns it (basic.return) when no queue takes it.
    var mandatory = false
}

/// A message the I/O thread received, copied out of rabbitmq-c's buffers.
struct AMQPDelivery: Sendable {
    var consumerTag: String
    var deliveryTag: UInt64
    var redelivered: Bool
    var body: [UInt8]
    var correlationID: String?
    var replyTo: String?
    var contentType: String?
    /// The connection it arrived on (acks only go back on that one).
    var generation: Int
}
