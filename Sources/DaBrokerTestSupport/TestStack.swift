import Foundation

/// The repository's test stack (`scripts/test-stack.sh`): its helpers that restart or cut off
/// a service, and a way to run blocking work (processes, C client calls) off the cooperative
/// pool.
public enum TestStack {
    public struct Failed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `bash scripts/test-stack.sh <args>` (for example `kill-postgres-connections`);
    /// throws when it fails.
    public static func run(_ args: String...) async throws {
        let script = ChildProcess.repositoryRoot.appendingPathComponent("scripts/test-stack.sh").path
        let status = try await onThread { () throws -> Int32 in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = [script] + args
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        if status != 0 { throw Failed(description: "test-stack.sh \(args) exited with \(status)") }
    }

    /// Runs blocking work on a thread of its own, off the cooperative pool.
    public static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }.start()
        }
    }
}
