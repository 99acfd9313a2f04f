extension TimestampValue {
    /// The value as ISO 8601 text for people and plain-JSON output, exact to the microsecond:
    /// `2024-02-29T13:05:07.000250` for a reading without zone (no zone is invented), with
    /// its offset for one with zone (`2024-02-29T14:05:07.000250+01:00`, `…Z` for UTC).
    public var iso8601: String {
        guard let (date, time) = CivilCalendar.wallClock(self) else {
            return String(microsecondsSinceEpoch) + "µs"
        }
        let year = Int64(date.year)
        var s = (year >= 0 && year <= 9999 ? CivilCalendar.pad(year, 4) : String(year))
        s += "-" + CivilCalendar.pad(Int64(date.month), 2) + "-" + CivilCalendar.pad(Int64(date.day), 2) + "T"
        let clock =
            Int64(time.hour) * 3_600_000_000 + Int64(time.minute) * 60_000_000 + Int64(time.second) * 1_000_000
            + Int64(time.microsecond)
        s += CivilCalendar.timeString(microseconds: clock)
        guard let offset = utcOffset else { return s }
        if offset == 0 { return s + "Z" }
        let m = offset.magnitude / 60
        s += (offset < 0 ? "-" : "+") + CivilCalendar.pad(Int64(m / 60), 2) + ":" + CivilCalendar.pad(Int64(m % 60), 2)
        if offset.magnitude % 60 != 0 { s += ":" + CivilCalendar.pad(Int64(offset.magnitude % 60), 2) }
        return s
    }
}
