/// The server's memory of recent requests, keyed by `reply_to` + `correlation_id`, so that a
/// request RabbitMQ redelivers after a reconnect is not executed twice by this server: if it
/// is still running, the redelivery waits for its reply; if it finished, its reply is sent
/// again.
struct RecentReplies {
    enum Lookup {
        case done([UInt8])
        case inProgress
        case unknown
    }

    /// How many finished replies are kept.
    static let capacity = 1024
    /// Larger replies are not kept.
    static let maxReplyBytes = 64 << 10

    private var replies: [String: [UInt8]] = [:]
    private var order: [String] = []
    private var next = 0
    private var running: [String: [AMQPDelivery]] = [:]

    /// What is known of `key`; a redelivery of a running request is remembered and returned
    /// by ``finish(_:reply:)``.
    mutating func lookup(_ key: String, _ delivery: AMQPDelivery) -> Lookup {
        if let reply = replies[key] { return .done(reply) }
        if running[key] != nil {
            running[key, default: []].append(delivery)
            return .inProgress
        }
        return .unknown
    }

    mutating func begin(_ key: String) {
        if running[key] == nil { running[key] = [] }
    }

    /// Records the reply; returns the redeliveries that waited for it.
    mutating func finish(_ key: String, reply: [UInt8]) -> [AMQPDelivery] {
        let waiting = running.removeValue(forKey: key) ?? []
        guard reply.count <= Self.maxReplyBytes, replies[key] == nil else { return waiting }
        if order.count < Self.capacity {
            order.append(key)
        } else {
            replies.removeValue(forKey: order[next])
            order[next] = key
            next = (next + 1) % Self.capacity
        }
        replies[key] = reply
        return waiting
    }
}
