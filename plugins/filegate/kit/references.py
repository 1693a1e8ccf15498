"""A function a declaration names as `"module:function"`, imported when it is first called.

A dataset declares its reader, sample, checks and export shapes this way, so that its package
parses fast (Airflow parses DAG files often; readers import pandas-sized things) without a
trampoline function of its own for each.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable


class Reference:
    """Calls `module:function`, importing it on first use; a name that does not resolve says so."""

    def __init__(self, target: str):
        module, _, name = target.partition(":")
        if not module or not name.isidentifier():
            raise ValueError(f"{target!r} is not a reference: write it as 'package.module:function'")
        self.target = target
        self._function: Callable[..., Any] | None = None

    def resolve(self) -> Callable[..., Any]:
        if self._function is None:
            module, _, name = self.target.partition(":")
            try:
                found = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError) as e:
                raise ImportError(f"{self.target} cannot be imported: {e}") from e
            if not callable(found):
                raise TypeError(f"{self.target} is not a function but a {type(found).__name__}")
            self._function = found
        return self._function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __getstate__(self) -> dict:   # a process pool pickles a dataset: send the name, not the function
        return {"target": self.target}

    def __setstate__(self, state: dict) -> None:
        self.target, self._function = state["target"], None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reference) and other.target == self.target

    def __hash__(self) -> int:
        return hash(self.target)

    def __repr__(self) -> str:
        return f"Reference({self.target!r})"


def referenced(value: str | Callable[..., Any] | None) -> Callable[..., Any] | None:
    """A declaration's field as a callable: a `"module:function"` string becomes a Reference."""
    return Reference(value) if isinstance(value, str) else value
