/// Table and column names of Chinook in one spelling.
public struct ChinookNames: Sendable {
    public let artist, artistId, name, album, albumId, title, track, trackId, customer, customerId, firstName, email,
        phone, supportRepId, supportRep, genre, genreId, mediaType, playlistTrack, playlist, playlistId,
        employee: String

    /// The CamelCase spelling of the SQLite and MySQL scripts.
    public static let camel = ChinookNames(
        artist: "Artist", artistId: "ArtistId", name: "Name", album: "Album", albumId: "AlbumId", title: "Title",
        track: "Track", trackId: "TrackId", customer: "Customer", customerId: "CustomerId", firstName: "FirstName",
        email: "Email", phone: "Phone", supportRepId: "SupportRepId", supportRep: "SupportRep", genre: "Genre",
        genreId: "GenreId", mediaType: "MediaType", playlistTrack: "PlaylistTrack", playlist: "Playlist",
        playlistId: "PlaylistId", employee: "Employee")
    /// The snake case spelling of the PostgreSQL script.
    public static let snake = ChinookNames(
        artist: "artist", artistId: "artist_id", name: "name", album: "album", albumId: "album_id", title: "title",
        track: "track", trackId: "track_id", customer: "customer", customerId: "customer_id", firstName: "first_name",
        email: "email", phone: "phone", supportRepId: "support_rep_id", supportRep: "support_rep", genre: "genre",
        genreId: "genre_id", mediaType: "media_type", playlistTrack: "playlist_track", playlist: "playlist",
        playlistId: "playlist_id", employee: "employee")
}
