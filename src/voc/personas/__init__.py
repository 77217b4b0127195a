"""The personas stage: voices segmented by needs and triggers, drafted as cards with evidence.

- ``segments``: voices, the need/trigger matrix, the number of personas and its confidence.
- ``cards``: names, taglines, needs, buying process and interview questions per persona.
- ``evidence``: quotes, links and channels that back every claim (the report uses them too).
"""
