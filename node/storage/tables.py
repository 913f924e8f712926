"""Every table module, imported so ``SQLModel.metadata`` is complete. Add new modules here."""

from node.anchoring import tables as _anchoring  # noqa: F401
from node.api import tokens as _api_tokens  # noqa: F401
from node.exchange import tables as _exchange  # noqa: F401
from node.registry import tables as _registry  # noqa: F401
from node.retention import tables as _retention  # noqa: F401
from node.review import tables as _review  # noqa: F401
from node.storage import core  # noqa: F401
