import OrderedCollections

/// One message envelope: a request, a reply or a broadcast.
///
/// `data` is the payload; `msgid` is, in a reply, the id of the last broadcast the server
/// had sent when it answered, and in a broadcast its own id; `error` replaces `data` in a
/// failed reply. `extras` keeps any other envelope keys (the original server sends
/// `"include": null` with broadcasts and may send a traceback `tb`), so that they survive a
/// decode/encode round trip.
public struct Message: Sendable, Hashable {
    public var data: Value
    public var msgid: Int64?
    public var error: BrokerError?
    /// Envelope keys other than `data`, `msgid`, `error` and `cache`, in their order.
    public var extras: OrderedDictionary<String, Value>

    public init(
        data: Value = .null, msgid: Int64? = nil, error: BrokerError? = nil,
        extras: OrderedDictionary<String, Value> = [:]
    ) {
        self.data = data
        self.msgid = msgid
        self.error = error
        self.extras = extras
    }
}
