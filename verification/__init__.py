"""Smart document review: intake, OCR, extraction, seal, signature, rules, verdict."""

__all__: list[str] = []
