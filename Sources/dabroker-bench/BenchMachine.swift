import Foundation

/// What the figures were measured on: cores, memory, OS, Swift version, load, build.
enum BenchMachine {
    static var buildConfiguration: String {
        #if DEBUG
            "debug"
        #else
            "release"
        #endif
    }

    static func describe() -> [String: Any] {
        [
            "cores": ProcessInfo.processInfo.activeProcessorCount,
            "memory_gib": (Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
            "os": os(),
            "swift_version": swiftVersion(),
            "load_average": loadAverage(),
            "build": buildConfiguration,
            "date": ISO8601DateFormatter().string(from: Date()),
        ]
    }

    /// The 1, 5 and 15 minute load averages, as /proc/loadavg gives them.
    static func loadAverage() -> String {
        guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return s.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func os() -> String {
        guard let s = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return "Linux" }
        for line in s.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return "Linux"
    }

    static func swiftVersion() -> String {
        #if compiler(>=6.3)
            "6.3 or later"
        #elseif compiler(>=6.2)
            "6.2"
        #else
            "6.1"
        #endif
    }

    /// Resident set size of process `pid` (self when nil) in bytes, from /proc/PID/status;
    /// `field` `RssAnon` gives only its anonymous memory (the heap), `RssFile` its mapped files.
    static func rss(pid: Int32? = nil, field: String = "VmRSS") -> Int? {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let s = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in s.split(separator: "\n") where line.hasPrefix(field + ":") {
            let digits = line.filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
        return nil
    }
}
