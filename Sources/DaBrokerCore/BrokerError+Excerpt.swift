extension BrokerError {
    /// How many characters of a client-supplied name or value an error message quotes.
    public static let excerptLength = 40

    /// `text` as an error message may quote it: at most ``excerptLength`` characters, then
    /// `…` when there was more. Every name or value a client sent (a method, a field, a filter
    /// name, a key part) goes through this before it reaches a message, so an overlong input
    /// is never echoed back whole (a 1 MB method name costs the reply 40 characters).
    public static func excerpt(_ text: some StringProtocol, limit: Int = excerptLength) -> String {
        let head = text.prefix(limit + 1)
        return head.count > limit ? String(head.prefix(limit)) + "…" : String(head)
    }
}
