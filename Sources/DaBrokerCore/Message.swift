/// One message envelope: a request, a reply or a broadcast.
///
/// `data` is the payload; `msgid` is, in a reply, the id of the last broadcast the server
/// had sent when it answered, and in a broadcast its own id; `error` replaces `data` in a
/// failed reply.
public struct Message: Sendable, Hashable {
    public var data: Value
    public var msgid: Int64?
    public var error: BrokerError?

    public init(data: Value = .null, msgid: Int64? = nil, error: BrokerError? = nil) {
        self.data = data
        self.msgid = msgid
        self.error = error
    }
}
