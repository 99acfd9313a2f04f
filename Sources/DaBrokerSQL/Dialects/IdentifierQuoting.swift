/// The SQL standard's identifier quoting, shared by the dialects: the identifier between two
/// quote marks, each mark inside doubled. Byte-level, since SQL is built for every request.
enum IdentifierQuoting {
    static func quote(_ identifier: String, mark: Unicode.Scalar) -> String {
        let m = UInt8(ascii: mark)
        var out: [UInt8] = []
        out.reserveCapacity(identifier.utf8.count + 2)
        out.append(m)
        for b in identifier.utf8 {
            out.append(b)
            if b == m { out.append(m) }
        }
        out.append(m)
        return String(decoding: out, as: UTF8.self)
    }
}
