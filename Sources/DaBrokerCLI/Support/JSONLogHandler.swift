import Foundation
import Logging

/// `--log-format json`: one JSON object per line on standard error, for log shippers.
///
/// Fields: `time` (ISO 8601, UTC, milliseconds), `level`, `logger` (the label), `message`,
/// then `request_id`, `method`, `table` and `duration_ms` when the line has them (from the
/// request's context or the line's metadata), and any other metadata as strings. The
/// handler adds nothing the text format would not print.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let write: @Sendable (String) -> Void

    /// Fields written right after `message`, in this order, when present.
    static let promoted = ["request_id", "method", "table", "duration_ms"]

    init(label: String, metadataProvider: Logger.MetadataProvider?, write: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    /// A handler writing to standard error.
    static func standardError(label: String, metadataProvider: Logger.MetadataProvider?) -> JSONLogHandler {
        JSONLogHandler(label: label, metadataProvider: metadataProvider) { line in
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let own = event.metadata { all.merge(own) { _, new in new } }
        write(Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: all))
    }

    /// One log line: a JSON object and a newline.
    static func line(
        time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> String {
        var out = "{"
        field("time", time.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)) + "Z", &out)
        field("level", level.rawValue, &out)
        field("logger", label, &out)
        field("message", message, &out)
        for key in promoted { if let v = metadata[key] { field(key, "\(v)", &out) } }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where !promoted.contains(key) {
            field(key, "\(value)", &out)
        }
        return out + "}\n"
    }

    private static func field(_ name: String, _ value: String, _ out: inout String) {
        if out != "{" { out += "," }
        PlainJSON.quote(name, into: &out)
        out += ":"
        PlainJSON.quote(value, into: &out)
    }
}
