"""The temporary Prefect server voc's flows start: recorded, and swept up if its voc process died.

Prefect starts a temporary API server as a child process when no server is configured and stops
it at exit. A voc process killed with SIGKILL never reaches its exit handlers, so the server
would run on forever. Every start is recorded (server pid, its start time, voc's pid); the next
voc process that loads the flows stops servers whose voc process is gone.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from pathlib import Path

log = logging.getLogger(__name__)
SERVER_MARK = "prefect.server.api.server:create_app"


def records_dir() -> Path:
    return Path(os.environ.get("VOC_RUNTIME_DIR") or Path.home() / ".cache" / "voc") / "prefect-servers"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (so a reused pid is not mistaken for it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def record(server_pid: int) -> Path:
    folder = records_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{server_pid}.json"
    path.write_text(json.dumps({"server": server_pid, "started": _start_time(server_pid), "owner": os.getpid()}))
    return path


def sweep() -> list[int]:
    """Stop recorded servers whose voc process is gone; forget records of servers that ended.

    Returns:
        The pids that were stopped.
    """
    stopped = []
    folder = records_dir()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            rec = json.loads(path.read_text())
            server, owner = int(rec["server"]), int(rec["owner"])
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)
            continue
        same = _start_time(server) is not None and _start_time(server) == rec.get("started")
        if not same:
            path.unlink(missing_ok=True)  # the server ended (its pid may have been reused)
            continue
        if _alive(owner):
            continue
        try:
            cmdline = Path(f"/proc/{server}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            cmdline = ""
        if SERVER_MARK in cmdline:
            os.kill(server, signal.SIGTERM)
            stopped.append(server)
            log.warning("stopped a temporary Prefect server (pid %d) left by a voc process that died", server)
        path.unlink(missing_ok=True)
    return stopped


def track() -> None:
    """Record every temporary server Prefect starts in this process, and forget it when it stops."""
    from prefect.server.api.server import SubprocessASGIServer

    if getattr(SubprocessASGIServer.start, "_voc_tracked", False):
        return
    start, stop = SubprocessASGIServer.start, SubprocessASGIServer.stop

    def tracked_start(self, *args, **kwargs):
        start(self, *args, **kwargs)
        if self.server_process is not None:
            self._voc_record = record(self.server_process.pid)

    def tracked_stop(self, *args, **kwargs):
        stop(self, *args, **kwargs)
        rec = getattr(self, "_voc_record", None)
        if rec is not None:
            rec.unlink(missing_ok=True)

    tracked_start._voc_tracked = True
    SubprocessASGIServer.start, SubprocessASGIServer.stop = tracked_start, tracked_stop
