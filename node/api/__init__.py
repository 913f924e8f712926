"""The node's REST API (FastAPI) and review UI, served in-process by ``ApiServer`` as a node
worker (``cusdep node run``) on ``[api] host/port`` (``cusdep init --api-port M``).

Tokens: ``cusdep token issue --role admin|officer|agency|auditor --subject NAME
[--country CC] [--days N]`` prints a bearer token once (only its SHA-256 is stored);
``cusdep token revoke ID``. Errors are RFC 9457 ``application/problem+json`` (``type`` = the
stable code; which status for which fault: ``problems``). A body declares its ``Content-Type``
(415 otherwise), a query string carries only the route's parameters (400 otherwise). The
OpenAPI document is ``/openapi.json``; operation ids are ``{tag}-{name}``.

    GET  /health/live, /health/ready (database, chain, partners), /metrics     no token
    GET  /api/v1/me                                                             any role
    POST /api/v1/documents/certificates   raw JSON/XML (?format=)               officer, agency*
    POST /api/v1/documents/declarations   raw JSON/XML (?format=)               officer
    POST /api/v1/documents/scans          raw PDF/PNG/JPEG/TIFF (?declaration=) officer  -> 202
    GET  /api/v1/documents[?kind&state], /{sha}, /{sha}/content                 officer, auditor
    POST /api/v1/documents/{sha}/revoke   {reason}                              officer
    POST /api/v1/documents/{sha}/replace  raw JSON/XML replacement certificate  officer -> 202
    GET  /api/v1/review/queue[?state], /{sha}, /{sha}/evidence/{png}         officer, auditor
    POST /api/v1/review/{sha}/decision    {decision: accept|reject, reason}     officer
    POST /api/v1/review/{sha}/rerun                                             officer
    GET  /api/v1/registry[?kind], /{kind}/{id}/specimen          officer, agency, auditor
    POST /api/v1/registry/agencies|seals|officers|templates, /{kind}/{id}/revoke   agency*
    GET  /api/v1/trace/{sha}              events + proof checked on chain       officer, auditor
    GET  /api/v1/partners, /messages[?direction], /messages/{id}                officer, auditor
    POST /api/v1/messages                 {to, document_sha256, kind}           officer

``admin`` may do everything; ``agency*`` only for its own country. The review page is
``/ui/review/{sha}`` (``/ui/`` is the queue); a link may carry ``#token=...`` to sign in.
"""
