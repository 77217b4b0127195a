"""voc's built-in tunables in one place (like Scrapy's default_settings), each with why.

What a study chooses lives in its study file (``voc.config.StudyConfig``: [topics], [personas],
[alerts]...), what a machine chooses in the environment (``voc.config.Settings``, VOC_*). These
are the values behind them that a study does not set: shard sizes, clustering search ranges,
label and trend thresholds. Modules import them from here, so changing one is one edit.
"""

# -- Crawl (voc.crawl) ----------
BATCH = 50

# -- Segment (voc.segment) ----------
MIN_SENT_CHARS = 8
MAX_SENT_CHARS = 600

# -- Stages: shard sizes (voc.stages) ----------
# Shard sizes are fixed rather than derived from the number of workers: every runner then cuts
# the same shards, feeds the models the same batches and writes identical rows.
SEGMENT_SHARD_DOCS = 100
EXTRACT_SHARD_SENTENCES = 400
EMBED_SHARD_TEXTS = 512
# Segmentation and extraction read their input from the store this many shards at a time.
STAGE_BATCH_SHARDS = 25
# Topics and persona centroids read cached vectors this many at a time.
VECTOR_READ_CHUNK = 10_000
# An encode batch holds at most this / (its longest sentence in tokens)^2 sentences, and at most 64
# (voc.embed): MiniLM's attention holds batch x heads x length^2 floats per layer. Extracting 25
# real shards of the bench store (10,320 sentences) with plain batches of 64 peaked at 1,221 MB
# in 83 s; with this budget at 956 MB in 63 s (long sentences no longer pad short ones).
ATTENTION_BUDGET = 32 * 32 * 32
# Texts tokenised at a time to size those batches (their ids are held until the slice is encoded).
TOKENISE_SLICE = 4_096

# -- Extract (voc.extract.insights) ----------
# The insight classifier a study uses unless it names one: the weighted mean of the
# frozen-embedding heads and the fine-tuned MiniLM. On the real-text test split it scores
# macro-F1 0.540 against the heads' 0.488 (mean AP 0.579 against 0.519; all trained on labelling
# rounds 1-5), and must-have F1 0.825 on the SemEval-2019 trial test and extracts more slowly (141 against 268 real review sentences/s in `make bench` with its encoder in
# float, 1.3x that since its feed-forward layers run at int8); "builtin" is the faster choice.
DEFAULT_CLASSIFIER = "builtin-ensemble"
DEFAULT_THRESHOLD = 0.5

# -- Topics (voc.topics.fit) ----------
MIN_FOR_MODEL = 12  # below this, topics are grouped by aspect instead of clustered
# HDBSCAN's min_samples as a share of min_cluster_size, in order of preference among equals.
# Looser cores keep more of a diffuse kind in fine clusters; denser ones isolate the clear themes
# and leave the rest to outlier reduction. Which reads better depends on the kind, so both are
# scored like the topic count is.
DENSITIES = (0.5, 1.0)
# NPMI differences this small are noise on a few hundred sentences, so within it the clustering
# with more topics wins: merging two topics in a notebook is one call, splitting one is not.
COHERENCE_TIE = 0.005
# Of candidate clusterings, only those whose share of insights in themes too diffuse to name
# ("various") is within this of the least are compared by coherence: a theme a content team
# cannot name is worth splitting even at a small cost in NPMI.
DIFFUSE_TIE = 0.05
# A candidate clustering whose largest theme holds more than this share of its kind competes only
# when every candidate has one (``voc.topics.fit._balanced``): coffee Q&A's pain points came out
# as one theme of 46 beside two of 3, the most coherent by NPMI.
MAX_THEME_SHARE = 0.5
# A theme needs this many voices (authors): one asker's nine sentences about price are one voice.
MIN_THEME_VOICES = 2
# By default the UMAP fits to choose from (the study's seed and seeds derived from it) reduce about
# this many insights in all: 5 fits up to about 2,200 insights, 1 from about 6,700 on.
RESTART_BUDGET = 10_000
MAX_RESTARTS = 5

# -- Topic labels (voc.topics.labels) ----------
MIN_LIFT = 1.5       # a term's share of insights in the topic over its share in the whole kind
MAX_TERMS = 3
PHRASE_SHARE = 0.6   # of a word's uses in the topic that a phrase must cover to replace it
# Of a head word's uses (its family) in the topic, the share that must pair it with one other word,
# in any of the pair's written forms, for the pair to head instead ("processing" -> "processing claims").
KIN_SHARE = 0.4
KIN_MIN = 3  # insights, so a handful of sentences cannot rename a small theme
# Of a topic's insights, the share its label's head term must occur in: below it the label would
# describe a few members, not the theme (a "headphone jack" theme where 8 of 135 mention one).
MIN_HEAD_SHARE = 0.15
# The share a household word ("cat", "puppy") must occur in to head a purchase trigger's label
# alone: it names the event only when most of the theme is about it (a trigger theme of people
# signing up, 9 of 57 mentioning a cat, was labelled "cat").
HOUSEHOLD_HEAD_SHARE = 0.35
# A word in more than this share of a kind's insights heads a label only inside a phrase.
COMMON_SHARE = 0.1
COMMON_MIN_KIND = 200  # below it every word of a theme is in a tenth of the kind
# Sentences read to learn the corpus's product, brand and people names (voc.topics.names).
NAME_SAMPLE = 200_000

# -- Products and competitors in the report (voc.report.products) ----------
PRODUCT_MIN_DOCUMENTS = 3  # a learnt name in fewer documents is one writer's, not a pattern
PRODUCTS_SHOWN = 10        # learnt names shown, most discussed first (a study's own list is shown whole)

# -- Topic evaluation (voc.topics.evaluate) ----------
DEFAULT_RUNS = 3  # BERTopic's defaults are unseeded (UMAP): one fit is one random draw

# -- Personas (voc.personas.segments) ----------
STABILITY_ROUNDS = 12
SUBSAMPLE = 0.8
# Silhouette compares every pair of voices: above this many voices it is computed on a seeded
# sample of them (the same estimate sklearn documents), so personas stay bounded at 100k+ voices.
SILHOUETTE_SAMPLE = 5_000
SILHOUETTE_MEMORY_MB = 64  # the silhouette computes its distances in chunks of this size
MIN_VOICES_PER_SEGMENT = 3  # fewer voices than 3 per segment is not a split worth drafting
MIN_SEGMENT_SHARE = 0.08    # nor a segment of fewer than 8% of the voices
MIN_MEAN_VOICES = 10        # nor more segments than one per 10 voices (voc.personas.segments.most_segments)
MAX_SEGMENT_SHARE = 0.5     # a segment of more than half the voices is "the rest", not a persona
MIN_ROLE_SHARE = 0.01      # a self-described role names a segment only if 1% of its voices share it
MIN_EVENT_SHARE = 0.02     # a life event names it only if two voices and 2% of its trigger theme's voices tell of it
MIN_FALLBACK_STABILITY = 0.6  # the split in theme-embedding space replaces it only if this reproducible
STABILITY_MARGIN = 0.2  # and a sound split by theme mixes only if it is this much more reproducible

# -- Trends and alerts (voc.trends) ----------
WINDOW_DAYS = 90
MIN_MENTIONS = 2  # one more mention is noise, not a trend
# A theme is "new" when at least this share of its mentions arrived since the previous analysis.
NEW_SHARE = 0.6

# -- Report (voc.report.context) ----------
FEW_DOCUMENTS = 30
# A quote is vouched for ("sure") at this calibrated confidence or above; below it the report
# marks it "unsure". In the reports of two real corpora (pet-insurance reviews, coffee Q&A)
# content leads judged 80 of 87 quotes at 0.7 or above the kind they were filed under, and 29 of
# 75 below it (bench/content/judged/quotes-sure.csv).
QUOTE_CONFIDENCE = 0.7
