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
        let (days, micros) = floorDivide(local, 86_400_000_000)
        let (y, m, d) = civil(fromDays: days)
        let secs = Int(micros / 1_000_000)
        let time = TimeValue(
            hour: secs / 3600, minute: secs / 60 % 60, second: secs % 60,
            microsecond: Int(micros % 1_000_000), utcOffset: ts.utcOffset)
        return format(DateValue(year: y, month: m, day: d)) + " " + format(time)
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
        let days = Self.days(year: d.year, month: d.month, day: d.day)
        let secs = Int64(t.hour * 3600 + t.minute * 60 + t.second)
        let local = (days * 86_400 + secs) * 1_000_000 + Int64(t.microsecond)
        return TimestampValue(
            microsecondsSinceEpoch: local - Int64(offset ?? 0) * 1_000_000, utcOffset: offset)
    }

    // MARK: calendar arithmetic (proleptic Gregorian, days since 1970-01-01)

    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let digits = String(abs(n))
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return n < 0 ? "-" + padded : padded
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
            let (cy, cm, cd) = SQLiteTemporal.civil(fromDays: SQLiteTemporal.days(year: y, month: m, day: d))
            guard cy == y, cm == m, cd == d else { return nil }
            return DateValue(year: y, month: m, day: d)
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
