import ArgumentParser
import DaBrokerCore
import Foundation

/// `dabroker watch`: prints broadcasts (invalidations) as they come, one JSON line each.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Print broadcasts as they arrive, one JSON object per line.")
    @OptionGroup var client: ClientOptionGroup
    @Option(name: .long, help: "Exit after this many broadcasts.") var count: Int?

    func run() async throws {
        try await CLIErrors.reporting {
            let transport = try client.makeTransport()
            try await transport.connect()
            FileHandle.standardError.write(Data("watch: listening\n".utf8))
            var seen = 0
            for await event in transport.events {
                switch event {
                case .broadcast(let bytes):
                    let line: String
                    if let message = try? JSONCodec().decode(bytes) {
                        var pairs: [String: Value] = ["data": message.data]
                        if let id = message.msgid { pairs["msgid"] = .int(id) }
                        line = PlainJSON.render(
                            .dict(.init(uniqueKeysWithValues: pairs.sorted { $0.key < $1.key })), pretty: false)
                    } else {
                        line = String(decoding: bytes, as: UTF8.self)
                    }
                    Output.line(line)
                    seen += 1
                case .resynchronize:
                    Output.line("{\"resynchronize\": true}")
                }
                if let count, seen >= count { break }
            }
            await transport.close()
        }
    }
}
