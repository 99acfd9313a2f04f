import DaBrokerCore
import DaBrokerServer
import OrderedCollections

/// A tiny test-only client: builds raw request messages, sends them through the codec and a
/// transport, and decodes the replies (the real client is `BrokerClient`).
struct TestClient {
    let transport: RecordingTransport

    /// The decoded reply to one request.
    func request(
        _ method: String, target: Ref? = nil, args: [Value]? = nil, named: OrderedDictionary<String, Value> = [:]
    ) async throws -> Message {
        try await raw(Request(method: method, target: target, args: args ?? [], named: named).message)
    }

    /// Sends any message through the real codec and decodes the reply.
    func raw(_ message: Message) async throws -> Message {
        let codec = JSONCodec()
        return try codec.decode(try await transport.send(codec.encode(message)))
    }

    /// The reply's data; throws the reply's error.
    func call(
        _ method: String, target: Ref? = nil, args: [Value]? = nil, named: OrderedDictionary<String, Value> = [:]
    ) async throws -> Value {
        let reply = try await request(method, target: target, args: args, named: named)
        if let e = reply.error { throw e }
        return reply.data
    }

    /// The error kind of a call that must fail.
    func failure(
        _ method: String, target: Ref? = nil, args: [Value]? = nil, named: OrderedDictionary<String, Value> = [:]
    ) async throws -> BrokerError? {
        try await request(method, target: target, args: args, named: named).error
    }

    func get(_ ref: Ref) async throws -> Value { try await call("get", args: [.ref(ref)]) }

    /// The decoded broadcasts so far.
    func broadcasts() throws -> [Message] { try transport.broadcasts.map { try JSONCodec().decode($0) } }
}

extension Value {
    var object: ObjectValue? {
        if case .object(let o) = self { return o }
        return nil
    }
    var info: InfoValue? {
        if case .info(let i) = self { return i }
        return nil
    }
    var refValue: Ref? {
        if case .ref(let r) = self { return r }
        return nil
    }
    var list: [Value]? {
        if case .list(let l) = self { return l }
        return nil
    }
    var dict: OrderedDictionary<String, Value>? {
        if case .dict(let d) = self { return d }
        return nil
    }
}
