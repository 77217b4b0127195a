"""voc: voice-of-customer mining, from public conversations to evidence-backed personas."""

__version__ = "0.1.0"
