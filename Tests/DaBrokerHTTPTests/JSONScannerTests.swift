import Testing

@testable import DaBrokerHTTP

@Suite("HTTP transport JSON scanning")
struct JSONScannerTests {
    @Test(arguments: [
        #"{}"#, #" {"a":1} "#, #"{"a":[1,2.5e3,-0.1,true,false,null,"x\"y"],"b":{"c":{}}}"#,
        #"{"_m":"echo","_a":{"_o":"LIST","_d":["é\u00e9"]}}"#,
    ])
    func acceptsObjects(_ text: String) throws {
        try JSONScanner.validateObject(Array(text.utf8))
    }

    @Test(arguments: [
        "", "[]", "1", #"{"a":}"#, #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":"x"#, #"{a:1}"#, #"{"a":1}}"#, "{\"a\":\"\n\"}",
    ])
    func rejectsOthers(_ text: String) {
        #expect(throws: JSONScanner.SyntaxError.self) { try JSONScanner.validateObject(Array(text.utf8)) }
    }

    @Test func findsTopLevelMsgid() {
        let text = #"{"data":{"msgid":1,"x":[{"msgid":2}]},"msgid":42,"sid":"s"}"#
        #expect(JSONScanner.topLevelInteger("msgid", in: Array(text.utf8)) == 42)
        #expect(JSONScanner.topLevelInteger("msgid", in: Array(#"{"data":{"msgid":1}}"#.utf8)) == nil)
        #expect(JSONScanner.topLevelInteger("msgid", in: Array(#"{"msgid":"7"}"#.utf8)) == nil)
    }

    @Test func parsesEventStreamsInAnyChunking() {
        let text =
            "retry: 10\n\n: keep-alive\n\nid: 1\ndata: {\"a\":1}\n\nevent: resync\r\nid: 2\r\ndata: x\r\ndata: y\r\n\r\n"
        let bytes = Array(text.utf8)
        for size in [1, 2, 7, bytes.count] {
            var parser = SSEParser()
            var events: [SSEEvent] = []
            var index = 0
            while index < bytes.count {
                events += parser.feed(bytes[index..<min(index + size, bytes.count)])
                index += size
            }
            #expect(
                events == [
                    SSEEvent(id: "1", data: Array(#"{"a":1}"#.utf8)),
                    SSEEvent(name: "resync", id: "2", data: Array("x\ny".utf8)),
                ])
        }
    }
}
