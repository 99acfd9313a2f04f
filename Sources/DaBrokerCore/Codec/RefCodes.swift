/// Where the access codes of a reply's refs come from when they are set as the reply is
/// encoded (``JSONCodec/encode(_:codes:)``): the server signs this way, without first
/// rebuilding the reply's value with every ref's code set.
public struct RefCodes {
    /// The code of a ref to `key`, given the key's canonical bytes (its parts as a list in
    /// the wire JSON, decimals exact); nil: the ref travels without a code.
    let code: (_ key: ObjectKey, _ canonical: UnsafeRawBufferPointer) -> String?

    public init(_ code: @escaping (_ key: ObjectKey, _ canonical: UnsafeRawBufferPointer) -> String?) {
        self.code = code
    }
}
