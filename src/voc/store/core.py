"""The study's embedded database (DuckDB): idempotent upserts, crawl cursors, runs, exports
(named reads in ``reads``, the SQL text of tables and exports in ``sql``).

Every stage reads from and writes to the store, so each stage can be re-run alone and a crash
loses at most the batch in flight (each write is one transaction).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from voc.errors import VocError
from voc.schema import DOCUMENT_COLUMNS, INSIGHT_COLUMNS, PERSONA_COLUMNS, Document, stable_id, utcnow
from voc.store.reads import Reads
from voc.store.sql import EXPORTS, MIGRATIONS, RUN_ORDER_DESC, SCHEMA
from voc.store.vectors import Vectors

# Runs started by this process. DuckDB lets one process write a store at a time, so any other
# run still marked "running" belongs to a process that died (kill -9, power loss).
_RUNS_HERE: set[str] = set()

# Where stores written before the salt moved out kept it (see Store._retire_legacy_salt).
LEGACY_SALT = "author_salt"
SALT_WIPE_PENDING = "salt_wipe_pending"

TABLES = (
    "documents", "crawl_state", "runs", "sentences", "insights", "attributes", "topics",
    "insight_topics", "personas",
)


class Store(Reads, Vectors):
    """A DuckDB file holding one study. Safe to share between threads of one process."""

    def __init__(self, path: str | Path, read_only: bool = False, memory_limit: str | None = None):
        """``memory_limit``: DuckDB's page cache (like "1GB"; default ``Settings.store_memory``)."""
        from voc.config import Settings

        self.path = Path(path)
        self.memory_limit = memory_limit or Settings().store_memory
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only, config=self._config())
        except duckdb.Error as err:
            reason = str(err).splitlines()[0]
            if "lock on file" in reason.lower():
                raise VocError(f"{self.path}: cannot open the store ({reason}); "
                               "is another voc process using it?") from None
            if "memory" in reason.lower():
                raise VocError(f"store memory limit {self.memory_limit!r} (VOC_STORE_MEMORY): {reason}; "
                               "give a size such as 1GB or 512MB") from None
            raise _unreadable(self.path, reason) from None
        self._lock = threading.RLock()
        try:
            if not read_only:
                self.con.execute(SCHEMA)
                self.con.execute(MIGRATIONS)
            self.con.execute("SELECT * FROM meta").fetchall()  # reads a data block, not just the catalog
        except duckdb.Error as err:
            self.con.close()
            raise _unreadable(self.path, str(err).splitlines()[0]) from None
        if not read_only:
            try:
                self._retire_legacy_salt()
            except BaseException:
                self.con.close()
                raise

    def _config(self) -> dict[str, Any]:
        # No extension autoloading: DuckDB would otherwise fetch a SQLite reader from the
        # network to open a SQLite file given as the store.
        return {"autoinstall_known_extensions": False, "autoload_known_extensions": False,
                "memory_limit": self.memory_limit}

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- low level ---------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        with self._lock:
            return self.con.execute(sql, params or []).df()

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        with self._lock:
            rows = self.con.execute(sql, params or []).fetchall()
        return rows[0][0] if rows else None

    def _upsert(self, table: str, df: Any, columns: Sequence[str]) -> None:
        """Insert or replace rows from a DataFrame or an Arrow table."""
        if not len(df):
            return
        frame = df[list(columns)] if isinstance(df, pd.DataFrame) else df.select(list(columns))
        cols = ", ".join(columns)
        self.con.register("_incoming", frame)
        # Not in a finally: after a failed statement the transaction is aborted and unregister
        # raises a TransactionException that would hide the real error (e.g. out of memory).
        # The caller's ROLLBACK ends the transaction; the next register replaces the view.
        self.con.execute(f"INSERT OR REPLACE INTO {table} ({cols}) SELECT {cols} FROM _incoming")
        self.con.unregister("_incoming")

    def transaction(self):
        return _Transaction(self)

    # -- meta --------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])

    def salt(self) -> str:
        """The secret behind this store's author pseudonyms: VOC_SALT or the key file outside the
        store (``voc.privacy.pseudonyms.author_salt``). It is never kept in the store."""
        from voc.privacy.pseudonyms import author_salt

        return author_salt()

    def _retire_legacy_salt(self) -> None:
        """Older stores kept the salt in meta: move it to the key file and wipe it from the file.

        Deleting the row is not enough: DuckDB leaves deleted values in free blocks of the file, so
        the store is rewritten into a fresh file (a flag makes an interrupted rewrite run again).
        """
        legacy = self.meta(LEGACY_SALT)
        if legacy is not None:
            from voc.privacy.pseudonyms import adopt_legacy_salt

            adopt_legacy_salt(legacy, self.path)
            with self.transaction():
                self.con.execute("DELETE FROM meta WHERE key = ?", [LEGACY_SALT])
                self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", [SALT_WIPE_PENDING])
        if self.meta(SALT_WIPE_PENDING) is None:
            return
        fresh = self.path.with_name(f".{self.path.name}.rewrite")
        fresh.unlink(missing_ok=True)
        # ATTACH takes no parameters: the path and name are quoted as SQL literals.
        name = str(self.scalar("SELECT current_database()")).replace('"', '""')
        self.con.execute("ATTACH '{}' AS voc_rewrite".format(str(fresh).replace("'", "''")))
        self.con.execute(f'COPY FROM DATABASE "{name}" TO voc_rewrite')
        self.con.execute("DELETE FROM voc_rewrite.meta WHERE key = ?", [SALT_WIPE_PENDING])
        self.con.execute("DETACH voc_rewrite")
        self.con.close()
        os.replace(fresh, self.path)
        self.con = duckdb.connect(str(self.path), config=self._config())

    # -- documents and cursors ---------------------------------------------------------------
    def commit_batch(self, docs: Iterable[Document], source: str, cursor: dict | None) -> int:
        """Upsert documents and move the source's cursor in one transaction.

        Returns the number of documents that were not in the store before.
        """
        rows = [d.to_row() for d in docs]
        df = pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
        with self.transaction():
            new = 0
            if not df.empty:
                df = df.drop_duplicates("doc_id", keep="last")
                self.con.register("_ids", df[["doc_id"]])
                new = self.con.execute(
                    "SELECT count(*) FROM _ids WHERE doc_id NOT IN (SELECT doc_id FROM documents)"
                ).fetchall()[0][0]
                self.con.unregister("_ids")
                self._upsert("documents", df, DOCUMENT_COLUMNS)
            if cursor is not None:
                self.con.execute(
                    "INSERT OR REPLACE INTO crawl_state VALUES (?, ?, ?)",
                    [source, json.dumps(cursor, sort_keys=True), utcnow()],
                )
        return int(new)

    def cursor(self, source: str) -> dict | None:
        raw = self.scalar("SELECT cursor FROM crawl_state WHERE source = ?", [source])
        return json.loads(raw) if raw else None

    def documents(self, where: str = "", params: Sequence[Any] | None = None) -> pd.DataFrame:
        sql = f"SELECT {', '.join(DOCUMENT_COLUMNS)} FROM documents {where} ORDER BY doc_id"
        return self.query(sql, params)

    def count(self, table: str) -> int:
        if table not in TABLES + ("segmented", "extracted", "embeddings"):
            raise ValueError(f"unknown table {table}")
        return int(self.scalar(f"SELECT count(*) FROM {table}"))

    @contextmanager
    def registered(self, name: str, frame: Any) -> Iterator[None]:
        """``frame`` queryable as the table ``name`` by the block's statements (under the lock)."""
        with self._lock:
            self.con.register(name, frame)
            try:
                yield
            finally:
                self.con.unregister(name)

    def _for_docs(self, doc_ids: Sequence[str], sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """``sql`` run with the table ``_docs`` (doc_id) holding these documents."""
        with self.registered("_docs", pd.DataFrame({"doc_id": list(doc_ids)}, dtype=object)):
            return self.con.execute(sql, params or []).df()

    # -- segmentation ------------------------------------------------------------------------
    def unsegmented_doc_ids(self) -> list[str]:
        return self.query("SELECT doc_id FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM segmented) "
                          "ORDER BY doc_id")["doc_id"].tolist()

    def document_texts(self, doc_ids: Sequence[str]) -> pd.DataFrame:
        return self._for_docs(doc_ids, "SELECT doc_id, text FROM documents WHERE doc_id IN (SELECT doc_id FROM _docs) "
                                       "ORDER BY doc_id")

    def save_sentences(self, sentences: pd.DataFrame, doc_ids: Sequence[str]) -> None:
        counts = sentences.groupby("doc_id").size() if not sentences.empty else pd.Series(dtype=int)
        done = pd.DataFrame({"doc_id": list(doc_ids)})
        done["n_sentences"] = done["doc_id"].map(counts).fillna(0).astype(int)
        with self.transaction():
            self._upsert("sentences", sentences, ["sent_id", "doc_id", "idx", "text", "start_char", "end_char"])
            self._upsert("segmented", done, ["doc_id", "n_sentences"])

    def set_languages(self, langs: dict[str, str]) -> None:
        if not langs:
            return
        df = pd.DataFrame({"doc_id": list(langs), "lang": list(langs.values())})
        with self.transaction():
            self.con.register("_langs", df)
            self.con.execute("UPDATE documents SET lang = l.lang FROM _langs l WHERE documents.doc_id = l.doc_id")
            self.con.unregister("_langs")

    # -- extraction --------------------------------------------------------------------------
    def docs_to_extract(self, model: str) -> pd.DataFrame:
        """The documents (doc_id, n: how many) with sentences this model has not classified."""
        return self.query("""SELECT doc_id, count(*) AS n FROM sentences
                             WHERE sent_id NOT IN (SELECT sent_id FROM extracted WHERE model = ?)
                             GROUP BY doc_id ORDER BY doc_id""", [model])

    def sentences_with_context(self, doc_ids: Sequence[str], only_new_for_model: str | None = None) -> pd.DataFrame:
        """These documents' sentences joined with the document fields extraction uses as features."""
        new = "AND s.sent_id NOT IN (SELECT sent_id FROM extracted WHERE model = ?)" if only_new_for_model else ""
        return self._for_docs(doc_ids, f"""SELECT s.sent_id, s.doc_id, s.idx, s.text, d.kind AS doc_kind, d.rating,
                                                  d.author_hash, d.source
                                           FROM sentences s JOIN documents d USING (doc_id)
                                           WHERE s.doc_id IN (SELECT doc_id FROM _docs) {new}
                                           ORDER BY s.doc_id, s.idx""",
                              [only_new_for_model] if only_new_for_model else [])

    def save_insights(self, insights: pd.DataFrame, attributes: pd.DataFrame, sent_ids: Sequence[str], model: str) -> None:
        done = pd.DataFrame({"sent_id": list(sent_ids), "model": model})
        insights = insights.reindex(columns=INSIGHT_COLUMNS)  # optional columns (roles) may be absent
        with self.transaction():
            if len(done):
                self.con.register("_done", done)
                # A re-extraction replaces what an earlier model said about these sentences.
                self.con.execute("DELETE FROM insights WHERE sent_id IN (SELECT sent_id FROM _done)")
                self.con.unregister("_done")
            self._upsert("insights", insights, INSIGHT_COLUMNS)
            self._upsert("attributes", attributes, ["doc_id", "author_hash", "attribute", "sent_id"])
            self._upsert("extracted", done, ["sent_id", "model"])

    def insights_frame(self, kind: str | None = None) -> pd.DataFrame:
        """Insights with their sentence and evidence (quote, link, source, date, author)."""
        where, params = ("WHERE i.kind = ?", [kind]) if kind else ("", [])
        return self.query(
            f"""SELECT i.sent_id, i.kind, i.aspect, i.strength, i.confidence, i.method, i.roles,
                       s.text, s.doc_id, d.url, d.source, d.kind AS doc_kind, d.created_at,
                       d.author_hash, d.thread_id, d.rating, d.title
                FROM insights i JOIN sentences s USING (sent_id) JOIN documents d USING (doc_id)
                {where} ORDER BY i.kind, i.sent_id""",
            params,
        )

    # -- topics and personas -----------------------------------------------------------------
    def save_topics(self, run_id: str, kind: str, topics: pd.DataFrame, assignments: pd.DataFrame) -> None:
        with self.transaction():
            self.con.execute("DELETE FROM topics WHERE run_id = ? AND kind = ?", [run_id, kind])
            self.con.execute("DELETE FROM insight_topics WHERE run_id = ? AND kind = ?", [run_id, kind])
            self._upsert("topics", topics.assign(run_id=run_id, kind=kind), ["run_id", "kind", "topic_id", "label", "keywords", "size"])
            self._upsert("insight_topics", assignments.assign(run_id=run_id, kind=kind), ["run_id", "sent_id", "kind", "topic_id"])

    def save_personas(self, run_id: str, personas: pd.DataFrame) -> None:
        frame = personas.copy()
        if "buying_process" not in frame.columns:
            frame["buying_process"] = [[] for _ in range(len(frame))]
        for col in ("items", "channels", "vocabulary", "self_descriptions", "quotes", "buying_process"):
            frame[col] = frame[col].map(lambda v: json.dumps(v, default=str))
        with self.transaction():
            self.con.execute("DELETE FROM personas WHERE run_id = ?", [run_id])
            self._upsert("personas", frame.assign(run_id=run_id), PERSONA_COLUMNS)

    def latest_run(self, flow: str = "analyze", status: str = "completed") -> str | None:
        return self.scalar(
            f"SELECT run_id FROM runs WHERE flow = ? AND status = ? ORDER BY {RUN_ORDER_DESC} LIMIT 1", [flow, status]
        )

    # -- runs --------------------------------------------------------------------------------
    def start_run(self, flow: str) -> str:
        """Record a new run as running; runs another (dead) process left running become interrupted."""
        started = utcnow()
        run_id = f"{started:%Y%m%dT%H%M%S}-{stable_id(flow, started.isoformat(), secrets.token_hex(4))[:6]}"
        with self._lock:
            with self.registered("_here", pd.DataFrame({"run_id": sorted(_RUNS_HERE) or [""]})):
                self.con.execute(
                    """UPDATE runs SET status = 'interrupted', finished_at = coalesce(finished_at, ?)
                       WHERE status = 'running' AND run_id NOT IN (SELECT run_id FROM _here)""", [started])
            self.con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, NULL, 'running', '{}', '[]')", [run_id, flow, started]
            )
            _RUNS_HERE.add(run_id)
        return run_id

    def finish_run(self, run_id: str, status: str, counts: dict, errors: list) -> None:
        """Close a run record; its counts and errors are redacted (error text carries request URLs)."""
        from voc.privacy.redact import redact, redact_data

        def dump(obj: Any) -> str:
            return json.dumps(redact_data(obj), default=lambda o: redact(str(o)))

        with self._lock:
            self.con.execute(
                "UPDATE runs SET finished_at = ?, status = ?, counts = ?, errors = ? WHERE run_id = ?",
                [utcnow(), status, dump(counts), dump(errors), run_id],
            )

    def runs(self) -> pd.DataFrame:
        return self.query("SELECT * FROM runs ORDER BY started_at")

    # -- exports -----------------------------------------------------------------------------
    def export_frame(self, name: str, run_id: str) -> pd.DataFrame:
        """One of the run's export tables (insights, topics, personas) as a frame."""
        with self._lock:
            return self.con.sql(EXPORTS[name], params={"run": run_id}).df()

    def write_export(self, name: str, run_id: str, path: Path) -> Path:
        """Write one of the run's export tables to Parquet or CSV, chosen by the file suffix."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock:
            rel = self.con.sql(EXPORTS[name], params={"run": run_id})
            if path.suffix == ".parquet":
                rel.write_parquet(str(path))
            else:
                rel.write_csv(str(path), header=True)
        return path


def _unreadable(path: Path, reason: str) -> VocError:
    return VocError(f"{path}: not a readable voc store ({reason}); if this is another file, point the study's "
                    "store elsewhere; if the store is damaged, move it away and run voc again to rebuild it")


class _Transaction:
    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> None:
        self.store._lock.acquire()
        self.store.con.execute("BEGIN TRANSACTION")

    def __exit__(self, exc_type, *rest) -> None:
        try:
            self.store.con.execute("ROLLBACK" if exc_type else "COMMIT")
        except duckdb.Error:
            if not exc_type:
                raise
            # A failed ROLLBACK (the database invalidated by the error) must not replace that error.
        finally:
            self.store._lock.release()
