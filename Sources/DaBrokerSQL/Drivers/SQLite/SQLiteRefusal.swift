import CSQLite3
import Foundation

/// SQLite extended result codes → ``DatabaseRefusal``, with the table and column names of
/// SQLite's constraint messages (`NOT NULL constraint failed: t.c`, `UNIQUE constraint
/// failed: t.a, t.b`, `CHECK constraint failed: name`). SQLite never quotes a value there.
struct SQLiteRefusal: Equatable {
    var refusal: DatabaseRefusal
    var table: String?
    var columns: [String] = []
    var constraint: String?

    // SQLite's extended constraint codes (`SQLITE_CONSTRAINT | n << 8`): macros Swift cannot import.
    static let check: Int32 = 19 | 1 << 8
    static let foreignKey: Int32 = 19 | 3 << 8
    static let function: Int32 = 19 | 4 << 8
    static let notNull: Int32 = 19 | 5 << 8
    static let primaryKey: Int32 = 19 | 6 << 8
    static let trigger: Int32 = 19 | 7 << 8
    static let unique: Int32 = 19 | 8 << 8
    static let datatype: Int32 = 19 | 12 << 8

    /// The refusal class of result code `rc` with message `text`, or `nil` for other errors.
    static func classify(_ rc: Int32, _ text: String) -> SQLiteRefusal? {
        switch rc {
        case Self.notNull:
            return qualified(.notNull, after: "NOT NULL constraint failed: ", text)
        case Self.unique, Self.primaryKey:
            return qualified(.unique, after: "constraint failed: ", text)
        case Self.foreignKey:
            return SQLiteRefusal(refusal: .foreignKey)
        case Self.check:
            var r = SQLiteRefusal(refusal: .check)
            if let range = text.range(of: "CHECK constraint failed: ") {
                let name = String(text[range.upperBound...])
                // An unnamed constraint is reported by its expression: not a name to pass on.
                if name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { r.constraint = name }
            }
            return r
        case Self.trigger, Self.function:
            return SQLiteRefusal(refusal: .check)
        case Self.datatype:  // cannot store TEXT value in INTEGER column t.c
            return qualified(.invalidValue, after: " column ", text)
        case SQLITE_MISMATCH:
            return SQLiteRefusal(refusal: .invalidValue)
        case SQLITE_TOOBIG:
            return SQLiteRefusal(refusal: .outOfRange)
        case _ where rc & 0xff == SQLITE_READONLY:
            return SQLiteRefusal(refusal: .notWritable)
        case SQLITE_ERROR
        where text.hasPrefix("cannot modify ") || text.contains("generated column")
            || text.hasPrefix("cannot INSERT into generated column") || text.hasPrefix("cannot UPDATE generated column"):
            return SQLiteRefusal(refusal: .notWritable)
        default:
            return nil
        }
    }

    /// A refusal naming `table.column[, table.column…]` after `marker`.
    private static func qualified(_ refusal: DatabaseRefusal, after marker: String, _ text: String) -> SQLiteRefusal {
        var r = SQLiteRefusal(refusal: refusal)
        guard let range = text.range(of: marker) else { return r }
        for part in text[range.upperBound...].split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let dot = name.lastIndex(of: ".") else {
                r.columns.append(name)
                continue
            }
            r.table = String(name[..<dot])
            r.columns.append(String(name[name.index(after: dot)...]))
        }
        return r
    }
}
