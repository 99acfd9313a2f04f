import DaBrokerCore

/// A reply's data before its access codes, which are set as it is encoded
/// (``BrokerServer/refCodes(withholding:)``): refs to a key in `withholding` travel without
/// one. The REST face takes `value` as it is.
struct UnsignedReply {
    var value: Value
    var withholding: Set<ObjectKey>

    init(_ value: Value, withholding: Set<ObjectKey> = []) {
        self.value = value
        self.withholding = withholding
    }
}
