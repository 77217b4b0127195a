"""voc: voice-of-customer mining, from public conversations to evidence-backed personas.

    import voc
    study = voc.Study.open("examples/demo/study.toml")   # the notebook facade (voc.api.Study)
"""

from typing import Any

__version__ = "0.2.0"
__all__ = ["Study", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy: `import voc` (and `voc --version`) must not load pandas, torch or Prefect.
    if name == "Study":
        from voc.api import Study

        return Study
    raise AttributeError(f"module 'voc' has no attribute {name!r}")
