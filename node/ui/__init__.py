"""The one-screen review UI: Jinja2 pages and static files shipped in the package (no CDN)."""
