/// A reference to a brokered object: its key plus, when sent to a client, its access code.
///
/// The access code is a keyed MAC of the key; a server accepts a ref from a client only
/// with a valid code. Broadcasts carry refs without codes.
public struct Ref: Sendable, Hashable {
    public var key: ObjectKey
    public var code: String?

    public init(key: ObjectKey, code: String? = nil) {
        self.key = key
        self.code = code
    }

    /// This ref without its access code, as broadcasts carry it.
    public var withoutCode: Ref { Ref(key: key, code: nil) }
}
