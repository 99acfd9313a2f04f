/// How exact decimals (`Value.decimal`, SQL NUMERIC/DECIMAL) go onto the wire.
///
/// The original Python DaBroker has no decimal type on the wire: its client fails on the
/// `Dec` extension. A server that serves such clients sends decimals as strings instead.
public enum DecimalEncoding: String, Sendable, CaseIterable {
    /// The `Dec` extension (`{"_o":"Dec","s":"12.50"}`): exact, and read back as a decimal.
    /// The default.
    case exact
    /// A plain JSON string (`"12.50"`): exact digits that any client of the original can
    /// read (as `str`; Python's `Decimal(s)` turns it into a decimal without loss). Our own
    /// decoder reads it back as a string. Chosen over a float, which would round a
    /// NUMERIC(20,4) silently.
    case string
}
