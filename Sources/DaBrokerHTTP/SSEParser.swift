/// One server-sent event as read from an event stream.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` name; `message` when the event has none.
    public var name: String
    /// The `id:` field, when the event had one.
    public var id: String?
    /// The `data:` lines joined with line feeds, as bytes.
    public var data: [UInt8]

    public init(name: String = "message", id: String? = nil, data: [UInt8]) {
        self.name = name
        self.id = id
        self.data = data
    }
}

/// An incremental parser of the `text/event-stream` format (WHATWG HTML, "server-sent
/// events"): feed it bytes as they arrive, in chunks of any size, and it returns whole events.
/// Comments (keep-alives) and `retry:` fields are skipped.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var afterCR = false
    private var name = ""
    private var id: String?
    private var data: [UInt8] = []
    private var hasData = false

    public init() {}

    /// Parses `bytes` and returns the events they complete.
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0D:
                afterCR = true
                if let event = endLine() { events.append(event) }
            case 0x0A:
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let field = String(decoding: line[..<(colon ?? line.endIndex)], as: UTF8.self)
        var valueStart = colon.map { $0 + 1 } ?? line.endIndex
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = line[valueStart...]
        switch field {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            name = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { id = String(decoding: value, as: UTF8.self) }
        default:
            break
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            name = ""
            id = nil
            data = []
            hasData = false
        }
        guard hasData || id != nil || !name.isEmpty else { return nil }
        return SSEEvent(name: name.isEmpty ? "message" : name, id: id, data: data)
    }
}
