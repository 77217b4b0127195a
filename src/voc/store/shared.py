"""One open store per study file within a process.

DuckDB lets one connection per process write a file, so the CLI, the Prefect flows and the
notebook facade (``voc.Study``) share this one: a notebook can run the pipeline and read its
results in the same session.
"""

from __future__ import annotations

import atexit
import threading

from voc.config import StudyConfig, load_study
from voc.store.core import Store

_stores: dict[str, Store] = {}
_lock = threading.Lock()


def study_and_store(study_path: str) -> tuple[StudyConfig, Store]:
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
