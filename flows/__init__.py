"""Prefect flows: wiring only. The work happens in voc's stage functions."""

from voc.console import quiet_services

# Before Prefect is imported anywhere: no telemetry from the temporary server voc starts.
quiet_services()

from flows import servers  # noqa: E402  (after the settings above)

servers.sweep()
servers.track()
