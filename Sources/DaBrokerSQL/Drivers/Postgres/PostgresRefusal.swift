/// SQLSTATE → ``DatabaseRefusal`` for PostgreSQL (Appendix A of the PostgreSQL manual).
enum PostgresRefusal {
    /// The refusal class of `sqlState`; `constraint` and `dataType` are the error's
    /// PG_DIAG_CONSTRAINT_NAME and PG_DIAG_DATATYPE_NAME fields, which tell a domain check
    /// and a partition miss from a table's CHECK constraint (all three are 23514).
    static func classify(_ sqlState: String?, constraint: String?, dataType: String?) -> DatabaseRefusal? {
        guard let s = sqlState else { return nil }
        switch s {
        case "23502", "22004": return .notNull
        case "23505", "23P01": return .unique
        case "23503": return .foreignKey
        case "23514":
            // No constraint and no data type: "no partition of relation … found for row" or
            // "new row violates partition constraint".
            return constraint == nil && dataType == nil ? .noPartition : .check
        case "23000", "23001": return .check
        case "22003", "22001", "22008", "22015": return .outOfRange
        case "428C9", "55000", "42809": return .notWritable
        case "0A000": return .notWritable
        case "42501": return .notWritable
        case _ where s.hasPrefix("22"): return .invalidValue
        default: return nil
        }
    }
}
