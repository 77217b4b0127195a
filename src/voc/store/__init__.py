"""The study's store: one DuckDB file, the only place in voc that writes SQL."""

from voc.store.core import Store
from voc.store.sql import RUN_ORDER, RUN_ORDER_DESC

__all__ = ["RUN_ORDER", "RUN_ORDER_DESC", "Store"]
