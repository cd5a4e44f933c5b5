"""The output folder's marker and the check that kgraph may write into a folder.

Kept out of :mod:`kgraph.export` (which imports pandas, networkx and the explorer)
so that a build checks its output folder before the long part without loading them.
"""
from __future__ import annotations

from pathlib import Path

from .errors import OutputError

#: The file that marks a folder kgraph wrote (it lists the files of the build).
MARKER = ".kgraph"
#: The build's summary: counts, settings, versions and the build key.
SUMMARY_NAME = "summary.json"


def is_kgraph_dir(path) -> bool:
    """True when ``path`` is a folder kgraph wrote (it holds the ``.kgraph`` marker)."""
    marker = Path(path) / MARKER
    try:
        return marker.is_file() and marker.read_text(encoding="utf-8").lstrip().startswith("{")
    except OSError:
        return False


def check_output_dir(out_dir, force: bool = False) -> None:
    """Raise :class:`~kgraph.errors.OutputError` unless kgraph may write into ``out_dir``.

    A missing or empty folder, or one kgraph made, is fine; any other existing
    folder needs ``force=True``; a file in the way is always refused.

    Examples
    --------
    >>> check_output_dir("outputs")                    # doctest: +SKIP
    """
    out = Path(out_dir)
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError("exists and is not a folder", file=str(out))
    if force or is_kgraph_dir(out) or not any(out.iterdir()):
        return
    raise OutputError("exists and was not made by kgraph; use --force (only files with kgraph's names "
                      "are replaced)", file=str(out))
