import DaBrokerCore
import OrderedCollections

typealias OrderedDictionaryOfValues = OrderedDictionary<String, Value>

/// The one place where the client touches the JSON codec's API.
enum WireCodecBridge {
    static func encode(_ message: Message) throws -> [UInt8] {
        throw BrokerError.internal("the JSON codec is not merged yet")
    }

    static func decode(_ bytes: [UInt8]) throws -> (Message, sid: String?) {
        throw BrokerError.internal("the JSON codec is not merged yet")
    }
}
