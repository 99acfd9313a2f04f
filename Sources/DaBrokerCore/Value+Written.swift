extension Value {
    /// The value as a person writes it, for messages: `2`, `1.5`, `0.99`, `"Bob"`, `true`,
    /// `null`, `2024-05-01`, `[1, 2]` — not Swift's `int(2)` or `decimal("0.99")`.
    public var written: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return "\(d)"
        case .decimal(let s): return s
        case .string(let s): return "\"" + s + "\""
        case .bytes(let b): return "<\(b.count) bytes>"
        case .date(let d): return Self.date(d)
        case .time(let t): return Self.time(t)
        case .timestamp(let ts):
            guard let (d, t) = CivilCalendar.wallClock(ts) else { return "<timestamp>" }
            return Self.date(d) + " " + Self.time(t) + (ts.utcOffset.map(Self.offset) ?? "")
        case .interval(let i): return "\(i.months) months \(i.days) days \(i.microseconds) µs"
        case .uuid(let u): return u.uuidString.lowercased()
        case .json(let s): return s
        case .list(let l): return "[" + l.map(\.written).joined(separator: ", ") + "]"
        case .dict(let d): return "{" + d.map { "\($0.key): \($0.value.written)" }.joined(separator: ", ") + "}"
        case .ref(let r): return "ref \(r.key)"
        case .object(let o): return "object \(o.ref.key)"
        case .info(let i): return "info \(i.ref.key)"
        }
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n.magnitude)
        return (n < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
    }

    private static func date(_ d: DateValue) -> String { "\(pad(d.year, 4))-\(pad(d.month, 2))-\(pad(d.day, 2))" }

    private static func time(_ t: TimeValue) -> String {
        var s = "\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2))"
        if t.microsecond != 0 { s += "." + pad(t.microsecond, 6) }
        return s + (t.utcOffset.map(offset) ?? "")
    }

    private static func offset(_ seconds: Int) -> String {
        let m = seconds.magnitude / 60
        return (seconds < 0 ? "-" : "+") + pad(Int(m / 60), 2) + ":" + pad(Int(m % 60), 2)
    }
}
