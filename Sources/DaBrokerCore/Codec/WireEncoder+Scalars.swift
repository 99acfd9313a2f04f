import Foundation

extension WireEncoder {
    /// Appends the bytes of a literal, one by one: the literals are short (1 to 20 bytes),
    /// where `append(contentsOf:)` costs more per call than the copying it saves.
    @inline(__always) mutating func raw(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        out.reserveCapacity(out.count + n)
        let p = s.utf8Start
        for i in 0..<n { out.append(p[i]) }
    }

    mutating func writeInt(_ i: Int64) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(i.magnitude, into: &out)
    }

    mutating func writeDouble(_ d: Double) {
        if d.isFinite {
            out.append(contentsOf: d.description.utf8)
        } else {
            raw("{\"_o\":\"Flt\",\"s\":\"")
            raw(d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity")
            raw("\"}")
        }
    }

    /// A JSON string.
    mutating func writeString(_ s: String) { writeEscaped(s, escapeMetaPrefix: false) }

    /// A dict key: a key starting with `_o` gets `_` inserted as its third character.
    mutating func writeKey(_ s: String) { writeEscaped(s, escapeMetaPrefix: true) }

    private mutating func writeEscaped(_ s: String, escapeMetaPrefix: Bool) {
        JSONString.append(s, to: &out, escapingMetaPrefix: escapeMetaPrefix)
    }

    mutating func writeUUID(_ u: UUID) {
        raw("{\"_o\":\"uuid\",\"s\":\"")
        withUnsafeBytes(of: u.uuid) { b in
            for (i, byte) in b.enumerated() {
                if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
                out.append(JSONString.hexDigit(byte >> 4))
                out.append(JSONString.hexDigit(byte & 0xF))
            }
        }
        raw("\"}")
    }

    // MARK: - Temporal values

    mutating func writeDate(_ d: DateValue) {
        let days = CivilCalendar.days(year: Int64(d.year), month: Int64(d.month), day: Int64(d.day))
        raw("{\"_o\":\"date\",\"d\":")
        writeInt(days + CivilCalendar.unixEpochOrdinal)
        raw(",\"s\":\"")
        writeDateText(year: Int64(d.year), month: Int64(d.month), day: Int64(d.day))
        raw("\"}")
    }

    mutating func writeTime(_ t: TimeValue) {
        let seconds = Int64(t.hour) * 3600 + Int64(t.minute) * 60 + Int64(t.second)
        raw("{\"_o\":\"time\",\"t\":")
        if t.microsecond == 0 {
            writeInt(seconds)
        } else {
            FixedPoint.write(whole: seconds, micros: Int64(t.microsecond), into: &out)
        }
        raw(",\"s\":\"")
        writeClock(seconds * 1_000_000 + Int64(t.microsecond))
        if let o = t.utcOffset { writeOffset(o) }
        raw("\"")
        if let o = t.utcOffset {
            raw(",\"o\":")
            writeInt(Int64(o))
        }
        raw("}")
    }

    mutating func writeTimestamp(_ t: TimestampValue) {
        let (whole, micros) = FixedPoint.split(t.microsecondsSinceEpoch)
        raw("{\"_o\":\"datetime\",\"t\":")
        FixedPoint.write(whole: whole, micros: micros, into: &out)
        var local = t.microsecondsSinceEpoch
        if let o = t.utcOffset {
            let (l, overflow) = local.addingReportingOverflow(Int64(o) * 1_000_000)
            if !overflow { local = l }
        }
        let day: Int64 = 86_400_000_000
        let days = local >= 0 ? local / day : (local + 1) / day - 1
        let c = CivilCalendar.civil(days: days)
        raw(",\"s\":\"")
        writeDateText(year: c.year, month: c.month, day: c.day)
        raw(" ")
        writeClock(local - days * day)
        if let o = t.utcOffset { writeOffset(o) }
        raw("\"")
        if let o = t.utcOffset {
            raw(",\"o\":")
            writeInt(Int64(o))
        }
        raw("}")
    }

    /// `YYYY-MM-DD` (years outside 0…9999 written as they are).
    private mutating func writeDateText(year: Int64, month: Int64, day: Int64) {
        if year >= 0 && year <= 9999 { writePadded(year, 4) } else { writeInt(year) }
        raw("-")
        writePadded(month, 2)
        raw("-")
        writePadded(day, 2)
    }

    /// `HH:MM:SS[.ffffff]` from non-negative microseconds.
    private mutating func writeClock(_ microseconds: Int64) {
        let us = microseconds % 1_000_000
        let secs = microseconds / 1_000_000
        writePadded(secs / 3600, 2)
        raw(":")
        writePadded(secs / 60 % 60, 2)
        raw(":")
        writePadded(secs % 60, 2)
        if us != 0 {
            raw(".")
            writePadded(us, 6)
        }
    }

    /// `+HH:MM` (or `+HH:MM:SS`).
    private mutating func writeOffset(_ offset: Int) {
        let a = Int64(offset.magnitude)
        raw(offset < 0 ? "-" : "+")
        writePadded(a / 3600, 2)
        raw(":")
        writePadded(a / 60 % 60, 2)
        if a % 60 != 0 {
            raw(":")
            writePadded(a % 60, 2)
        }
    }

    private mutating func writePadded(_ v: Int64, _ width: Int) {
        if v < 0 { out.append(UInt8(ascii: "-")) }
        let m = v.magnitude
        var digits = 1
        var x = m
        while x >= 10 {
            x /= 10
            digits += 1
        }
        for _ in digits..<max(digits, width) { out.append(UInt8(ascii: "0")) }
        appendDigits(m, into: &out)
    }

    mutating func writeInterval(_ i: IntervalValue) {
        var whole = (Int64(i.months) * 30 + Int64(i.days)) * 86_400 + i.microseconds / 1_000_000
        var micros = i.microseconds % 1_000_000
        if whole > 0 && micros < 0 {
            whole -= 1
            micros += 1_000_000
        } else if whole < 0 && micros > 0 {
            whole += 1
            micros -= 1_000_000
        }
        raw("{\"_o\":\"timedelta\",\"t\":")
        FixedPoint.write(whole: whole, micros: micros, into: &out)
        var text = ""
        if i.months != 0 { text += "\(i.months) month\(i.months.magnitude == 1 ? "" : "s"), " }
        if i.days != 0 { text += "\(i.days) day\(i.days.magnitude == 1 ? "" : "s"), " }
        if i.microseconds < 0 { text += "-" }
        text += CivilCalendar.timeString(microseconds: Int64(i.microseconds.magnitude % (1 << 63)))
        raw(",\"s\":")
        writeString(text)
        if i.months != 0 {
            raw(",\"m\":")
            writeInt(Int64(i.months))
        }
        if i.days != 0 {
            raw(",\"d\":")
            writeInt(Int64(i.days))
        }
        raw("}")
    }

    /// A JSON document: embedded as `v` when the text is valid JSON, else its text as `s`.
    mutating func writeJson(_ text: String) {
        let bytes = Array(text.utf8)
        let valid = bytes.withUnsafeBufferPointer { buf -> Bool in
            var tokenizer = JSONTokenizer(
                bytes: buf,
                limits: CodecLimits(maxMessageBytes: .max, maxDepth: 1024, maxStringBytes: .max, maxElements: .max))
            do {
                try tokenizer.run()
                return true
            } catch {
                return false
            }
        }
        guard valid else {
            raw("{\"_o\":\"json\",\"s\":")
            writeString(text)
            raw("}")
            return
        }
        var start = 0
        var end = bytes.count
        while start < end, isJSONSpace(bytes[start]) { start += 1 }
        while end > start, isJSONSpace(bytes[end - 1]) { end -= 1 }
        raw("{\"_o\":\"json\",\"v\":")
        out.append(contentsOf: bytes[start..<end])
        raw("}")
    }
}

@inline(__always) private func isJSONSpace(_ b: UInt8) -> Bool {
    b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
}
