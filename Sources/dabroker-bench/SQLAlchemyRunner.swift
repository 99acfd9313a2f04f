import Foundation

/// Runs SQLAlchemy 2.x `MetaData.reflect()` from a throw-away virtual environment, creating
/// it (`python3 -m venv`, `pip install sqlalchemy psycopg2-binary pymysql`) when missing.
struct SQLAlchemyRunner {
    let venv: String

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// The script: connects once (not timed), then times `MetaData().reflect()` a given number
    /// of times and prints the best.
    static let script = """
        import sys, time
        from sqlalchemy import MetaData, create_engine
        engine = create_engine(sys.argv[1])
        best = None
        with engine.connect() as c:
            for _ in range(int(sys.argv[2])):
                start = time.perf_counter()
                md = MetaData()
                md.reflect(bind=c)
                elapsed = time.perf_counter() - start
                best = elapsed if best is None else min(best, elapsed)
        print(f"{best:.6f} {len(md.tables)}")
        """

    /// The best time of `runs` reflections, and the number of tables reflected.
    func reflect(url: String, runs: Int) throws -> (seconds: Double, tables: Int) {
        let python = venv + "/bin/python"
        if !FileManager.default.isExecutableFile(atPath: python) {
            print("creating \(venv) with SQLAlchemy …")
            _ = try run("/usr/bin/env", ["python3", "-m", "venv", venv])
            _ = try run(venv + "/bin/pip", ["install", "-q", "sqlalchemy", "psycopg2-binary", "pymysql"])
        }
        let out = try run(python, ["-c", Self.script, url, String(max(1, runs))])
        let parts = out.split(separator: " ")
        guard parts.count == 2, let s = Double(parts[0]),
            let n = Int(parts[1].trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw Failed(description: "unexpected SQLAlchemy output: \(out)") }
        return (s, n)
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failed(description: "\(executable) \(arguments.first ?? "") exited with \(p.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
