"""Errors that kgraph reports to a user as one clear line.

Every problem with the user's input is a :class:`KgraphError` carrying the file,
the record (line number or record number) and the problem. The CLI prints
``str(error)`` and exits with status 2; it never shows a traceback for these.
"""
from __future__ import annotations


class KgraphError(Exception):
    """A problem the user can fix: bad input, bad option, unsafe output folder.

    Parameters
    ----------
    problem : str
        What is wrong, in words a user understands.
    file : str, optional
        The file concerned.
    record : str or int, optional
        The line number or record number within ``file``.
    """

    def __init__(self, problem: str, file: str | None = None, record: str | int | None = None):
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.record = record
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.record is not None:
                where += f":{self.record}"
            where += ": "
        return f"{where}{self.problem}"


class InputError(KgraphError):
    """The input cannot be read (unknown format, bad encoding, missing columns, ...)."""


class OutputError(KgraphError):
    """The output cannot be written safely (folder not made by kgraph, ...)."""
