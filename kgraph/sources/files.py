"""Opening an input file: gzip, byte-order marks, UTF-16, and text that is not UTF-8.

Lines are decoded one at a time as UTF-8; a line that is not UTF-8 is read as
Windows-1252 (what Excel and older Windows tools save), with one note for the file
naming the first such line, so an accented name costs a warning, not the build.
"""
from __future__ import annotations

import codecs
import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import InputError

NoteHandler = Callable[[object, str], None]

#: How much of a file the format is guessed from.
HEAD_BYTES = 64 * 1024

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def open_binary(path: Path):
    """The file's bytes (decompressed for ``.gz``); one-line errors for what cannot be opened."""
    try:
        if path.is_dir():
            raise InputError("is a folder, not a file", file=str(path))
        if path.suffix.lower() == ".gz":
            return gzip.open(path, "rb")
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except OSError as e:
        raise InputError(f"cannot read the file ({e.strerror or e})", file=str(path)) from None


def head_bytes(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of the (decompressed) file."""
    with open_binary(path) as handle:
        try:
            return handle.read(size)
        except (OSError, EOFError, zlib.error) as e:  # e.g. a corrupt .gz
            raise InputError(f"cannot read the file ({e})", file=str(path)) from None


def decode_head(raw: bytes) -> str:
    """Bytes from the start of a file as text, for guessing its format (never fails)."""
    if raw.startswith(_UTF16_BOMS):
        return raw[: len(raw) // 2 * 2].decode("utf-16", errors="replace")
    return raw.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors="replace")


def _windows_1252(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves undefined
        return raw.decode("latin-1")


def lines(path: Path, on_note: NoteHandler | None = None) -> Iterator[tuple[int, str]]:
    """Decoded lines (line number from 1, text without the line ending), streamed.

    A UTF-8 byte-order mark is dropped; a UTF-16 file (byte-order mark ``FF FE`` or
    ``FE FF``) is decoded as UTF-16; a line that is not UTF-8 is read as Windows-1252 and
    ``on_note(line, message)`` is called once, for the first such line.
    """
    noted = False
    with open_binary(path) as handle:
        try:
            first = handle.peek(2)[:2] if hasattr(handle, "peek") else b""
            if first in _UTF16_BOMS:
                text = io.TextIOWrapper(handle, encoding="utf-16", newline="")
                for number, line in enumerate(text, start=1):
                    yield number, line.rstrip("\r\n").removeprefix("\ufeff")
                return
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[3:]
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as e:
                    line = _windows_1252(raw)
                    if not noted and on_note is not None:
                        on_note(number, f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1}); "
                                        "lines that are not UTF-8 are read as Windows-1252")
                    noted = True
                yield number, line.rstrip("\r\n")
        except UnicodeDecodeError as e:  # inside a UTF-16 file
            raise InputError(f"not valid UTF-16 ({e.reason})", file=str(path)) from None
        except (OSError, EOFError, zlib.error) as e:  # e.g. a corrupt .gz
            raise InputError(f"cannot read the file ({e})", file=str(path)) from None


def read_text(path: Path, on_note: NoteHandler | None = None) -> str:
    """The whole file as text, decoded as :func:`lines` does, lines joined with ``"\\n"``."""
    return "\n".join(text for _, text in lines(path, on_note))
