/// A count and a sum of CRC-32s over catalog rows: the MariaDB fingerprint, computed the same
/// way in Swift (from the rows reflection reads) and on the server
/// (`COUNT(*)`, `SUM(CRC32(CONCAT_WS('|', …)))`).
struct CatalogChecksum {
    private(set) var count: Int64 = 0
    private(set) var sum: Int64 = 0

    /// Adds one row: its non-NULL values joined by `|`, as `CONCAT_WS` does.
    mutating func add(_ values: some Sequence<String?>) {
        count += 1
        sum &+= Int64(Self.crc32(Array(values.compactMap { $0 }.joined(separator: "|").utf8)))
    }

    var text: String { "\(count)/\(sum)" }

    /// CRC-32 (IEEE 802.3, as zlib and MariaDB's `CRC32()` compute it).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}
