"""Two pieces of work side by side: one in this process, one in a forked child."""
from __future__ import annotations

import os

from .config import forbid_compiled
from .errors import KgraphError


def side_by_side(here, there, fork: bool = True, what: str = "the work", error: type = KgraphError):
    """Run ``there()`` in a forked child while ``here()`` runs in this process; return both values.

    ``there`` returns a value that pickles (it comes back through a pipe). An
    error in either is raised here (the child's own exception, or ``error``
    saying ``what`` failed), after the child has ended, so the caller never
    sees a half-finished child. The child runs no numba-compiled code (see
    :func:`kgraph.config.forbid_compiled`). Without fork (Windows, macOS'
    default start method aside, a daemonic process such as a Dask worker) or
    with ``fork=False``, the two run one after the other, ``here`` first.
    """
    import io
    import multiprocessing
    import pickle
    import signal

    if not fork or not hasattr(os, "fork") or multiprocessing.current_process().daemon:
        value = here()
        return value, there()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report, and leave without running the parent's cleanup
        code = 0
        try:
            os.close(read_end)
            forbid_compiled()
            message = pickle.dumps(there())
        except BaseException as exc:  # noqa: BLE001 -- reported to the parent, which raises it
            code = 1
            message = pickle.dumps(repr(exc))  # always readable; the exception itself when it pickles
            try:
                message += pickle.dumps(exc)
            except Exception:  # noqa: BLE001 -- an exception that does not pickle
                pass
        try:
            with os.fdopen(write_end, "wb") as fh:
                fh.write(message)
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        value = here()
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        with os.fdopen(read_end, "rb") as fh:
            report = fh.read()  # ends when the child does
        _, status = os.waitpid(pid, 0)
    if status == 0 and report:
        return value, pickle.loads(report)
    if report:
        stream = io.BytesIO(report)
        text = pickle.load(stream)
        try:
            exc = pickle.load(stream)
        except Exception:  # noqa: BLE001 -- not sent, or it cannot be rebuilt here
            exc = None
        if isinstance(exc, BaseException):
            raise exc
        raise error(f"{what} failed: {text}")
    raise error(f"{what} failed: its process ended with status {status}")
