import DaBrokerCore

/// ISO-8601 text for dates, times and timestamps as SQLite stores them
/// (`YYYY-MM-DD`, `HH:MM:SS[.ffffff]`, `YYYY-MM-DD HH:MM:SS[.ffffff][±HH:MM]`), the form
/// SQLite's own date functions read and write.
enum SQLiteTemporal {
    // MARK: formatting

    static func format(_ d: DateValue) -> String {
        pad(d.year, 4) + "-" + pad(d.month, 2) + "-" + pad(d.day, 2)
    }

    static func format(_ t: TimeValue) -> String {
        var s = pad(t.hour, 2) + ":" + pad(t.minute, 2) + ":" + pad(t.second, 2)
        if t.microsecond != 0 { s += "." + pad(t.microsecond, 6) }
        if let off = t.utcOffset { s += formatOffset(off) }
        return s
    }

    static func format(_ ts: TimestampValue) -> String {
        let local = ts.microsecondsSinceEpoch + Int64(ts.utcOffset ?? 0) * 1_000_000
        var (date, time) = CivilCalendar.split(local)
        time.utcOffset = ts.utcOffset
        return format(date) + " " + format(time)
    }

    // MARK: parsing (nil when the text is not of the expected form)

    static func parseDate(_ text: String) -> DateValue? {
        var s = Scanner(text)
        guard let d = s.date(), s.atEnd else { return nil }
        return d
    }

    static func parseTime(_ text: String) -> TimeValue? {
        var s = Scanner(text)
        guard var t = s.time() else { return nil }
        t.utcOffset = s.offset()
        return s.atEnd ? t : nil
    }

    static func parseTimestamp(_ text: String) -> TimestampValue? {
        var s = Scanner(text)
        guard let d = s.date() else { return nil }
        var t = TimeValue(hour: 0, minute: 0, second: 0)
        if s.eat(" ") || s.eat("T") {
            guard let parsed = s.time() else { return nil }
            t = parsed
        }
        let offset = s.offset()
        guard s.atEnd else { return nil }
        let days = CivilCalendar.days(of: d)
        let secs = Int64(t.hour * 3600 + t.minute * 60 + t.second)
        let local = (days * 86_400 + secs) * 1_000_000 + Int64(t.microsecond)
        return TimestampValue(
            microsecondsSinceEpoch: local - Int64(offset ?? 0) * 1_000_000, utcOffset: offset)
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        CivilCalendar.pad(Int64(n), width)
    }

    private static func formatOffset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let a = abs(seconds)
        return sign + pad(a / 3600, 2) + ":" + pad(a / 60 % 60, 2)
    }

    /// A tiny cursor over the UTF-8 of a temporal literal.
    private struct Scanner {
        let bytes: [UInt8]
        var i = 0
        init(_ text: String) { bytes = Array(text.utf8) }

        var atEnd: Bool { i == bytes.count }

        mutating func eat(_ c: Character) -> Bool {
            guard i < bytes.count, let a = c.asciiValue, bytes[i] == a else { return false }
            i += 1
            return true
        }

        mutating func number(_ count: Int) -> Int? {
            guard i + count <= bytes.count else { return nil }
            var n = 0
            for b in bytes[i..<i + count] {
                guard b >= 48, b <= 57 else { return nil }
                n = n * 10 + Int(b - 48)
            }
            i += count
            return n
        }

        mutating func date() -> DateValue? {
            guard let y = number(4), eat("-"), let m = number(2), eat("-"), let d = number(2) else { return nil }
            guard (1...12).contains(m), d >= 1 else { return nil }
            let date = DateValue(year: y, month: m, day: d)
            guard CivilCalendar.date(days: CivilCalendar.days(of: date)) == date else { return nil }
            return date
        }

        mutating func time() -> TimeValue? {
            guard let h = number(2), eat(":"), let mi = number(2) else { return nil }
            var sec = 0
            var micro = 0
            if eat(":") {
                guard let s = number(2) else { return nil }
                sec = s
                if eat(".") {
                    var digits = 0
                    while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                        if digits < 6 { micro = micro * 10 + Int(bytes[i] - 48) }
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in digits..<max(digits, 6) { micro *= 10 }
                }
            }
            guard h < 24, mi < 60, sec < 60 else { return nil }
            return TimeValue(hour: h, minute: mi, second: sec, microsecond: micro)
        }

        /// `Z`, `±HH:MM`, `±HHMM` or `±HH`; nil when absent.
        mutating func offset() -> Int? {
            if eat("Z") { return 0 }
            let sign: Int
            if eat("+") {
                sign = 1
            } else if eat("-") {
                sign = -1
            } else {
                return nil
            }
            guard let h = number(2) else {
                i = bytes.count + 1  // a sign without hours: make `atEnd` false
                return nil
            }
            _ = eat(":")
            let m = number(2) ?? 0
            return sign * (h * 3600 + m * 60)
        }
    }
}
