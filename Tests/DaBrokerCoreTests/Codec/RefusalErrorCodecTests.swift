import Testing

@testable import DaBrokerCore

/// The error types of a refused change travel as plain `exc` objects with string details
/// (docs/protocol.md §8), readable by a client that does not know them.
@Suite("Refusal error types on the wire")
struct RefusalErrorCodecTests {
    @Test(arguments: Array(BrokerError.refusalKinds).sorted { $0.rawValue < $1.rawValue })
    func roundTrip(_ kind: BrokerError.Kind) throws {
        let error = BrokerError(
            kind, "new on 'item': the value of 'code' is already taken",
            details: ["table": "item", "column": "code", "constraint": "item_code_key", "operation": "new"])
        let codec = JSONCodec()
        let bytes = codec.encode(Message(msgid: 3, error: error))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""_o":"exc","_t":"\#(kind.rawValue)","_r":"#))
        #expect(text.contains(#""constraint":"item_code_key""#))
        let back = try #require(try codec.decode(bytes).error)
        #expect(back == error)
        #expect(back.isRefusal)
    }

    @Test func anOlderDecoderReadsThemAsAGenericError() throws {
        // What a client that predates these types sees: an exc with a type it does not know.
        let bytes = Array(
            #"{"error":{"_o":"exc","_t":"SomeFutureRefusal","_r":"new on 'item': refused","column":"code"}}"#.utf8)
        let e = try #require(try JSONCodec().decode(bytes).error)
        #expect(e.kind == .internal)
        #expect(e.message == "new on 'item': refused")
        #expect(e.details["_t"] == "SomeFutureRefusal")
        #expect(e.details["column"] == "code")
    }
}
