/// Proleptic Gregorian calendar arithmetic and the human-readable `s` strings of the wire
/// format's temporal values.
enum CivilCalendar {
    /// Python's `date.toordinal()` of 1970-01-01.
    static let unixEpochOrdinal: Int64 = 719_163

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    /// `YYYY-MM-DD` (years outside 0…9999 printed as they are).
    static func dateString(year: Int64, month: Int64, day: Int64) -> String {
        let y = year >= 0 && year <= 9999 ? pad(year, 4) : String(year)
        return y + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// `HH:MM:SS[.ffffff]` from microseconds since midnight.
    static func timeString(microseconds: Int64) -> String {
        let us = microseconds % 1_000_000
        let secs = microseconds / 1_000_000
        var s = pad(secs / 3600, 2) + ":" + pad(secs / 60 % 60, 2) + ":" + pad(secs % 60, 2)
        if us != 0 { s += "." + pad(us, 6) }
        return s
    }

    /// `+HH:MM` (or `+HH:MM:SS` when the offset has seconds).
    static func offsetString(_ offset: Int) -> String {
        let a = Int64(offset.magnitude)
        var s = (offset < 0 ? "-" : "+") + pad(a / 3600, 2) + ":" + pad(a / 60 % 60, 2)
        if a % 60 != 0 { s += ":" + pad(a % 60, 2) }
        return s
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v.magnitude)
        let p = s.count < width ? String(repeating: "0", count: width - s.count) + s : s
        return v < 0 ? "-" + p : p
    }
}
