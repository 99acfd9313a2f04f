import Testing

@testable import DaBrokerHTTP

@Suite("HTTP transport: event stream parsing")
struct SSEParserTests {
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
