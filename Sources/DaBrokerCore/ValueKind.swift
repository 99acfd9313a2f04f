/// The kind of `Value` a column or field holds, as reflection reports it.
public enum ValueKind: String, Sendable, Hashable, CaseIterable, Codable {
    case bool, int, double, decimal, string, bytes, date, time, timestamp, interval, uuid, json, list
}
