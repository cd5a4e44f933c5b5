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


class MentionCache:
    """SQLite store of ``key -> (candidates, acronyms)``.

    Parameters
    ----------
    folder : path
        Created if missing; the database is ``folder/mentions.sqlite``.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.folder / "mentions.sqlite"))
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, payload TEXT NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            raise KgraphError(f"cannot use cache folder ({exc}); pass --cache-dir DIR or --no-cache",
                              file=str(self.folder)) from exc

    def get_many(self, keys: Iterable[str]) -> dict[str, tuple[list, list]]:
        keys = list(keys)
        out: dict[str, tuple[list, list]] = {}
        for i in range(0, len(keys), 900):  # SQLite's limit on bound parameters
            chunk = keys[i : i + 900]
            q = "SELECT key, payload FROM entries WHERE key IN (%s)" % ",".join("?" * len(chunk))
            for k, payload in self.db.execute(q, chunk):
                cands, acr = json.loads(payload)
                out[k] = ([tuple(c) for c in cands], [tuple(a) for a in acr])
        return out

    def put_many(self, items: Iterable[tuple[str, tuple[list, list]]]) -> None:
        rows = [(k, json.dumps(v, ensure_ascii=False, separators=(",", ":"))) for k, v in items]
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO entries (key, payload) VALUES (?, ?)", rows)

    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM entries").fetchone()[0]

    def close(self) -> None:
        self.db.close()
