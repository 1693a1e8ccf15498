"""The readers' bounds: records per chunk, bytes per read, the longest line and record, and
the decompression-bomb budget. Every reader reads them from here when it runs."""

CHUNK = 5_000
LINE_LIMIT = 1 << 20   # the one-element-per-line JSON array path reads lines no longer than this
CHUNK_BYTES = 1 << 20
MAX_RECORD_BYTES = 64 << 20   # a JSON array element larger than this is refused, not buffered forever
MAX_LINE = MAX_RECORD_BYTES   # a line longer than this (CSV, NDJSON) is refused, not read whole
# A gzip file expanding past MAX_RATIO times its size, once BOMB_FLOOR is out, is a bomb (blank or
# repeated data: it would cost minutes in per-line loops); real exports compress 5-20x, gzip at most ~1032x.
MAX_RATIO = 200
BOMB_FLOOR = 16 << 20
