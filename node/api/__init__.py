"""The node's REST API (FastAPI): ``create_app(node)``; served in-process by ``ApiServer``."""
