"""`voc`: the command line. Every command prints one clear line on bad input, not a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from voc.errors import VocError
from voc.privacy.redact import redact, redact_data

# Exit codes schedulers (cron, CI, Prefect) can act on.
EXIT_BAD_INPUT = 2        # the study file, a path, an option or an input file needs fixing
EXIT_SOURCES_FAILED = 3   # some or all sources failed; what could run did (see `voc runs`)

# Local variables in a traceback can hold secrets (API keys, salts, credentials): never print them.
app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="voc: mine public conversations for pain points, objections, purchase triggers, "
                       "must-have features, success factors and buying roles, then draft evidence-backed "
                       "personas.\n\n"
                       f"Exit codes: 0 done; {EXIT_BAD_INPUT} bad input (the message says what to fix); "
                       f"{EXIT_SOURCES_FAILED} one or more sources failed (the rest ran; see `voc runs`); "
                       "1 an unexpected error.")


def _version(value: bool) -> None:
    if value:
        from voc import __version__

        typer.echo(f"voc {__version__}")
        raise typer.Exit()


@app.callback()
def _options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                          help="print voc's version and exit"),
             verbose: bool = typer.Option(False, "--verbose", "-v", help="log what every stage and Prefect task does (INFO)"),
             quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bars; warnings and errors only")) -> None:
    """Log level: --verbose, --quiet, or VOC_LOG_LEVEL (DEBUG, INFO, WARNING, ERROR; default WARNING)."""
    from voc.console import configure

    configure("INFO" if verbose else "ERROR" if quiet else None, progress=not quiet)

StudyArg = typer.Argument(..., help="study file (TOML) or a folder holding study.toml")
ClassifierOpt = typer.Option(None, "--classifier", help="builtin-ensemble (the default), builtin, builtin-tuned or a "
                                                        "file from `voc train` (overrides the study's)")


def _echo_json(obj: object) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False, default=str))


RunnerOpt = typer.Option("default", help="where analysis shards run: default (this process) or dask")
DaskAddressOpt = typer.Option(None, help="scheduler of an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (default: start a local one)")
DaskWorkersOpt = typer.Option(None, help="worker processes of the local Dask cluster (default: about one per core)")
RefitOpt = typer.Option(False, "--refit-topics",
                        help="refit every kind's topics, even when the new insights are few enough to place in the "
                             "previous run's topics (refit_share in the study's topics section)")


@app.command()
def init(path: Path = typer.Argument(Path("study.toml"), help="where to write the starter study file"),
         name: str = typer.Option("", help="study name (default: the file's folder name)")) -> None:
    """Write a starter study file."""
    from voc.config import STARTER_STUDY

    if path.exists():
        raise VocError(f"{path}: already exists; choose another path")
    name = name or (path.parent.resolve().name if path.parent.name else "my-study")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STARTER_STUDY.format(name=name), encoding="utf-8")
    typer.echo(f"wrote {path}; edit its [[sources]], then run `voc run {path}`")


@app.command()
def crawl(study: Path = StudyArg) -> None:
    """Collect everything new from the study's sources into its store (exit 3 if a source failed)."""
    from flows.crawl import crawl_flow

    result = crawl_flow(str(_study_path(study)))
    _echo_json(result)
    _exit_if_sources_failed(result["errors"])


@app.command()
def analyze(study: Path = StudyArg, runner: str = RunnerOpt, dask_address: Optional[str] = DaskAddressOpt,
            dask_workers: Optional[int] = DaskWorkersOpt, refit_topics: bool = RefitOpt) -> None:
    """Segment, extract insights, fit topics and draft personas from the store (--runner dask spreads the shards)."""
    from flows.analyze import analyze_flow
    from flows.common import task_runner

    # task_runner rejects a bad runner or stray Dask options before anything runs.
    flow = analyze_flow.with_options(task_runner=task_runner(runner, dask_address, dask_workers))
    _echo_json(flow(str(_study_path(study)), refit_topics))


@app.command()
def report(study: Path = StudyArg, run_id: Optional[str] = typer.Option(None, help="an analysis run (default: latest)")) -> None:
    """Write report.html, report.md and exports for the latest analysis."""
    from flows.report import report_flow

    paths = report_flow(str(_study_path(study)), run_id)
    typer.echo(f"report: {paths['html']}\nmarkdown: {paths['markdown']}\nexports: {paths['exports']}")


@app.command()
def run(study: Path = StudyArg, runner: str = RunnerOpt, dask_address: Optional[str] = DaskAddressOpt,
        dask_workers: Optional[int] = DaskWorkersOpt, refit_topics: bool = RefitOpt) -> None:
    """Crawl, analyse and report (the Prefect pipeline flow, run locally; --runner dask spreads analysis).

    Exits 3 when a source failed: the report is still written from everything else.
    """
    from flows.common import check_runner
    from flows.pipeline import pipeline_flow

    check_runner(runner, dask_address, dask_workers)
    result = pipeline_flow(str(_study_path(study)), runner=runner, dask_address=dask_address, dask_workers=dask_workers,
                           refit_topics=refit_topics)
    _summary(result)


@app.command()
def schedule(studies: list[Path] = typer.Argument(..., help="study files (or folders holding study.toml)"),
             runner: str = RunnerOpt, dask_address: Optional[str] = DaskAddressOpt,
             dask_workers: Optional[int] = DaskWorkersOpt) -> None:
    """Run each study's pipeline on the cron schedule in its study file until Ctrl-C (served from this process)."""
    from flows.deploy import serve_studies

    serve_studies([str(_study_path(s)) for s in studies], runner=runner, dask_address=dask_address,
                  dask_workers=dask_workers)


@app.command()
def deploy(study: Path = StudyArg,
           file: Optional[Path] = typer.Option(None, "--file", help="prefect.yaml to write (default: beside the study file)"),
           pool: str = typer.Option("voc", help="work pool whose workers run the scheduled runs"),
           runner: str = RunnerOpt, dask_address: Optional[str] = DaskAddressOpt,
           dask_workers: Optional[int] = DaskWorkersOpt) -> None:
    """Write or update the study's scheduled deployment in a prefect.yaml (for a Prefect server with workers)."""
    from flows.deploy import deploy_study

    path, name, action = deploy_study(_study_path(study), file, pool, runner=runner, dask_address=dask_address,
                                      dask_workers=dask_workers)
    typer.echo(f"{action} deployment {name} in {path}; register it with:\n"
               f"  prefect deploy --prefect-file {path} --name {name}\n"
               f"and start a worker: prefect worker start --pool {pool}")


@app.command()
def demo(serve: bool = typer.Option(False, "--serve", help="keep serving the corpus afterwards so report links work")) -> None:
    """Serve the bundled demo corpus on 127.0.0.1:8765 and run the real pipeline on it."""
    from voc.demo import DEMO_DIR, DEMO_PORT, demo_study_path, serve_directory

    path = demo_study_path()
    with serve_directory(DEMO_DIR / "site", DEMO_PORT) as base:
        typer.echo(f"serving the demo corpus at {base}")
        from flows.pipeline import pipeline_flow

        result = pipeline_flow(str(path))
        _summary(result)
        if serve:
            typer.echo("serving until Ctrl-C")
            try:
                import time

                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


def _summary(result: dict) -> None:
    crawl, analysis = result["crawl"], result["analyze"]
    errors = f", {len(crawl['errors'])} source errors (see `voc runs`)" if crawl["errors"] else ""
    typer.echo(f"crawl: {crawl['fetched']} fetched, {crawl['new_documents']} new documents{errors}")
    typer.echo(f"analyze: {analysis['segment']['sentences_new']} new sentences, "
               f"{analysis['extract']['insights_new']} new insights, {analysis['personas']['personas']} personas")
    typer.echo(f"report: {result['report']['html']}\nmarkdown: {result['report']['markdown']}")
    _exit_if_sources_failed(crawl["errors"])


def _exit_if_sources_failed(errors: list[dict]) -> None:
    if errors:
        for e in errors:
            typer.echo(redact(f"voc: source {e['source']} failed: {e['error']}"), err=True)
        raise typer.Exit(EXIT_SOURCES_FAILED)


@app.command()
def fetch(url: str = typer.Argument(..., help="a forum page, topic JSON or listing URL"),
          engine: str = typer.Option("auto", help="source type to parse with, or auto-detect"),
          explain: bool = typer.Option(False, "--explain", help="show per post where its author and date were found, "
                                       "then a summary line, instead of JSONL")) -> None:
    """Print the Documents one page yields as JSONL (nothing is stored): try a new site before adding it.

    Authors are printed as pseudonyms made with a salt used for this command only (whether an author
    was found, and which posts share one), never as names.
    """
    from scrapers.fetch import explain as explain_page
    from scrapers.fetch import read_page, rows, summary, throwaway_salt

    result, salt = read_page(url, engine), throwaway_salt()
    if explain:
        for line in explain_page(result, salt):
            typer.echo(line)
        return
    typer.echo(f"# {summary(result)}", err=True)
    for row in rows(result, salt):
        _echo_json(row)


@app.command()
def classify(file: Optional[Path] = typer.Argument(None, help="one sentence per line (default: stdin)"),
             study: Optional[Path] = typer.Option(None, help="use this study's models and thresholds"),
             classifier: Optional[str] = ClassifierOpt) -> None:
    """Print kinds, aspect, strength and confidence for each input sentence as JSONL."""
    lines = (file.read_text(encoding="utf-8") if file else sys.stdin.read()).splitlines()
    texts = [ln.strip() for ln in lines if ln.strip()]
    extractor = _extractor(study, classifier)
    for rec in extractor.classify(texts):
        _echo_json(rec)


@app.command(name="eval")
def eval_cmd(file: Optional[Path] = typer.Argument(None, help="CSV with columns text and labels (kinds joined by ';'); "
                                                          "optional: source_type, prev, doc_kind, rating, position"),
             real: bool = typer.Option(False, "--real", help="evaluate on the shipped real-text test split instead "
                                                              "(its text is read from ../shared/data or VOC_SHARED_DATA)"),
             as_json: bool = typer.Option(False, "--json", help="print one JSON object"),
             baseline: bool = typer.Option(False, "--baseline", help="also evaluate the keyword baseline"),
             study: Optional[Path] = typer.Option(None, help="use this study's models and thresholds"),
             classifier: Optional[str] = ClassifierOpt) -> None:
    """Per-kind precision/recall/F1 and macro-F1 of the extractor on labelled sentences (by source type
    when the data says where each sentence came from)."""
    from voc.extract.evaluate import evaluate, format_table, read_labelled
    from voc.extract.insights import baseline_predict

    if real == (file is not None):
        raise VocError("voc eval: give a labelled CSV or --real (the shipped real-text test split), not both")
    if real:
        from voc.extract.train import real_rows

        df, where = real_rows("test"), "the real-text test split"
    else:
        df, where = read_labelled(file), str(file)
    extractor = _extractor(study, classifier)
    kinds = extractor.classifier.kinds
    result = evaluate(df, extractor.predict_labels, kinds)
    base = evaluate(df, baseline_predict, kinds) if baseline else None
    if as_json:
        _echo_json({**result, **({"baseline": base} if base else {})})
        return
    typer.echo(format_table(result, f"classifier on {where}"))
    if base:
        typer.echo("\n" + format_table(base, "keyword baseline"))
        typer.echo(f"\nmacro-F1 gain over baseline: {result['macro_f1'] - base['macro_f1']:+.3f}")


@app.command()
def train(files: list[Path] = typer.Argument(None, help="your labelled CSVs (text, labels), added to the shipped data"),
          out: Optional[Path] = typer.Option(None, help="where to write it (default: models/insights/classifier[_tuned|"
                                             "_ensemble].npz); use it with [models] classifier = \"<path>\""),
          shipped: bool = typer.Option(True, help="include the shipped labelled training rows"),
          real: bool = typer.Option(True, help="include the real-text labels (their text is read from ../shared/data)"),
          real_data: Optional[Path] = typer.Option(None, help="the folder of the real corpora (default: ../shared/data "
                                                              "or VOC_SHARED_DATA)"),
          suggestions: Optional[Path] = typer.Option(None, help="SemEval-2019 suggestion-mining CSV: weak labels for must_have_feature"),
          weak_weight: float = typer.Option(0.3, help="weight of each weakly labelled row (the shipped models: 0.5)"),
          fine_tune: bool = typer.Option(False, "--fine-tune", help="fine-tune the bundled MiniLM on sentence + "
                                         "context pairs (as builtin-tuned was made; about 45 min on 2 cores) instead of "
                                         "fitting heads on its frozen embeddings (a few minutes)"),
          epochs: float = typer.Option(3.0, help="with --fine-tune: passes over the training rows"),
          ensemble: bool = typer.Option(False, "--ensemble", help="average trained heads (--heads) and fine-tuned model "
                                        "(--tuned), as builtin-ensemble was; with the CSVs and options both were trained with"),
          heads: Optional[Path] = typer.Option(None, help="with --ensemble: the heads file (default: builtin)"),
          tuned: Optional[Path] = typer.Option(None, help="with --ensemble: the fine-tuned file (default: builtin-tuned)")) -> None:
    """Retrain the insight classifier from the shipped labels plus your own CSVs."""
    from voc.config import Models
    from voc.embed import get_embedder
    from voc.extract.train import train as do_train

    models = Models()
    if (heads or tuned) and not ensemble or ensemble and fine_tune:
        raise VocError("voc train: --heads and --tuned go with --ensemble, which combines classifiers already trained "
                       "(not with --fine-tune)")
    out = out or Path("models/insights") / f"classifier{'_ensemble' if ensemble else '_tuned' if fine_tune else ''}.npz"
    if ensemble:
        from voc.extract.ensemble import build_ensemble
        from voc.extract.insights import BUILTIN_HEAD, BUILTIN_TUNED

        clf = build_ensemble(heads or BUILTIN_HEAD, tuned or BUILTIN_TUNED, out, get_embedder(models.embedding),
                             list(files or []), shipped, real, real_data, suggestions, weak_weight)
        typer.echo(f"fine-tuned model's weight {clf.weight}, calibrated on {clf.meta['n_dev']} held-out sentences; "
                   f"thresholds {clf.thresholds}; wrote {out}")
        return
    if fine_tune:
        from voc.extract.train import fine_tune_classifier
        from voc.extract.tuned import FineTuneSettings

        tuned, df = fine_tune_classifier(out, models.embedding, list(files or []), shipped, real, real_data,
                                         FineTuneSettings(epochs=epochs), suggestions, weak_weight)
        typer.echo(f"fine-tuned on {tuned.meta['n_fit']} sentences and {tuned.meta.get('n_weak', 0)} weak rows, "
                   f"calibrated on {tuned.meta['n_dev']} held out "
                   f"({int(df['real'].sum())} real in all; {tuned.meta['positives']}); thresholds {tuned.thresholds}; "
                   f"wrote {out}")
        return
    clf, df = do_train(get_embedder(models.embedding), out, list(files or []), shipped,
                       suggestions, weak_weight, real=real, root=real_data)
    typer.echo(f"trained on {len(df)} sentences ({int(df['real'].sum())} real; {clf.meta['positives']}); "
               f"thresholds {clf.thresholds}; wrote {out}")


@app.command()
def topics(study: Path = StudyArg,
           evaluate: bool = typer.Option(False, "--evaluate", help="coherence, diversity and outliers vs BERTopic defaults"),
           kind: Optional[str] = typer.Option(None, help="one insight kind (default: all)"),
           runs: int = typer.Option(3, "--runs", min=1, help="with --evaluate: voc seeds and BERTopic default fits to average")) -> None:
    """Show the latest run's topics per kind: change since the previous analysis and the 90-day trend;
    --evaluate compares with BERTopic defaults."""
    from voc.api import Study as StudyApi
    from voc.schema import INSIGHT_KINDS

    s = StudyApi.open(study)
    kinds = [kind] if kind else list(INSIGHT_KINDS)
    if evaluate:
        from voc.topics.evaluate import comparison_lines

        for line in comparison_lines(s.store, s.config, kinds, runs):
            typer.echo(line)
        return
    from voc.trends import topic_trends

    latest = s.store.latest_run()
    over_time, window = topic_trends(s.store.insights_with_topics(latest)) if latest else ({}, {"reason": "no analysis yet"})
    typer.echo("columns: topic, mentions, change since the previous analysis, share in the last "
               f"{window.get('days', 90)} days against the time before"
               + (f" (not measured: {window['reason']})" if window.get("reason") else ""))
    for k in kinds:
        typer.echo(f"\n{k}")
        for r in s.trends(k).itertuples():
            tid = "" if r.topic_id is None or r.topic_id != r.topic_id else int(r.topic_id)
            recent = over_time.get((k, tid), "") if tid != "" else ""
            was = f"  (was: {r.previous_label})" if isinstance(r.previous_label, str) and r.previous_label != r.label and r.size else ""
            into = f"  (into: {r.merged_into})" if isinstance(r.merged_into, str) else ""
            typer.echo(f"  {tid!s:>5}  {r.size:>5}  {r.flag:<7} {recent:<5} {r.label}{was}{into}")


@app.command()
def runs(study: Path = StudyArg, as_json: bool = typer.Option(False, "--json", help="print each run record as JSON")) -> None:
    """List the study's runs: status, duration, counts and time per stage, and errors."""
    from voc.config import load_study
    from voc.scheduling import format_runs
    from voc.store import Store

    s = load_study(study)
    with Store(s.store_path) as store:
        records = store.runs()
    # Redacted again on the way out: a store written before redaction existed may hold keys.
    if as_json:
        for r in records.to_dict("records"):
            _echo_json(redact_data({**r, "counts": json.loads(r["counts"]), "errors": json.loads(r["errors"])}))
        return
    for line in format_runs(records):
        typer.echo(redact(line))


def _study_path(study: Path) -> Path:
    from voc.config import load_study

    return load_study(study).path  # validates before any flow starts


def _extractor(study: Optional[Path], classifier: Optional[str] = None):
    from voc.config import StudyConfig, load_study
    from voc.extract.insights import BUILTIN_CLASSIFIERS
    from voc.stages import components

    s = load_study(study) if study else StudyConfig(name="adhoc")
    if classifier:
        if classifier not in BUILTIN_CLASSIFIERS:   # a path typed here is relative to where it was typed
            classifier = str(Path(classifier).expanduser().resolve())
        s = s.model_copy(update={"models": s.models.model_copy(update={"classifier": classifier})})
    return components(s).extractor


def main() -> None:
    try:
        app(standalone_mode=True)
    except VocError as err:
        typer.echo(redact(f"voc: error: {err}"), err=True)
        sys.exit(EXIT_BAD_INPUT)


if __name__ == "__main__":
    main()
