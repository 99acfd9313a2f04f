/// The package's one redactor of URLs for messages and logs.
public enum URLRedaction {
    /// `url` with the password of its user info replaced by `***`
    /// (`postgres://u:secret@h/d` → `postgres://u:***@h/d`); anything else unchanged.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let authority = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return url
        }
        return String(url[...colon]) + "***" + String(url[at...])
    }
}
