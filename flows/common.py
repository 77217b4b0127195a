"""Shared wiring helpers: one open store per study file within a process."""

from __future__ import annotations

import atexit
import threading

from voc.config import Study, load_study
from voc.store import Store

_stores: dict[str, Store] = {}
_lock = threading.Lock()


def study_and_store(study_path: str) -> tuple[Study, Store]:
    """Load the study and the (shared, thread-safe) store it points at."""
    study = load_study(study_path)
    key = str(study.store_path.resolve())
    with _lock:
        if key not in _stores:
            _stores[key] = Store(study.store_path)
    return study, _stores[key]


@atexit.register
def close_stores() -> None:
    """Close every store this process opened (other processes may then open the files)."""
    with _lock:
        for store in _stores.values():
            store.close()
        _stores.clear()
