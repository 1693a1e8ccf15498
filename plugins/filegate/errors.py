"""Errors that name the file, the line and the problem."""
from __future__ import annotations


class Reject(Exception):
    """Raised by a reader: the file is structurally bad and must not be loaded at all."""

    def __init__(self, line: int | None, problem: str):
        super().__init__(problem)
        self.line = line
        self.problem = problem

    def describe(self, filename: str) -> str:
        where = f"line {self.line}" if self.line else "whole file"
        return f"{filename}, {where}: {self.problem}"
