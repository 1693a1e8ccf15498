"""The datasets filegate knows, by name."""
from __future__ import annotations

from filegate.dataset import Dataset


def get(name: str) -> Dataset:
    if name == "smrt":
        from filegate.datasets.smrt import SMRT

        return SMRT
    if name == "raw_data":
        from filegate.datasets.raw_data import RAW_DATA

        return RAW_DATA
    raise KeyError(f"unknown dataset {name!r}; known: {', '.join(names())}")


def names() -> tuple[str, ...]:
    return ("smrt", "raw_data")
