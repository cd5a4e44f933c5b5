"""A cache of extracted candidates per paper, so a rebuild parses only new text.

Entries live in one SQLite file under the cache folder, keyed by a hash of the
paper's title and abstract, the spaCy pipeline (:func:`kgraph.extract.pipeline_identity`,
as in the build key) and the extractor's version (:func:`paper_keys`). Rebuilding an
unchanged corpus parses nothing; adding ten papers parses ten. The cache is a
speed-up only: an entry is never trusted beyond its key.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Iterable

from . import extract, text
from .errors import KgraphError


def paper_keys(titles: list[str], abstracts: list[str], model: str) -> list[str]:
    """The cache key of each paper's extraction with the spaCy pipeline ``model``.

    A text cut before its parse (:func:`kgraph.text.text_to_parse`) has a key that
    names the cut, so a longer limit parses it again.
    """
    settings = f"{extract.pipeline_identity(model)}|x{extract.EXTRACTOR_VERSION}"
    limit = text.MAX_PARSE_CHARS
    cut = f"{settings}|first{limit}"
    return [entry_key(t, a, settings if len(t) <= limit and len(a) <= limit else cut)
            for t, a in zip(titles, abstracts)]


def entry_key(title: str, abstract: str, settings_id: str) -> str:
    h = hashlib.sha1()
    h.update(settings_id.encode())
    h.update(b"\x1e")
    h.update((title or "").encode("utf-8", "surrogatepass"))
    h.update(b"\x1f")
    h.update((abstract or "").encode("utf-8", "surrogatepass"))
    return h.hexdigest()


#: The shapes of a cached entry: candidates ``(key, display, in_title, position, sent_start,
#: pattern)`` and acronyms ``(short, long_key, long_display)``.
_CANDIDATE_TYPES = (str, str, bool, int, bool, str)
_ACRONYM_TYPES = (str, str, str)


def _entry(payload) -> tuple[list, list] | None:
    """A cached row's ``(candidates, acronyms)``, or None when it is not what kgraph writes."""
    try:
        cands, acr = json.loads(payload)
        cands = [tuple(c) for c in cands]
        acr = [tuple(a) for a in acr]
    except (TypeError, ValueError):  # bad JSON, not a pair of lists of lists
        return None
    for rows, types in ((cands, _CANDIDATE_TYPES), (acr, _ACRONYM_TYPES)):
        for row in rows:
            if len(row) != len(types) or not all(type(v) is t for v, t in zip(row, types)):
                return None
    return cands, acr


class MentionCache:
    """SQLite store of ``key -> (candidates, acronyms)``: a speed-up, never a reason a build fails.

    A row that is not what kgraph writes (bad JSON, another shape, a flipped byte)
    is ignored, so its paper is parsed again and the row replaced. A cache file that
    is not kgraph's (garbage, truncated, another program's database or an older
    schema) is set aside, renamed beside itself with ``warn`` saying where, and a
    new one is made; a cache that fails while the build writes to it is left alone
    for the rest of the build, with a warning. Builds that share a cache wait for
    each other's writes (SQLite's WAL journal and a busy timeout).

    Parameters
    ----------
    folder : path
        Created if missing; the database is ``folder/mentions.sqlite``.
    warn : callable, optional
        Called with one line when the cache is set aside or given up.
    """

    def __init__(self, folder: str | Path, warn=None):
        self.folder = Path(folder)
        self.path = self.folder / "mentions.sqlite"
        self.warn = warn or (lambda message: None)
        self.db = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise KgraphError(f"cannot use cache folder ({exc}); pass --cache-dir DIR or --no-cache",
                              file=str(self.folder)) from exc
        try:
            self.db = self._open()
        except sqlite3.DatabaseError as exc:  # not a database, or not kgraph's: set aside, start anew
            self._set_aside(exc)
            try:
                self.db = self._open()
            except sqlite3.Error as again:
                raise KgraphError(f"cannot use cache folder ({again}); pass --cache-dir DIR or --no-cache",
                                  file=str(self.folder)) from again
        except sqlite3.Error as exc:  # locked for too long, read-only...
            raise KgraphError(f"cannot use cache folder ({exc}); pass --cache-dir DIR or --no-cache",
                              file=str(self.folder)) from exc

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), timeout=60)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, payload TEXT NOT NULL)")
            columns = [row[1] for row in db.execute("PRAGMA table_info(entries)")]
            if columns != ["key", "payload"]:
                raise sqlite3.DatabaseError(f"its entries table has the columns {columns}")
            db.execute("SELECT key, payload FROM entries LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def _set_aside(self, exc: Exception) -> None:
        import time

        aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):  # SQLite's journal files go with it
            part = Path(str(self.path) + suffix)
            if part.exists():
                part.replace(Path(str(aside) + suffix))
        self.warn(f"{self.path}: the cache is damaged or not kgraph's ({exc}); set aside as {aside.name}, "
                  "starting a new one (papers are parsed again)")

    def _recover(self, exc: sqlite3.Error) -> None:
        """After a failure mid-build: a damaged file is set aside for a new one; anything else
        (a full disk, a lock held too long) leaves the cache unused for the rest of the build."""
        self.close()
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            self._set_aside(exc)
            try:
                self.db = self._open()
                return
            except sqlite3.Error as again:
                exc = again
        self.warn(f"{self.path}: the cache failed ({exc}); not used for the rest of this build")

    def get_many(self, keys: Iterable[str]) -> dict[str, tuple[list, list]]:
        keys = list(keys)
        out: dict[str, tuple[list, list]] = {}
        if self.db is None:
            return out
        damaged = 0
        try:
            for i in range(0, len(keys), 900):  # SQLite's limit on bound parameters
                chunk = keys[i : i + 900]
                q = "SELECT key, payload FROM entries WHERE key IN (%s)" % ",".join("?" * len(chunk))
                for k, payload in self.db.execute(q, chunk):
                    entry = _entry(payload)
                    if entry is None:  # parsed again, and the row replaced
                        damaged += 1
                    else:
                        out[k] = entry
        except sqlite3.Error as exc:  # a page damaged on disk (malformed), say
            self._recover(exc)
            return {}
        if damaged:
            self.warn(f"{self.path}: {damaged} cached paper(s) were damaged; they are parsed again")
        return out

    def put_many(self, items: Iterable[tuple[str, tuple[list, list]]]) -> None:
        if self.db is None:
            return
        rows = [(k, json.dumps(v, ensure_ascii=False, separators=(",", ":"))) for k, v in items]
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO entries (key, payload) VALUES (?, ?)", rows)
        except sqlite3.Error as exc:  # a full disk, say: the build goes on, the outputs the same
            self._recover(exc)

    def __len__(self) -> int:
        return 0 if self.db is None else self.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
