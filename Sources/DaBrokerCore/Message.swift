import OrderedCollections

/// One message envelope: a request, a reply or a broadcast.
///
/// `data` is the payload; `msgid` is, in a reply, the id of the last broadcast the server
/// had sent when it answered, and in a broadcast its own id; `sid` names the server instance
/// that numbered it (msgids of different instances are unrelated); `error` replaces `data`
/// in a failed reply. `extras` keeps any other envelope keys (the original server sends
/// `"include": null` with broadcasts and may send a traceback `tb`), so that they survive a
/// decode/encode round trip.
///
/// On the wire the keys come in this order: `data`, `msgid`, `error`, the extras, `sid`.
public struct Message: Sendable, Hashable {
    public var data: Value
    public var msgid: Int64?
    /// The sending server instance (ours send it with every reply and broadcast; the original
    /// DaBroker's do not). A non-string `sid` key stays in ``extras``.
    public var sid: String?
    public var error: BrokerError?
    /// Envelope keys other than `data`, `msgid`, `sid`, `error` and `cache`, in their order.
    public var extras: OrderedDictionary<String, Value>

    public init(
        data: Value = .null, msgid: Int64? = nil, sid: String? = nil, error: BrokerError? = nil,
        extras: OrderedDictionary<String, Value> = [:]
    ) {
        self.data = data
        self.msgid = msgid
        self.sid = sid
        self.error = error
        self.extras = extras
    }
}
