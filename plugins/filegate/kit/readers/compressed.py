"""Opening a file as its bytes: gzip (known by its magic bytes) is decompressed on the fly,
counting lines so that a corrupt, truncated or bomb stream is refused at its line; and the
writing side every NDJSON gzip output shares (`open_gzip`)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any, BinaryIO, Callable, cast

from filegate.kit.errors import Reject
from filegate.kit.readers import limits

GZIP_MAGIC = b"\x1f\x8b"


def open_bytes(path: Path) -> BinaryIO:
    """The file opened for binary reading; gzip (known by its first two bytes) is decompressed on
    the fly (`Gunzipped`)."""
    with open(path, "rb") as f:
        compressed = f.read(2) == GZIP_MAGIC
    return cast(BinaryIO, Gunzipped(path)) if compressed else open(path, "rb")   # a binary file to its readers


class Gunzipped(io.BufferedIOBase):
    """A gzip file read as its content by ISA-L, counting the lines it hands out, so that data cut
    short or corrupt refuses the file (Reject) at the line where it breaks. It seeks forward by
    reading on, backward by starting again."""

    def __init__(self, path: Path):
        from isal import igzip, igzip_lib

        super().__init__()
        self._file = igzip.open(path, "rb")
        self._broken: tuple = (EOFError, igzip.BadGzipFile, igzip_lib.IsalError)   # what a cut or corrupt stream raises
        self._at = self._lines = 0   # bytes and whole lines handed out
        self._budget = max(limits.BOMB_FLOOR, limits.MAX_RATIO * path.stat().st_size)   # bytes it may expand to

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._counted(self._file.read, size)

    def read1(self, size: int = -1) -> bytes:
        return self._counted(self._file.read1, size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self._file.readline, size)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence != 0:
            raise io.UnsupportedOperation("only absolute seeks")
        if offset < self._at:
            self._file.seek(0)
            self._at = self._lines = 0
        while self._at < offset and self.read(min(limits.CHUNK_BYTES, offset - self._at)):
            pass
        return self._at

    def close(self) -> None:
        self._file.close()
        super().close()

    def _counted(self, read: Callable[[int], bytes], size: int | None) -> bytes:
        try:
            data = read(-1 if size is None else size)
        except self._broken as e:
            raise Reject(self._lines + 1, f"the gzip data is corrupt or truncated ({e})") from None
        self._at += len(data)
        self._lines += data.count(b"\n")
        if self._at > self._budget:
            raise Reject(self._lines + 1, f"the gzip data expands over {limits.MAX_RATIO} times its size "
                                          f"({self._at:,} bytes so far): refused as a decompression bomb")
        return data


def open_gzip(path: Path, level: int) -> IO[bytes]:
    """ISA-L gzip: standard gzip output, several times faster than zlib at comparable levels."""
    from isal import igzip

    return igzip.open(path, "wb", compresslevel=level)
