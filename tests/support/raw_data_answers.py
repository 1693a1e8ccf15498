"""The five raw_data questions answered in plain Python from the generated rows: an
independent check of the report SQL. Each answer is the list of CSV rows the report must write."""
from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def _minutes(ms) -> str:
    return str((Decimal(ms.numerator) / Decimal(ms.denominator) / 60000 if isinstance(ms, Fraction)
                else Decimal(ms) / 60000).quantize(Decimal("0.01"), ROUND_HALF_UP))


def answers(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    tracks = {t["TrackId"]: t for t in rows["tracks"]}
    albums = {a["AlbumId"]: a for a in rows["albums"]}
    artists = {a["ArtistId"]: a for a in rows["artists"]}
    genres = {g["GenreId"]: g for g in rows["genres"]}

    longest = max(t["Milliseconds"] for t in tracks.values())
    longest_tracks = sorted((t for t in tracks.values() if t["Milliseconds"] == longest),
                            key=lambda t: (t["Name"], t["TrackId"]))

    per_genre = defaultdict(list)
    for t in tracks.values():
        per_genre[t["GenreId"]].append(t["Milliseconds"])
    averages = {g: Fraction(sum(ms), len(ms)) for g, ms in per_genre.items()}
    shortest = min(averages.values())
    shortest_genres = sorted((g for g, avg in averages.items() if avg == shortest),
                             key=lambda g: (genres[g]["Name"], g))

    playlists_per_artist = defaultdict(set)
    for pt in rows["playlist_track"]:
        artist = albums[tracks[pt["TrackId"]]["AlbumId"]]["ArtistId"]
        playlists_per_artist[artist].add(pt["PlaylistId"])
    most = max(len(p) for p in playlists_per_artist.values())
    top_artists = sorted((a for a, p in playlists_per_artist.items() if len(p) == most),
                         key=lambda a: (artists[a]["Name"], a))

    lines_per_album = defaultdict(int)
    for item in rows["invoice_items"]:
        lines_per_album[tracks[item["TrackId"]]["AlbumId"]] += 1
    best = max(lines_per_album.values())
    top_albums = sorted((a for a, n in lines_per_album.items() if n == best),
                        key=lambda a: (albums[a]["Title"], a))

    return {
        "customer_count": [{"customers": str(len({c["CustomerId"] for c in rows["customers"]}))}],
        "longest_track": [{"track_id": str(t["TrackId"]), "name": t["Name"], "minutes": _minutes(longest)}
                          for t in longest_tracks],
        "shortest_genre": [{"genre_id": str(g), "genre": genres[g]["Name"], "average_minutes": _minutes(shortest)}
                           for g in shortest_genres],
        "top_playlist_artist": [{"artist_id": str(a), "artist": artists[a]["Name"], "playlists": str(most)}
                                for a in top_artists],
        "top_album": [{"album_id": str(a), "album": albums[a]["Title"],
                       "artist": artists[albums[a]["ArtistId"]]["Name"], "lines_sold": str(best)}
                      for a in top_albums],
    }
