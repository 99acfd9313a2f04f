import DaBrokerServer
import Logging
import Synchronization
import Testing

/// The handler that keeps a logger's metadata until a line is written (`dabroker serve
/// --log-format text`) writes the same lines as swift-log's `StreamLogHandler` holding that
/// metadata itself.
@Suite("Text log lines with deferred metadata")
struct DeferredMetadataLogHandlerTests {
    /// A stream that keeps what it is given.
    struct Sink: TextOutputStream, Sendable {
        let text = SharedText()
        mutating func write(_ string: String) { text.value.withLock { $0 += string } }
    }

    final class SharedText: Sendable {
        let value = Mutex("")
    }

    /// A provider with a key of its own and one that the logger's metadata also sets.
    private static let provider = Logger.MetadataProvider { ["provided": "p", "shared": "from-provider"] }

    private func stream(_ sink: Sink) -> StreamLogHandler {
        var h = StreamLogHandler(label: "dabroker.test", stream: sink, metadataProvider: Self.provider)
        h.logLevel = .debug
        return h
    }

    /// The lines without their timestamps (the two handlers write them at different instants).
    private func lines(_ sink: Sink) -> [Substring] {
        sink.text.value.withLock { $0 }.split(separator: "\n").map { $0.drop { $0 != " " } }
    }

    private func writeLines(_ log: Logger) {
        log.info("no metadata of its own")
        log.notice("with the line's own", metadata: ["shared": "from-line", "line": "l"])
        log.debug("below the level is still written")
        log.trace("below the level")
    }

    @Test func writesWhatStreamLogHandlerWrites() {
        let plain = Sink()
        let deferred = Sink()
        for (sink, wrap) in [(plain, false), (deferred, true)] {
            let handler = stream(sink)
            var log = Logger(label: "dabroker.test") { _ in
                wrap ? DeferredMetadataLogHandler(handler) as any LogHandler : handler
            }
            writeLines(log)
            log[metadataKey: "hb.request.id"] = "7"
            log[metadataKey: "shared"] = "from-logger"
            writeLines(log)
        }
        let expected = lines(plain)
        #expect(expected.count == 6)
        #expect(expected.contains { $0.contains("hb.request.id=7") && $0.contains("shared=from-line") })
        #expect(expected.contains { $0.contains("shared=from-provider") && !$0.contains("from-logger") })
        #expect(lines(deferred) == expected)
    }

    @Test func levelAndMetadataGoThroughTheWrapper() {
        var log = Logger(label: "dabroker.test") { _ in DeferredMetadataLogHandler(stream(Sink())) }
        log.logLevel = .error
        log[metadataKey: "k"] = "v"
        #expect(log.logLevel == .error)
        #expect(log[metadataKey: "k"] == "v")
        #expect(log.handler.metadataProvider != nil)
    }
}
