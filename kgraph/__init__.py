"""kgraph: link scientific papers by the concepts they share.

>>> import kgraph
>>> kg = kgraph.build()                      # the built-in corpus   # doctest: +SKIP
>>> kg.top_concepts(10)                      # a DataFrame           # doctest: +SKIP
>>> kg.related("Sequential Boltzmann", k=5)  # with the reasons      # doctest: +SKIP
>>> kg.write("outputs")                      # HTML, GraphML, CSV... # doctest: +SKIP
"""
__version__ = "0.1.0"

from .config import BuildConfig, SettingError  # noqa: E402
from .errors import InputError, KgraphError, OutputError  # noqa: E402

# loaded when first used: they import pandas, networkx and spaCy, which `kgraph build` on
# up-to-date outputs and `kgraph --help` never need
_LAZY = {"build": "pipeline", "KnowledgeGraph": "knowledge_graph", "read_papers": "sources"}

__all__ = ["build", "KnowledgeGraph", "BuildConfig", "read_papers", "KgraphError", "InputError", "OutputError",
           "SettingError"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():  # dir(kgraph) and tab completion show the lazy names too
    return sorted(set(globals()) | set(__all__))
