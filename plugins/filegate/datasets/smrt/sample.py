"""A deterministic, realistic SMRT sample: the same arguments always write the same bytes.

Good files cover `hours` hours for `meters` meters, split across two files, plus a later
correction file that overwrites a few meter-hours and a file in the specification's own style
(blank lines, a space after commas, an 11-digit meter next to 10-digit ones). Bad files show
each way a file is refused: truncated, malformed header, failing row checks, development file.
Each file's mtime is its header's creation time, so the sample is "received" when created.
"""
from __future__ import annotations

import os
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from filegate.settings import Settings

GOOD, BAD = "good", "bad"


def _meter(i: int) -> str:
    return f"{1200000000 + i * 7919:010d}"


def _render(created: datetime, generation: str, readings: list[tuple[str, datetime, str]], *, trailer: bool = True,
            spaced: bool = False, blank_lines: bool = False, file_type: str = "SMRT") -> str:
    sep = ", " if spaced else ","
    lines = [sep.join(['"HEADR"', f'"{file_type}"', '"GAZ"', f'"{created:%Y%m%d}"', f'"{created:%H%M%S}"',
                       f'"{generation}"'])]
    for meter, start, value in readings:
        if blank_lines:
            lines.append("")
        lines.append(sep.join(['"CONSU"', f'"{meter}"', f'"{start:%Y%m%d}"', f'"{start:%H%M}"', value]))
    if trailer:
        lines.append('"TRAIL"')
    return "\n".join(lines) + "\n"


def sample_files(end: datetime, meters: int = 12, hours: int = 48, seed: int = 7) -> dict[str, tuple[str, str, datetime]]:
    """{filename: (kind, text, created)} for a sample ending at `end` (floored to the hour)."""
    end = end.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=hours)
    rnd = random.Random(seed)

    def value() -> str:
        return f"{rnd.uniform(0.05, 4.5):.3f}"

    half = hours // 2
    first = [(_meter(m), start + timedelta(hours=h), value()) for m in range(meters) for h in range(half)]
    second = [(_meter(m), start + timedelta(hours=h), value()) for m in range(meters) for h in range(half, hours)]
    correction = [(_meter(m), end - timedelta(hours=h), value()) for m in range(3) for h in range(1, 5)]
    spec_style = [("0000000001", end - timedelta(hours=h), value()) for h in range(1, 4)] + \
                 [("00000000002", end - timedelta(hours=h), value()) for h in range(1, 4)]
    bad_rows = [(_meter(0), end - timedelta(hours=2), "-1.250"), (_meter(1), end - timedelta(hours=2), "abc")]
    bad_rows.append((_meter(2), datetime(end.year, end.month, end.day, 0, 30, tzinfo=timezone.utc), "1.000"))

    t = lambda h, m=0: end - timedelta(hours=h, minutes=-m)  # noqa: E731  (creation times before `end`)
    files = {
        "PN000101.SMRT": (GOOD, _render(t(half, 5), "PN000101", first), t(half, 5)),
        "PN000102.SMRT": (GOOD, _render(t(0, -50), "PN000102", second), t(0, -50)),
        "PN000103.SMRT": (GOOD, _render(t(0, -40), "PN000103", correction), t(0, -40)),
        "PN000104.SMRT": (GOOD, _render(t(0, -30), "PN000104", spec_style, spaced=True, blank_lines=True),
                          t(0, -30)),
        "PN000105.SMRT": (BAD, _render(t(0, -25), "PN000105", second[:40], trailer=False), t(0, -25)),
        "PN000106.SMRT": (BAD, _render(t(0, -20), "PN00010X", correction), t(0, -20)),
        "PN000107.SMRT": (BAD, _render(t(0, -15), "PN000107", bad_rows), t(0, -15)),
        "DV000108.SMRT": (BAD, _render(t(0, -10), "DV000108", correction), t(0, -10)),
    }
    return files


def write_sample(landing_dir: Path, end: datetime | None = None, **kwargs: Any) -> list[Path]:
    end = end or datetime.now(timezone.utc)
    landing_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (_, text, created) in sample_files(end, **kwargs).items():
        path = landing_dir / name
        path.write_text(text)
        stamp = created.timestamp()
        os.utime(path, (stamp, stamp))
        written.append(path)
    return written


def write_volume(landing_dir: Path, readings: int, files: int = 50, hours: int = 96,
                 end: datetime | None = None, seed: int = 11) -> list[Path]:
    """Benchmark volume: `readings` hourly readings in `files` good production files, every
    meter-hour distinct (so the tables end with exactly `readings` rows), written as a stream in
    constant memory. Files are created a minute apart, in generation order."""
    end = (end or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=hours)
    stamps = [(f"{start + timedelta(hours=h):%Y%m%d}", f"{start + timedelta(hours=h):%H%M}") for h in range(hours)]
    rnd = random.Random(seed)
    landing_dir.mkdir(parents=True, exist_ok=True)
    per_file, written, left, first_meter = -(-readings // files), [], readings, 0
    for k in range(files):
        n = min(per_file, left)
        left -= n
        created = end - timedelta(minutes=files - k)
        generation = f"PN{k + 1:06d}"
        path = landing_dir / f"{generation}.SMRT"
        with open(path, "w", newline="") as f:
            f.write(f'"HEADR","SMRT","GAZ","{created:%Y%m%d}","{created:%H%M%S}","{generation}"\n')
            lines = []
            for j in range(n):
                m, h = divmod(j, hours)
                day, hhmm = stamps[h]
                lines.append(f'"CONSU","{_meter(first_meter + m)}","{day}","{hhmm}",{rnd.uniform(0.05, 4.5):.3f}\n')
                if len(lines) == 10_000:
                    f.writelines(lines)
                    lines.clear()
            f.writelines(lines)
            f.write('"TRAIL"\n')
        first_meter += -(-n // hours)
        stamp = created.timestamp()
        os.utime(path, (stamp, stamp))
        written.append(path)
    return written


def write_for_first_run(landing_dir: Path, settings: Settings) -> str:
    """The dataset's sample (`Dataset.sample`), said in a line."""
    written = write_sample(landing_dir)
    return f"a sample of {len(written)} SMRT files (some deliberately bad)"
