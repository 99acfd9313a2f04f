/// Proleptic Gregorian calendar arithmetic shared by the wire codec and the database drivers:
/// dates to day counts and back, and `TimestampValue`s to their calendar parts.
package enum CivilCalendar {
    /// Python's `date.toordinal()` of 1970-01-01.
    package static let unixEpochOrdinal: Int64 = 719_163

    /// Microseconds in a day.
    package static let microsPerDay: Int64 = 86_400_000_000

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    package static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Days since 1970-01-01 of `date`.
    package static func days(of date: DateValue) -> Int64 {
        days(year: Int64(date.year), month: Int64(date.month), day: Int64(date.day))
    }

    /// The civil date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    package static func civil(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
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

    /// The date `days` after 1970-01-01.
    package static func date(days: Int64) -> DateValue {
        let c = civil(days: days)
        return DateValue(year: Int(c.year), month: Int(c.month), day: Int(c.day))
    }

    /// Splits microseconds since the epoch into a date and a time of day (no offset).
    package static func split(_ micros: Int64) -> (DateValue, TimeValue) {
        var days = micros / microsPerDay
        var rest = micros % microsPerDay
        if rest < 0 {
            rest += microsPerDay
            days -= 1
        }
        let seconds = Int(rest / 1_000_000)
        let time = TimeValue(
            hour: seconds / 3600, minute: seconds / 60 % 60, second: seconds % 60,
            microsecond: Int(rest % 1_000_000))
        return (date(days: days), time)
    }

    /// Microseconds since the epoch of a date and time of day (the time's offset is ignored).
    package static func micros(_ date: DateValue, _ time: TimeValue) -> Int64 {
        let t = Int64(time.hour) * 3_600_000_000 + Int64(time.minute) * 60_000_000 + Int64(time.second) * 1_000_000
        return days(of: date) * microsPerDay + t + Int64(time.microsecond)
    }

    /// The wall-clock reading of a timestamp: UTC moved by its offset, if it has one; `nil`
    /// when that overflows (an offset or instant no database can hold).
    package static func wallClock(_ ts: TimestampValue) -> (DateValue, TimeValue)? {
        let (shift, o1) = Int64(ts.utcOffset ?? 0).multipliedReportingOverflow(by: 1_000_000)
        let (wall, o2) = ts.microsecondsSinceEpoch.addingReportingOverflow(shift)
        return o1 || o2 ? nil : split(wall)
    }

    /// `HH:MM:SS[.ffffff]` from microseconds since midnight.
    package static func timeString(microseconds: Int64) -> String {
        let us = microseconds % 1_000_000
        let secs = microseconds / 1_000_000
        var s = pad(secs / 3600, 2) + ":" + pad(secs / 60 % 60, 2) + ":" + pad(secs % 60, 2)
        if us != 0 { s += "." + pad(us, 6) }
        return s
    }

    /// `v` in decimal with leading zeros to `width` digits (a minus sign in front of them).
    package static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v.magnitude)
        let p = s.count < width ? String(repeating: "0", count: width - s.count) + s : s
        return v < 0 ? "-" + p : p
    }
}
