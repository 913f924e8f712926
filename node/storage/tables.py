"""Every table module, imported so ``SQLModel.metadata`` is complete. Add new modules here."""

from node.storage import core  # noqa: F401
