import DaBrokerCore
import DaBrokerServer
import Foundation
import Synchronization

/// The libFuzzer entry for the JSON decoder and the broker's dispatcher: every input is decoded
/// with the codec (which must either decode or throw, never crash) and then handed to a
/// ``BrokerServer`` serving a few static objects, whose reply must decode as an error or a result.
///
/// Built by `scripts/fuzz.sh` with `-sanitize=fuzzer,address -DDABROKER_FUZZ` (then `main` runs libFuzzer's
/// driver over ``FuzzTarget/run(_:)``); without that flag
/// the target is a small program that runs the same check over files given as arguments (so a
/// normal `swift build` links and a crash input can be replayed).
enum FuzzTarget {
    /// The server, made on first use. A blocking wait is fine here: libFuzzer calls us on its
    /// own thread, never on Swift's cooperative pool.
    static let server: BrokerServer = {
        let server = BrokerServer(configuration: .init(secret: "fuzz", maxFindLimit: 10))
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let cls = try server.exportClass("Status", key: ["status", "meta"], fields: ["health", "note"])
                let status = StaticObject(class: cls, values: ["health": "OK", "note": .list([1, "x"])])
                try server.addStatic(status, "status")
                let root = try server.exportObject(
                    key: ["root"], className: "Root", refs: ["status": .object(status)])
                server.root = root
                try await server.start()
            } catch {
                fatalError("fuzz set-up failed: \(error)")
            }
            done.signal()
        }
        done.wait()
        return server
    }()

    /// One input: decode, dispatch, decode the reply.
    static func run(_ bytes: [UInt8]) {
        let codec = JSONCodec()
        _ = try? codec.decode(bytes)
        let server = Self.server
        let box = ReplyBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.set(await server.handle(bytes))
            done.signal()
        }
        done.wait()
        guard let reply = try? codec.decode(box.get()) else {
            fatalError("the server's reply does not decode: \(String(decoding: box.get(), as: UTF8.self))")
        }
        _ = reply
    }
}

/// Hands the reply from the task to the fuzzer's thread.
final class ReplyBox: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    func set(_ b: [UInt8]) { bytes.withLock { $0 = b } }
    func get() -> [UInt8] { bytes.withLock { $0 } }
}

#if DABROKER_FUZZ
    /// The libFuzzer entry point (libFuzzer's own `main` may be linked in and calls it).
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        guard let data else { return 0 }
        FuzzTarget.run(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    /// libFuzzer's driver (from `-sanitize=fuzzer`); we call it from our own `main`, because
    /// SwiftPM renames an executable's entry point and would not find libFuzzer's `main`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// Runs libFuzzer over ``FuzzTarget/run(_:)``; the command line goes to libFuzzer.
    @main
    enum FuzzMain {
        static func main() {
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            let status = runFuzzerDriver(&argc, &argv) { data, size in
                guard let data else { return 0 }
                FuzzTarget.run(Array(UnsafeBufferPointer(start: data, count: size)))
                return 0
            }
            exit(status)
        }
    }
#else
    /// Without the fuzzer: replays the files named on the command line (or stdin).
    @main
    enum FuzzReplay {
        static func main() {
            let files = CommandLine.arguments.dropFirst()
            if files.isEmpty {
                FuzzTarget.run(Array(FileHandle.standardInput.readDataToEndOfFile()))
                print("ok: stdin")
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("cannot read \(file)")
                    continue
                }
                FuzzTarget.run(Array(data))
                print("ok: \(file)")
            }
        }
    }
#endif
