"""The store's SQL text: its tables, the columns added since, the order of runs and the export
tables. Only ``voc.store`` uses it; everything else asks ``Store`` by name."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR PRIMARY KEY, study VARCHAR, source VARCHAR, kind VARCHAR, url VARCHAR,
    thread_id VARCHAR, parent_id VARCHAR, author_hash VARCHAR, created_at TIMESTAMP,
    title VARCHAR, text VARCHAR, rating DOUBLE, score DOUBLE, lang VARCHAR,
    fetched_at TIMESTAMP, raw_ref VARCHAR);
CREATE TABLE IF NOT EXISTS crawl_state (
    source VARCHAR PRIMARY KEY, cursor JSON, updated_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, flow VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    status VARCHAR, counts JSON, errors JSON);
CREATE TABLE IF NOT EXISTS segmented (doc_id VARCHAR PRIMARY KEY, n_sentences INTEGER);
CREATE TABLE IF NOT EXISTS sentences (
    sent_id VARCHAR PRIMARY KEY, doc_id VARCHAR, idx INTEGER, text VARCHAR,
    start_char INTEGER, end_char INTEGER);
CREATE TABLE IF NOT EXISTS extracted (sent_id VARCHAR PRIMARY KEY, model VARCHAR);
CREATE TABLE IF NOT EXISTS insights (
    sent_id VARCHAR, kind VARCHAR, aspect VARCHAR, strength VARCHAR, confidence DOUBLE,
    method VARCHAR, roles VARCHAR, PRIMARY KEY (sent_id, kind));
CREATE TABLE IF NOT EXISTS attributes (
    doc_id VARCHAR, author_hash VARCHAR, attribute VARCHAR, sent_id VARCHAR,
    PRIMARY KEY (doc_id, attribute));
CREATE TABLE IF NOT EXISTS embeddings (
    content_hash VARCHAR, model VARCHAR, vector FLOAT[], run_id VARCHAR, PRIMARY KEY (content_hash, model));
CREATE TABLE IF NOT EXISTS topics (
    run_id VARCHAR, kind VARCHAR, topic_id INTEGER, label VARCHAR, keywords VARCHAR[],
    size INTEGER, PRIMARY KEY (run_id, kind, topic_id));
CREATE TABLE IF NOT EXISTS insight_topics (
    run_id VARCHAR, sent_id VARCHAR, kind VARCHAR, topic_id INTEGER,
    PRIMARY KEY (run_id, sent_id, kind));
CREATE TABLE IF NOT EXISTS personas (
    run_id VARCHAR, persona_id INTEGER, name VARCHAR, share DOUBLE, size INTEGER,
    items JSON, channels JSON, vocabulary JSON, self_descriptions JSON, quotes JSON, buying_process JSON,
    PRIMARY KEY (run_id, persona_id));
"""

# Columns added after a store format shipped; each statement is a no-op on a current store.
MIGRATIONS = """
ALTER TABLE embeddings ADD COLUMN IF NOT EXISTS run_id VARCHAR;
ALTER TABLE insights ADD COLUMN IF NOT EXISTS roles VARCHAR;
ALTER TABLE personas ADD COLUMN IF NOT EXISTS buying_process JSON;
"""

# One order for "the latest run" everywhere: by finish (the run whose results were written
# last is the one users see), then start, then id (ids made in the same second sort randomly).
RUN_ORDER = "finished_at, started_at, run_id"
RUN_ORDER_DESC = "finished_at DESC, started_at DESC, run_id DESC"

# The export tables of one run ($run), named so that report code never writes SQL.
EXPORTS = {
    "insights": """SELECT i.sent_id, i.kind, i.aspect, i.strength, i.roles, i.confidence, i.method, s.text, d.url, d.source,
                          d.kind AS doc_kind, d.created_at, d.rating, d.author_hash, t.topic_id, tp.label AS topic
                   FROM insights i JOIN sentences s USING (sent_id) JOIN documents d USING (doc_id)
                   LEFT JOIN insight_topics t ON t.sent_id = i.sent_id AND t.kind = i.kind AND t.run_id = $run
                   LEFT JOIN topics tp ON tp.run_id = t.run_id AND tp.kind = t.kind AND tp.topic_id = t.topic_id
                   ORDER BY i.kind, i.sent_id""",
    "topics": """SELECT kind, topic_id, label, array_to_string(keywords, '; ') AS keywords, size
                 FROM topics WHERE run_id = $run ORDER BY kind, topic_id""",
    "personas": """SELECT persona_id, name, share, size, items, buying_process, channels, vocabulary, self_descriptions
                   FROM personas WHERE run_id = $run ORDER BY persona_id""",
}
