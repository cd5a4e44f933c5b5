"""The ``kgraph`` console script's first step: ``kgraph build`` on up-to-date outputs, without typer.

Importing typer (which imports pydantic to build its option adapters) is most of
the time of a rebuild that has nothing to do. This reads the ``build`` command's
options by the table below, and when they name a build that ``--out`` already
holds, prints what ``kgraph build`` prints and stops. Anything it does not read
exactly as the full command would (``--force``, ``--no-cache``, ``--help``, an
unknown option, a bad value, ``--``, a value outside its range) falls through to
the full command, which then decides as before; so does any problem at all.
``tests/test_reuse.py`` checks the table against the full command's options,
defaults and ranges.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from .config import DEFAULT_MODEL, BuildConfig, default_cache_dir

#: The build command's options with a value: option -> (parameter, type, default, lowest, highest).
VALUE_OPTIONS: dict[str, tuple] = {
    "--out": ("out", Path, Path("outputs"), None, None),
    "--format": ("format", str, None, None, None),
    "--model": ("model", str, DEFAULT_MODEL, None, None),
    "--min-df": ("min_df", int, 2, 1, None),
    "--max-concepts": ("max_concepts", int, None, 1, None),
    "--thesaurus": ("thesaurus", Path, None, None, None),
    "--stopwords": ("stopwords", Path, None, None, None),
    "--focus": ("focus", str, None, None, None),
    "--link-weight": ("link_weight", str, "cosine", None, None),
    "--links-per-paper": ("links_per_paper", int, 10, 1, None),
    "--backbone": ("backbone", float, None, 0.0, 1.0),
    "--communities": ("community_method", str, "leiden", None, None),
    "--cache-dir": ("cache_dir", Path, None, None, None),  # default: default_cache_dir()
    "--batch-size": ("batch_size", int, 16, 1, None),
    "--dask": ("dask", str, None, None, None),
    "--max-html-nodes": ("max_html_nodes", int, 2000, 10, None),
    "--seed": ("seed", int, 42, None, None),
}
#: Short names of the options above.
SHORT = {"-o": "--out", "-f": "--format"}
#: Flags read here (they do not change the build, or set one setting).
FLAGS = {"--strict": "strict", "--quiet": "quiet", "-q": "quiet"}
#: Options that always go to the full command.
FULL_COMMAND = {"--force", "--no-cache", "--help", "-h"}


def nothing_to_do(out: Path, prev) -> str:
    """What ``kgraph build`` prints when ``out`` already holds the build ``prev``."""
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(prev.built_ns / 1e9))
    return (f"{out}/ is up to date (build key {prev.key[:12]}…, built {built}); nothing to do — "
            "--force rebuilds")


def _settings(args: list[str]) -> dict | None:
    """The build command's parameters from its arguments, or None where the full command must read them."""
    values: dict = {}
    inputs: list[Path] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-") or arg == "-":
            inputs.append(Path(arg))
            i += 1
            continue
        name, eq, attached = arg.partition("=")
        name = SHORT.get(name, name)
        if name in FLAGS and not eq:
            values[FLAGS[name]] = True
            i += 1
            continue
        if name not in VALUE_OPTIONS:
            return None  # --force, --no-cache, --help, --, unknown, -ovalue...
        if eq:
            raw = attached
            i += 1
        elif i + 1 < len(args):
            raw = args[i + 1]
            i += 2
        else:
            return None
        param, kind, _, low, high = VALUE_OPTIONS[name]
        try:
            value = kind(raw)
        except ValueError:
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            return None
        values[param] = value
    settings = {param: default for param, _, default, _, _ in VALUE_OPTIONS.values()}
    settings.update(values)
    settings["inputs"] = inputs
    return settings


def up_to_date_message(args: list[str]) -> str | None:
    """What ``kgraph build ARGS`` prints when ``--out`` is up to date; None when the full command must run."""
    s = _settings(args)
    if s is None:
        return None
    from . import pipeline

    try:
        config = BuildConfig(
            inputs=s["inputs"], format=s["format"], model=s["model"], min_df=s["min_df"],
            max_concepts=s["max_concepts"], thesaurus=s["thesaurus"], stopwords=s["stopwords"],
            focus=s["focus"] or [], link_weight=s["link_weight"], links_per_paper=s["links_per_paper"],
            backbone=s["backbone"], community_method=s["community_method"],
            cache_dir=s["cache_dir"] if s["cache_dir"] is not None else default_cache_dir(),
            batch_size=s["batch_size"], strict=bool(s.get("strict")), dask=s["dask"], seed=s["seed"],
            max_html_nodes=s["max_html_nodes"],
        )
        prev = pipeline.up_to_date(s["out"], config)
    except Exception:  # noqa: BLE001 - the full command reports any problem properly
        return None
    return None if prev is None else nothing_to_do(s["out"], prev)


def main() -> None:
    """Entry point of the ``kgraph`` console script."""
    args = sys.argv[1:]
    if args[:1] == ["build"]:
        message = up_to_date_message(args[1:])
        if message is not None:
            print(message)
            return
    from .cli import main as full

    full()
