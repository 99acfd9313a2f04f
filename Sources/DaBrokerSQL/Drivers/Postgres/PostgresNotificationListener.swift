import CLibPQ
import Foundation
import Logging
import Synchronization

/// Waits for PostgreSQL notifications on one channel (`LISTEN`) on a connection and a thread
/// of its own, and calls `onNotify` for each batch that arrives.
///
/// The thread blocks in `poll(2)` on the connection's socket (at most half a second at a
/// time, so that `stop()` takes effect quickly), never on Swift's cooperative pool. A lost
/// connection is opened again after a second; `onNotify` is called then too, since
/// notifications may have been missed meanwhile.
public final class PostgresNotificationListener: Sendable {
    private let stopping = Mutex(false)
    private let done = Mutex(false)

    /// Starts listening on `channel` (a name the caller controls, not client input).
    public init(
        url: String, channel: String, logger: Logger, onNotify: @escaping @Sendable () -> Void
    ) {
        let thread = Thread { [self] in
            loop(url: url, channel: channel, logger: logger, onNotify: onNotify)
            done.withLock { $0 = true }
        }
        thread.name = "dabroker-pg-listen"
        thread.start()
    }

    /// Asks the thread to end; it closes its connection within about half a second.
    public func stop() {
        stopping.withLock { $0 = true }
    }

    /// Whether the thread has ended.
    public var isStopped: Bool { done.withLock { $0 } }

    private var shouldStop: Bool { stopping.withLock { $0 } }

    private func loop(url: String, channel: String, logger: Logger, onNotify: @Sendable () -> Void) {
        var first = true
        while !shouldStop {
            guard let conn = connect(url: url) else {
                if first { logger.notice("cannot open the notification connection; retrying every second") }
                first = false
                Thread.sleep(forTimeInterval: 1)
                continue
            }
            let res = PQexec(conn, "LISTEN \(channel)")
            let ok = PQresultStatus(res) == PGRES_COMMAND_OK
            PQclear(res)
            if ok {
                if !first { onNotify() }  // notifications may have been missed while reconnecting
                first = false
                listen(conn, onNotify: onNotify)
            }
            PQfinish(conn)
            if !shouldStop { Thread.sleep(forTimeInterval: 1) }
        }
    }

    /// Polls until the connection breaks or `stop()`.
    private func listen(_ conn: OpaquePointer, onNotify: @Sendable () -> Void) {
        let socket = PQsocket(conn)
        guard socket >= 0 else { return }
        while !shouldStop {
            var fd = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let n = poll(&fd, 1, 500)
            if n < 0 && errno != EINTR { return }
            if n <= 0 { continue }
            guard PQconsumeInput(conn) == 1 else { return }
            var notified = false
            while let note = PQnotifies(conn) {
                notified = true
                PQfreemem(note)
            }
            if notified { onNotify() }
            if PQstatus(conn) != CONNECTION_OK { return }
        }
    }

    private func connect(url: String) -> OpaquePointer? {
        guard let c = PostgresCore.open(url: url, applicationName: "dabroker-listen") else { return nil }
        guard PQstatus(c) == CONNECTION_OK else {
            PQfinish(c)
            return nil
        }
        return c
    }
}
