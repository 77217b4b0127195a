"""Alerts on what is new: themes that appeared or rose since the previous run, sent through Apprise.

``find_alerts`` decides from the store (pure apart from reading it); ``message`` writes the text;
``send`` delivers it to the study's Apprise URLs (email, Slack, Teams, webhooks...). A first run
has nothing to compare with and alerts on nothing; a run with nothing new sends nothing unless
the study asks for a digest.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from voc.config import Alerts, StudyConfig
from voc.errors import VocError
from voc.kinds import KIND_TITLES
from voc.store import Store

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass
class Alert:
    kind: str
    label: str
    size: int
    new: int                    # mentions that arrived since the previous run
    previous: int | None        # its mentions from before this run's arrivals; None: the theme is new
    quotes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def what(self) -> str:
        if self.previous is None:
            return f"new theme, {self.size} mentions"
        return f"rising, {self.new} new of {self.size} mentions"


def find_alerts(store: Store, settings: Alerts) -> list[Alert]:
    """Themes of the latest run that the insights new since the run before made new or rising
    (``voc.trends.arrivals``, the rule the report's "What changed" section uses), with at least
    ``settings.min_mentions`` new mentions and ``settings.rising`` as the rise; quotes are taken
    from the new mentions, as the report picks them (``label_quotes``: sure ones only where there
    are any)."""
    from voc.personas.evidence import label_quotes
    from voc.trends import arrivals, arrived

    runs = store.analysis_runs()
    if len(runs) < 2:
        return []
    items = store.insights_with_topics(runs[-1])
    seen = store.topic_assignments(runs[-2])
    previous = set(zip(seen["sent_id"], seen["kind"]))
    labels = {(r.kind, int(r.topic_id)): str(r.label) for r in store.run_topics(runs[-1]).itertuples()}
    fresh = items[arrived(items, previous)]
    found = []
    for t in arrivals(items, previous, settings.rising, settings.min_mentions):
        members = fresh[(fresh["kind"] == t["kind"]) & (fresh["topic_id"] == t["topic_id"])]
        label = labels.get((t["kind"], t["topic_id"]), str(t["topic_id"]))
        found.append(Alert(t["kind"], label, t["count"], t["new"], None if t["status"] == "new" else t["count"] - t["new"],
                           label_quotes(members, label, 2)))
    return found


def message(study: StudyConfig, alerts: list[Alert], report: str | None = None) -> tuple[str, str]:
    """A short title and body: one block per theme with its counts and up to two quotes with links."""
    name = study.product or study.name
    if not alerts:
        return f"voc · {name}: nothing new", "No new or rising themes since the previous run." + (
            f"\nReport: {report}" if report else "")
    title = f"voc · {name}: {len(alerts)} new or rising theme{'s' if len(alerts) > 1 else ''}"
    blocks = []
    for a in alerts:
        lines = [f"{KIND_TITLES.get(a.kind, a.kind)}: {a.label} ({a.what})"]
        lines += [f"  “{q['text'][:240]}”" + (f" {q['url']}" if q.get("url") else "")
                  + ("" if q.get("sure", True) else f" (unsure, {q['confidence']:.2f})") for q in a.quotes]
        blocks.append("\n".join(lines))
    return title, "\n\n".join(blocks) + (f"\n\nReport: {report}" if report else "")


def expand_secrets(url: str, environ: dict[str, str] | None = None) -> str:
    """Fill ${VAR} in an Apprise URL from the environment.

    Raises:
        VocError: naming a variable that is not set.
    """
    env = os.environ if environ is None else environ

    def fill(m: re.Match[str]) -> str:
        if m.group(1) not in env:
            raise VocError(f"alerts: the URL names ${{{m.group(1)}}}, which is not set in the environment")
        return env[m.group(1)]

    return _ENV.sub(fill, url)


def send(settings: Alerts, title: str, body: str) -> int:
    """Deliver to every URL; returns how many took it.

    Raises:
        VocError: a URL Apprise does not understand (named without its secrets).
    """
    import apprise

    sent = 0
    for raw in settings.urls:
        notifier = apprise.Apprise()
        if not notifier.add(expand_secrets(raw)):
            raise VocError(f"alerts: {raw!r} is not a URL Apprise can send to; see https://github.com/caronc/apprise/wiki")
        if notifier.notify(title=title, body=body):
            sent += 1
    return sent


def alert_after_run(study: StudyConfig, store: Store, report: str | None = None) -> dict[str, Any]:
    """What a scheduled run does at its end: find alerts, send them (or a digest), say what it did."""
    settings = study.alerts
    if not settings.urls:
        return {"alerts": 0, "sent": 0}
    alerts = find_alerts(store, settings)
    if not alerts and not settings.digest:
        return {"alerts": 0, "sent": 0}
    title, body = message(study, alerts, report)
    return {"alerts": len(alerts), "sent": send(settings, title, body),
            "themes": [f"{a.kind}: {a.label}" for a in alerts]}
