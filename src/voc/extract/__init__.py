"""The extract stage: which sentences are insights, of which kind, about which aspect.

- ``insights``: the stage's pure function over a shard of sentences (context, cues, classifier,
  aspects, strength) and the shipped labelled data.
- ``classifier``: the trained heads over MiniLM vectors, context and cue features; ``cues``: the
  cue phrases (regular expressions: features and the keyword baseline); ``aspects``: aspect terms.
- ``train`` / ``evaluate`` / ``realtext``: `voc train`, `voc eval`, and the real labelled text
  read from ../shared/data by its keys.
"""
