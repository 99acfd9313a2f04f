import Logging
import Synchronization

/// Log lines captured at the default level (`info`): what an operator's log would hold.
final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// A logger writing into this capture, at the default level.
    func logger() -> Logger {
        Logger(label: "existing", factory: { _ in CapturedLinesHandler(capture: self) })
    }
}

/// A log handler at `info` (swift-log's default level) that records each line with its metadata.
struct CapturedLinesHandler: LogHandler {
    let capture: CapturedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        capture.append("\(event.level): \(event.message) \(event.metadata ?? [:]) \(metadata)")
    }
}
