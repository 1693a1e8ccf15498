"""The datasets filegate knows, by name."""
from __future__ import annotations

from filegate.dataset import Dataset


def get(name: str) -> Dataset:
    if name == "smrt":
        from filegate.datasets.smrt import SMRT

        return SMRT
    raise KeyError(f"unknown dataset {name!r}; known: {', '.join(names())}")


def names() -> tuple[str, ...]:
    return ("smrt",)
