"""The topics stage: themes per insight kind, and everything an analyst tunes about them.

The only package that imports BERTopic, UMAP or HDBSCAN.

- ``fit``: ``fit_topics(kind, insights, vectors, settings)``, the one entry point that clusters.
- ``runs``: the stage over a run (refit, or place with a saved model, or group by role).
- ``sample``: above ``[topics] max_fit`` insights, fit a seeded sample and place the rest.
- ``saved``: tuned models saved under models/<study>/topics/<kind>/; ``tuning``: the notebook
  session (merge, rename, split, seed themes).
- ``labels``, ``vocabulary``, ``coherence``, ``merge``: labels, stop words, NPMI, Ward merges.
- ``evaluate``: `voc topics --evaluate` against BERTopic's defaults.
"""
