import Foundation

/// The results table, printed and as JSON (`{"machine": …, "results": […]}`).
struct BenchReport {
    var results: [BenchResult]
    var notes: [String]

    func print() {
        let header = ["name", "transport", "backend", "p50 µs", "p99 µs", "floor p50", "ratio", "calls/s", "note"]
        var rows: [[String]] = [header]
        for r in results {
            rows.append([
                r.name, r.transport, r.backend, Self.format(r.p50), Self.format(r.p99), Self.format(r.floorP50),
                r.ratio.map { String(format: "%.2f", $0) } ?? "", r.callsPerSecond.map { String(Int($0)) } ?? "",
                r.note ?? "",
            ])
        }
        var widths = [Int](repeating: 0, count: header.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        Swift.print("")
        for row in rows {
            let cells = row.enumerated().map { i, cell in
                i >= 3 && i <= 7
                    ? String(repeating: " ", count: widths[i] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[i] - cell.count)
            }
            Swift.print(cells.joined(separator: "  "))
        }
        for note in notes { Swift.print("note: " + note) }
    }

    func write(json path: String) throws {
        let object: [String: Any] = [
            "machine": BenchMachine.describe(), "results": results.map(\.json), "notes": notes,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
        Swift.print("wrote \(path)")
    }

    static func format(_ x: Double?) -> String {
        guard let x else { return "" }
        if x < 10 { return String(format: "%.3f", x) }
        return String(Int(x.rounded()))
    }
}
