"""Writing SMRT files for tests: small, explicit, readable in the test that uses them."""
from __future__ import annotations

import os
import time
from pathlib import Path


def smrt_text(generation: str, readings, created: str = "20260105 120000", trailer: bool = True) -> str:
    """readings: (meter, "YYYYMMDD", "HHMM", consumption) tuples."""
    date, clock = created.split()
    lines = [f'"HEADR","SMRT","GAZ","{date}","{clock}","{generation}"']
    lines += [f'"CONSU","{m}","{d}","{t}",{c}' for m, d, t, c in readings]
    if trailer:
        lines.append('"TRAIL"')
    return "\n".join(lines) + "\n"


def drop(folder: Path, name: str, text: str, age: float = 120) -> Path:
    """Deliver a file into a landing folder, as if it arrived `age` seconds ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path
