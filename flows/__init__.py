"""Prefect flows: wiring only. The work happens in voc's stage functions."""
