import DaBrokerCore
import DaBrokerServer
import Foundation
import Logging
import Synchronization
import Testing

@testable import DaBrokerCLI

/// `--log-format json`: each line is one JSON object with the documented fields, whatever the
/// message holds, and lines written inside a request carry its id.
@Suite("JSON log lines")
struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    private func logger(_ sink: Lines) -> Logger {
        Logger(label: "dabroker.test") { label in
            var h = JSONLogHandler(label: label, metadataProvider: RequestContext.loggingMetadata) { line in
                sink.lines.withLock { $0.append(line) }
            }
            h.logLevel = .debug
            return h
        }
    }

    private func parse(_ line: String) throws -> [String: String] {
        #expect(line.hasSuffix("}\n") && !line.dropLast().contains("\n"), "one line: \(line)")
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: String])
    }

    @Test func fieldsAndEscaping() throws {
        let sink = Lines()
        let log = logger(sink)
        log.notice("quote \" backslash \\ newline \n tab \t bell \u{7} done", metadata: ["table": "person"])
        let context = RequestContext(transport: RequestContext.Transport.http, method: Method.get)
        RequestContext.$current.withValue(context) { log.debug("inside", metadata: ["duration_ms": "1.5"]) }
        let lines = sink.lines.withLock { $0 }
        #expect(lines.count == 2)
        let first = try parse(lines[0])
        #expect(first["message"] == "quote \" backslash \\ newline \n tab \t bell \u{7} done")
        #expect(first["level"] == "notice" && first["logger"] == "dabroker.test" && first["table"] == "person")
        #expect(first["request_id"] == nil)
        #expect(first["time"]?.hasSuffix("Z") == true)
        let second = try parse(lines[1])
        #expect(second["request_id"] == context.id && second["method"] == "get" && second["duration_ms"] == "1.5")
    }

    @Test func requestIDsAndMethodLabels() {
        let ids = Set((0..<100).map { _ in RequestContext.makeID() })
        #expect(ids.count == 100)
        #expect(ids.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isHexDigit) })
        #expect(Method.label("_dab_search") == "_dab_search")
        #expect(Method.label("drop table person") == "other")
        #expect(Method.label(nil) == "other")
    }
}
