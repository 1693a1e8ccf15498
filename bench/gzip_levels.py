"""What each compression level costs on filegate's own NDJSON: ISA-L (what filegate uses, levels
0-3) against stdlib gzip (zlib, levels 1, 6, 9). Usage: python bench/gzip_levels.py <file.ndjson>
Compresses the first 256 MiB in memory, one pass per level; time is CPU time of this process."""
from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

from isal import igzip

LIMIT = 256 << 20


def main(path: Path) -> None:
    data = path.read_bytes()[:LIMIT]
    print(f"input: {len(data) / 2**20:,.0f} MiB of {path.name}\n")
    print("| compressor | level | CPU s | MiB/s | output MiB | ratio |\n|---|---|---|---|---|---|")
    for name, compress, levels in (("ISA-L igzip", igzip.compress, (0, 1, 2, 3)),
                                   ("stdlib gzip", gzip.compress, (1, 6, 9))):
        for level in levels:
            start = time.process_time()
            out = compress(data, compresslevel=level)
            cpu = time.process_time() - start
            print(f"| {name} | {level} | {cpu:.2f} | {len(data) / 2**20 / cpu:,.0f} | "
                  f"{len(out) / 2**20:,.1f} | {len(data) / len(out):.1f} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
