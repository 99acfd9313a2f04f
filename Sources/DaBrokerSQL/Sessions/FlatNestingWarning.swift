/// The warning logged once per process when a nested scope joins the outer one on a
/// non-transactional session (MyISAM, Aria and other engines without rollback).
public enum FlatNestingWarning {
    /// The process-wide warning.
    public static let shared = OnceNotice(
        message: "a nested session scope on a non-transactional session (e.g. MyISAM/Aria tables) joins the "
            + "outer scope: nothing is rolled back, so errors must propagate to the outermost scope")

    /// Process-wide switch: `true` silences the warning.
    public static var silenced: Bool {
        get { shared.isSilenced }
        set { shared.isSilenced = newValue }
    }
}
