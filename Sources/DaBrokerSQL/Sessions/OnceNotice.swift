import Logging
import Synchronization

/// A notice logged at most once per process (per instance), with a switch that silences it.
///
/// `SQLiteNotice.shared` and `FlatNestingWarning.shared` are the process-wide ones sessions use;
/// `DatabaseOptions` can hand a database its own instances (tests do, to observe them).
public final class OnceNotice: Sendable {
    private struct State {
        var silenced = false
        var fired = false
        var timesLogged = 0
    }

    /// The text logged.
    public let message: String
    private let state = Mutex(State())

    public init(message: String) { self.message = message }

    /// When `true`, the notice is never logged (it still records that it fired).
    public var isSilenced: Bool {
        get { state.withLock { $0.silenced } }
        set { state.withLock { $0.silenced = newValue } }
    }

    /// Whether the situation the notice is about has occurred (logged or silenced).
    public var hasFired: Bool { state.withLock { $0.fired } }

    /// How many times the notice was logged: 0 or 1.
    public var timesLogged: Int { state.withLock { $0.timesLogged } }

    /// Records the situation; logs the notice to `logger` if this is the first time and it is
    /// not silenced.
    public func fire(logger: Logger) {
        let log = state.withLock { s -> Bool in
            guard !s.fired else { return false }
            s.fired = true
            guard !s.silenced else { return false }
            s.timesLogged += 1
            return true
        }
        if log { logger.notice("\(message)") }
    }
}
