"""Partner formats in and out, and the canonical document model. Imports nothing else of ours."""

__all__: list[str] = []
