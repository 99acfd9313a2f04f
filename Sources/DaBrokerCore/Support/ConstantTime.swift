/// The package's one constant-time comparison, for secrets (access codes, bearer tokens).
package enum ConstantTime {
    /// Whether `a` and `b` hold the same bytes, in a time that depends only on their lengths
    /// (never on where they first differ).
    package static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= UInt((i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0xFF))
        }
        return difference == 0
    }
}
