"""Fault injection for crash tests: FILEGATE_INJECT_FAULT=<point> fails that point once per
process, so an in-process retry (dag.test) goes through. Unset, it does nothing."""
from __future__ import annotations

import os

_fired: set[str] = set()


class InjectedFault(RuntimeError):
    pass


def inject(point: str) -> None:
    if os.environ.get("FILEGATE_INJECT_FAULT") == point and point not in _fired:
        _fired.add(point)
        raise InjectedFault(f"injected fault at {point} (FILEGATE_INJECT_FAULT)")
