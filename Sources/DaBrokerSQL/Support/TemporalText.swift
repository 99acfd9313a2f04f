import DaBrokerCore

/// Dates, times and timestamps from their ISO text (`2024-05-01`, `12:30:00`,
/// `2024-05-01 12:30:00+02:00`), as the SQLite driver reads them; `nil` when the text is
/// not of that form or names an impossible date or time.
public enum TemporalText {
    public static func date(_ text: String) -> DateValue? {
        guard let d = SQLiteTemporal.parseDate(text), valid(d) else { return nil }
        return d
    }

    public static func time(_ text: String) -> TimeValue? {
        guard let t = SQLiteTemporal.parseTime(text), (0...24).contains(t.hour), (0..<60).contains(t.minute),
            (0...60).contains(t.second)
        else { return nil }
        return t
    }

    public static func timestamp(_ text: String) -> TimestampValue? {
        let datePart = String(text.prefix(10))
        guard date(datePart) != nil else { return nil }
        return SQLiteTemporal.parseTimestamp(text)
    }

    /// Whether `d` is a real calendar day (month 1–12, day within the month).
    public static func valid(_ d: DateValue) -> Bool {
        guard (1...12).contains(d.month), d.day >= 1 else { return false }
        let leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][d.month - 1]
        return d.day <= days
    }
}
