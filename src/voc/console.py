"""What voc prints: one log level for voc and Prefect, progress bars, quiet third-party chatter.

By default a user sees progress bars and warnings; Prefect's per-task "Finished in state
Completed()" lines and library banners are INFO and stay hidden. ``--verbose`` (or
``VOC_LOG_LEVEL=INFO``) brings them back; ``--quiet`` hides the bars too.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from voc.errors import VocError

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Libraries that log progress or advice at INFO/WARNING on every run; they speak at ERROR
# unless the user asked for INFO or DEBUG.
CHATTY = ("BERTopic", "sentence_transformers", "transformers", "numba", "httpx", "urllib3", "asyncio",
          "distributed", "docket")

_progress = False


def quiet_services() -> None:
    """Settings for what voc starts, read by Prefect and Hugging Face when they are imported.

    Prefect's telemetry heartbeat on a temporary server writes to the same SQLite file as the
    flow runs and fails with "database is locked" tracebacks, and reports usage: voc turns it off.
    The temporary server gets 90 s to start, not Prefect's 20: on a busy 2-core machine (a test
    run beside it) `voc crawl` failed with "Timed out while attempting to connect to ephemeral
    Prefect API server".
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def configure(level: str | None = None, progress: bool = True) -> str:
    """Set the log level (argument, else VOC_LOG_LEVEL, else WARNING) and whether bars show.

    Call before Prefect is imported: Prefect reads PREFECT_LOGGING_LEVEL once.

    Raises:
        VocError: for a level that is not DEBUG, INFO, WARNING or ERROR.
    """
    global _progress
    level = (level or os.environ.get("VOC_LOG_LEVEL") or "WARNING").upper()
    if level not in LEVELS:
        raise VocError(f"log level {level!r} (VOC_LOG_LEVEL): use one of {', '.join(LEVELS)}")
    quiet_services()
    os.environ["PREFECT_LOGGING_LEVEL"] = level
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    numeric = getattr(logging, level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(numeric if numeric <= logging.INFO else logging.ERROR)
    if numeric > logging.INFO:
        import warnings

        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"(umap|sklearn|bertopic|hdbscan)")
    _progress = progress
    return level


def bar(desc: str, total: int | None = None, unit: str = "it") -> Any:
    """A progress bar on stderr, or a silent stand-in when bars are off (library use, --quiet)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=f"{desc:<9}", unit=unit, disable=not _progress or total == 0, file=sys.stderr,
                leave=True, mininterval=0.5, dynamic_ncols=True)


def peak_rss_mb() -> int | None:
    """This process's peak resident memory so far, in MB (None where the OS does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024))  # bytes on macOS, KiB on Linux


@lru_cache(maxsize=1)
def _libc() -> Any:
    import ctypes
    import ctypes.util

    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None  # glibc only (not musl)
    except OSError:
        return None


def release_freed_memory() -> None:
    """Hand memory the process has freed back to the OS (glibc's malloc_trim; elsewhere nothing).

    Embedding shard after shard, glibc keeps the freed activations of every batch shape it saw:
    on 24,000 real sentences the process grew from 993 to 1,096 MB without it and stayed at
    725 MB with it after each shard."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@contextmanager
def timed(seconds: dict[str, float], name: str, peaks: dict[str, int | None] | None = None) -> Iterator[None]:
    """Add the wall time of the block to ``seconds[name]`` (also when it raises: a failed run
    still says where its time went); with ``peaks``, the process's peak RSS after the block, so
    the first stage whose peak jumps is the one that needed the memory."""
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = round(seconds.get(name, 0.0) + time.perf_counter() - start, 3)
        if peaks is not None:
            peaks[name] = peak_rss_mb()
