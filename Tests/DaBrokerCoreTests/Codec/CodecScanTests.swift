import Testing

@testable import DaBrokerCore

/// The syntax-only look the HTTP transport takes at a body (`validateObject`): the codec's
/// own tokenizer, so a body the transport lets through is one the decoder can tokenize.
@Suite("Codec: syntax-only scans")
struct CodecScanTests {
    @Test(arguments: [
        #"{}"#, #" {"a":1} "#, #"{"a":[1,2.5e3,-0.1,true,false,null,"x\"y"],"b":{"c":{}}}"#,
        #"{"_m":"echo","_a":{"_o":"LIST","_d":["é\u00e9"]}}"#,
    ])
    func acceptsObjects(_ text: String) throws {
        try JSONCodec().validateObject(Array(text.utf8))
    }

    @Test(arguments: [
        "", "[]", "1", #"{"a":}"#, #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":"x"#, #"{a:1}"#, #"{"a":1}}"#, "{\"a\":\"\n\"}",
        #"{"a":1-2e}"#, #"{"a":01}"#,
    ])
    func rejectsOthers(_ text: String) {
        #expect(throws: BrokerError.self) { try JSONCodec().validateObject(Array(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: BrokerError.self) {
            try JSONCodec().validateObject([0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D])
        }
    }
}
