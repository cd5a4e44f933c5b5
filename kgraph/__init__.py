"""kgraph: link scientific papers by the concepts they share.

>>> import kgraph
>>> kg = kgraph.build()                      # the built-in corpus   # doctest: +SKIP
>>> kg.top_concepts(10)                      # a DataFrame           # doctest: +SKIP
>>> kg.related("Sequential Boltzmann", k=5)  # with the reasons      # doctest: +SKIP
>>> kg.write("outputs")                      # HTML, GraphML, CSV... # doctest: +SKIP
"""
__version__ = "0.1.0"

from .config import BuildConfig  # noqa: E402
from .errors import InputError, KgraphError, OutputError  # noqa: E402


def __getattr__(name):
    # heavy modules (spaCy, pandas) load only when used
    if name in ("build", "KnowledgeGraph"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "read_papers":
        from .sources import read_papers

        return read_papers
    raise AttributeError(name)


__all__ = ["build", "KnowledgeGraph", "BuildConfig", "read_papers", "KgraphError", "InputError", "OutputError"]
