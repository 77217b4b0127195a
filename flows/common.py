"""Shared wiring: task runners, shard dispatch, stage timings (and the one open store per study
file within a process, from ``voc.store.shared``)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from voc.console import timed
from voc.errors import VocError, missing_package
from voc.store.shared import close_stores, study_and_store

__all__ = ["RUNNERS", "check_runner", "close_stores", "map_in_order", "study_and_store", "task_runner", "timed"]

RUNNERS = ("default", "dask")
# Shards in flight at once on a distributed runner: enough to keep every worker busy while the
# flow writes finished shards, few enough that a large corpus is not all in memory at once.
WINDOW = 8

def check_runner(runner: str, dask_address: str | None = None, dask_workers: int | None = None) -> None:
    """Reject an unknown runner, Dask options without the Dask runner, or a missing prefect-dask.

    Raises:
        VocError: naming the option and what to do.
    """
    if runner not in RUNNERS:
        raise VocError(f"--runner {runner!r}: use one of {', '.join(RUNNERS)}")
    if runner != "dask" and (dask_address or dask_workers):
        raise VocError("--dask-address and --dask-workers need --runner dask")
    if dask_address and dask_workers:
        raise VocError("--dask-workers sizes a local cluster; an existing cluster (--dask-address) keeps its own")
    if dask_workers is not None and dask_workers < 1:
        raise VocError(f"--dask-workers {dask_workers}: need at least one worker")
    if runner == "dask":
        try:
            import prefect_dask  # noqa: F401
        except ImportError:
            raise missing_package("prefect-dask", "dask", "--runner dask") from None


def task_runner(runner: str = "default", dask_address: str | None = None, dask_workers: int | None = None) -> Any:
    """The Prefect task runner for analysis shards.

    Args:
        runner: "default" (this process) or "dask".
        dask_address: scheduler address of an existing Dask cluster; None starts a local cluster.
        dask_workers: worker processes of the local cluster (None: Dask's choice, about one per core).
    """
    check_runner(runner, dask_address, dask_workers)
    if runner == "default":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner()
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    # One thread per worker process: spaCy and torch are not made for several threads sharing a
    # model, and each process loads the models once whatever its thread count.
    kwargs: dict[str, Any] = {"threads_per_worker": 1, "processes": True}
    if dask_workers:
        kwargs["n_workers"] = dask_workers
    return DaskTaskRunner(cluster_kwargs=kwargs)


def _distributed() -> bool:
    from prefect.context import FlowRunContext
    from prefect.task_runners import ThreadPoolTaskRunner

    ctx = FlowRunContext.get()
    runner = getattr(ctx, "task_runner", None)
    return runner is not None and not isinstance(runner, ThreadPoolTaskRunner)


def map_in_order(task: Any, jobs: Iterable[dict[str, Any]], window: int = WINDOW) -> Iterator[Any]:
    """Run a task once per job (its keyword arguments) and yield the results in job order.

    Under the default runner the jobs run one by one in this process: spaCy and torch already
    use every core, and threads sharing one model would only contend. Under a distributed runner
    (Dask) up to `window` jobs are in flight; results still come back in job order, so the flow
    writes the store exactly as it does under the default runner.
    """
    if not _distributed():
        for job in jobs:
            yield task(**job)
        return
    pending: deque = deque()
    for job in jobs:
        pending.append(task.submit(**job))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
