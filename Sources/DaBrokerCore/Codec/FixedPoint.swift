/// Exact conversion between JSON number tokens and fixed-point values with six decimal
/// places (the microseconds of `datetime`, `time` and `timedelta`), without `Double`.
enum FixedPoint {
    /// Parses a grammar-checked JSON number, rounded half away from zero to six decimal
    /// places, as `whole + micros / 1_000_000` (both carry the sign of the value); `nil` if
    /// the whole part does not fit in an `Int64`.
    static func parse(_ t: UnsafeBufferPointer<UInt8>) -> (whole: Int64, micros: Int64)? {
        var i = 0
        let n = t.count
        let negative = n > 0 && t[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        let intStart = i
        while i < n, isDigit(t[i]) { i += 1 }
        let intEnd = i
        var fracStart = i
        var fracEnd = i
        if i < n, t[i] == UInt8(ascii: ".") {
            i += 1
            fracStart = i
            while i < n, isDigit(t[i]) { i += 1 }
            fracEnd = i
        }
        var exponent = 0
        if i < n, t[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n, t[i] == UInt8(ascii: "-") || t[i] == UInt8(ascii: "+") {
                expNegative = t[i] == UInt8(ascii: "-")
                i += 1
            }
            while i < n, isDigit(t[i]) {
                if exponent < 100_000 { exponent = exponent * 10 + Int(t[i] &- UInt8(ascii: "0")) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        let intCount = intEnd - intStart
        let digitCount = intCount + (fracEnd - fracStart)
        func digit(_ k: Int) -> Int64 {
            if k < 0 || k >= digitCount { return 0 }
            let b = k < intCount ? t[intStart + k] : t[fracStart + k - intCount]
            return Int64(b &- UInt8(ascii: "0"))
        }
        let point = intCount + exponent  // digits before the decimal point
        var whole: Int64 = 0
        if point > 0 {
            for k in 0..<min(point, digitCount + 20) {
                let (m, o1) = whole.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(digit(k))
                if o1 || o2 { return nil }
                whole = a
            }
            if point > digitCount + 20, whole != 0 { return nil }
        }
        var micros: Int64 = 0
        for k in point..<(point + 6) { micros = micros * 10 + digit(k) }
        if digit(point + 6) >= 5 {
            micros += 1
            if micros == 1_000_000 {
                micros = 0
                let (w, o) = whole.addingReportingOverflow(1)
                if o { return nil }
                whole = w
            }
        }
        return negative ? (-whole, -micros) : (whole, micros)
    }

    /// Appends `whole.micros` as a JSON number with at least one fraction digit
    /// (`1700000000.0`, `-0.5`, `12.000001`).
    static func write(whole: Int64, micros: Int64, into out: inout [UInt8]) {
        if whole < 0 || micros < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(whole.magnitude, into: &out)
        out.append(UInt8(ascii: "."))
        var m = micros.magnitude
        if m == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        var width = 6
        while m % 10 == 0 {
            m /= 10
            width -= 1
        }
        var digits: [UInt8] = []
        while m > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        }
        for _ in digits.count..<width { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: digits.reversed())
    }

    /// Splits microseconds into whole seconds and the rest, both with the sign of the value.
    static func split(_ microseconds: Int64) -> (whole: Int64, micros: Int64) {
        (microseconds / 1_000_000, microseconds % 1_000_000)
    }

    /// `whole * 1_000_000 + micros`, or `nil` on overflow.
    static func combine(_ whole: Int64, _ micros: Int64) -> Int64? {
        let (m, o1) = whole.multipliedReportingOverflow(by: 1_000_000)
        let (s, o2) = m.addingReportingOverflow(micros)
        return o1 || o2 ? nil : s
    }
}

/// Appends the decimal digits of `v`.
@inline(__always) func appendDigits(_ v: UInt64, into out: inout [UInt8]) {
    if v < 10 {
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v))
        return
    }
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
        var i = 20
        var x = v
        while x > 0 {
            i -= 1
            buf[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: x % 10)
            x /= 10
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<20]))
    }
}
