import DaBrokerCore

/// Conversions between proleptic Gregorian dates and day counts, and between
/// `TimestampValue`s and their calendar parts, shared by the drivers.
enum CivilCalendar {
    /// Days since 1970-01-01 of a date (Howard Hinnant's `days_from_civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (`civil_from_days`).
    static func date(days: Int) -> DateValue {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return DateValue(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    static let microsPerDay: Int64 = 86_400_000_000

    /// Splits microseconds since the epoch into a date and a time of day.
    static func split(_ micros: Int64) -> (DateValue, TimeValue) {
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
        return (date(days: Int(days)), time)
    }

    /// Microseconds since the epoch of a date and time of day (the time's offset is ignored).
    static func micros(_ date: DateValue, _ time: TimeValue) -> Int64 {
        let d = Int64(days(year: date.year, month: date.month, day: date.day))
        let t = Int64(time.hour) * 3_600_000_000 + Int64(time.minute) * 60_000_000 + Int64(time.second) * 1_000_000
        return d * microsPerDay + t + Int64(time.microsecond)
    }

    /// The wall-clock reading of a timestamp: UTC moved by its offset, if it has one.
    static func wallClock(_ ts: TimestampValue) -> (DateValue, TimeValue) {
        split(ts.microsecondsSinceEpoch + Int64(ts.utcOffset ?? 0) * 1_000_000)
    }
}
