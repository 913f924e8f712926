"""cusdep node: cross-border customs data exchange."""

__version__ = "0.1.0"
