import Foundation

/// MariaDB/MySQL error numbers → ``DatabaseRefusal``, with the column, key and constraint
/// names read from the message. Only names are read (the quoted identifier after `column`,
/// `for key`, `CONSTRAINT`); a value the server quoted (`Duplicate entry '…'`) is never kept.
struct MariaDBRefusal: Equatable {
    var refusal: DatabaseRefusal
    var columns: [String] = []
    var constraint: String?

    /// The refusal class of error `code` with server text `text`, or `nil` for other errors.
    static func classify(_ code: UInt32, _ text: String) -> MariaDBRefusal? {
        switch code {
        case 1048:  // Column 'c' cannot be null
            return .init(refusal: .notNull, columns: name(after: "Column ", in: text))
        case 1364:  // Field 'c' doesn't have a default value
            return .init(refusal: .notNull, columns: name(after: "Field ", in: text))
        case 1062, 1586:  // Duplicate entry '…' for key 'k'
            return .init(refusal: .unique, constraint: name(after: "for key ", in: text, last: true).first)
        case 1451, 1217:  // Cannot delete or update a parent row: … CONSTRAINT `fk` FOREIGN KEY (`c`) …
            return .init(refusal: .referenced, columns: foreignKeyColumns(text), constraint: fkName(text))
        case 1452, 1216:  // Cannot add or update a child row: … CONSTRAINT `fk` FOREIGN KEY (`c`) …
            return .init(refusal: .foreignKey, columns: foreignKeyColumns(text), constraint: fkName(text))
        case 4025, 3819:  // CONSTRAINT `name` failed for `db`.`t`
            return .init(refusal: .check, constraint: name(after: "CONSTRAINT ", in: text).first)
        case 1369, 1644:  // CHECK OPTION failed; a trigger's SIGNAL
            return .init(refusal: .check)
        case 1366, 1265, 1292, 1367, 1411, 3140:
            // Incorrect integer value: '…' for column `db`.`t`.`c` at row 1; Data truncated for column 'c'
            return .init(refusal: .invalidValue, columns: name(after: " column ", in: text, last: true))
        case 1264, 1406, 1690, 1416:  // Out of range value for column 'c'; Data too long for column 'c'
            return .init(refusal: .outOfRange, columns: name(after: " column ", in: text, last: true))
        case 1906, 3105:  // The value specified for generated column 'c' in table 't' has been ignored
            return .init(refusal: .notWritable, columns: name(after: "generated column ", in: text))
        case 1471, 1288, 1393, 1394, 1395, 1142, 1143, 1036:  // not insertable-into / not updatable / denied
            return .init(refusal: .notWritable)
        case 1526, 1748:  // Table has no partition for value …
            return .init(refusal: .noPartition)
        default:
            return nil
        }
    }

    /// The quoted identifier right after `marker` (`'c'`, `` `c` `` or `` `db`.`t`.`c` ``: its
    /// last part), as a one-element array, or empty.
    static func name(after marker: String, in text: String, last: Bool = false) -> [String] {
        guard let r = last ? text.range(of: marker, options: .backwards) : text.range(of: marker) else { return [] }
        var rest = text[r.upperBound...]
        var parts: [String] = []
        while let q = rest.first, q == "'" || q == "`" || q == "\"" {
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: q) else { return [] }
            parts.append(String(rest[..<end]))
            rest = rest[rest.index(after: end)...]
            guard rest.first == "." else { break }
            rest = rest.dropFirst()
        }
        return parts.last.map { [$0] } ?? []
    }

    private static func fkName(_ text: String) -> String? { name(after: "CONSTRAINT ", in: text).first }

    /// The columns in `FOREIGN KEY (`a`, `b`)`.
    private static func foreignKeyColumns(_ text: String) -> [String] {
        guard let r = text.range(of: "FOREIGN KEY (") else { return [] }
        var rest = text[r.upperBound...]
        var out: [String] = []
        while rest.first == "`" {
            rest = rest.dropFirst()
            guard let end = rest.firstIndex(of: "`") else { break }
            out.append(String(rest[..<end]))
            rest = rest[rest.index(after: end)...]
            if rest.hasPrefix(", ") { rest = rest.dropFirst(2) }
        }
        return out
    }
}
