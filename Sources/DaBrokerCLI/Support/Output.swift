import Foundation

/// Writes to standard output without buffering, so that lines reach a pipe at once (the
/// start-up summary, `watch`).
enum Output {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func line(_ text: String) { write(text + "\n") }
}
