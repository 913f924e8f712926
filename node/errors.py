"""One error tree for the whole node, with stable codes.

Each class carries the gRPC status and HTTP status it maps to. Edges translate exactly once:
the gRPC interceptor (status + code in trailing metadata), the FastAPI exception handler
(RFC 9457 problem+json, ``type`` = code) and the CLI ``main()`` (one stderr line, exit
``exit_status``: 2, bad input or a refusal; 75, ``EX_TEMPFAIL``, for ChainUnavailable and
DatabaseUnavailable, a chain or database that does not answer: the input was fine, try again
later).

    CusdepError                      cusdep.error            INTERNAL          500
    ├── InputError                   cusdep.input            INVALID_ARGUMENT  400
    │   ├── UnsupportedDocument      cusdep.input.unsupported
    │   └── LimitExceeded            cusdep.input.limit      RESOURCE_EXHAUSTED 413
    ├── NotFound                     cusdep.not_found        NOT_FOUND         404
    │   ├── StoredFileAltered        cusdep.not_found.altered
    │   └── Disposed                 cusdep.not_found.disposed          GONE 410
    ├── Conflict                     cusdep.conflict         ALREADY_EXISTS    409
    │   └── ReplayDetected           cusdep.replay
    ├── Unauthenticated              cusdep.unauthenticated  UNAUTHENTICATED   401
    ├── PermissionDenied             cusdep.permission       PERMISSION_DENIED 403
    ├── VerificationFailed           cusdep.verification     FAILED_PRECONDITION 422
    ├── ChainError                   cusdep.chain            UNAVAILABLE       503
    │   ├── ChainUnavailable         cusdep.chain.unavailable
    │   │   └── NoContract           cusdep.chain.unavailable (exit 2: the config names no contract)
    │   └── ChainReverted            cusdep.chain.reverted   FAILED_PRECONDITION 409
    ├── DatabaseUnavailable          cusdep.database.unavailable UNAVAILABLE   503
    │   └── DatabaseRefused          cusdep.database.unavailable (exit 2: storage.url to mend)
    ├── NotInitialised               cusdep.not_initialised  FAILED_PRECONDITION 409
    └── ConfigError                  cusdep.config           FAILED_PRECONDITION 500

SQLAlchemy's ``OperationalError`` (the database server down or unreachable, a connection
dropped, a lock or deadlock the database gave up on) is not raised by services as such: each
edge turns it into ``DatabaseUnavailable`` with ``database_unavailable`` (a 503 / UNAVAILABLE
a client tries again, not a 500 / INTERNAL "fault of the node"; in the CLI exit 75, or 2 for a
``DatabaseRefused``: a database that answered and turned the connection away).

Services raise these; they never raise HTTPException nor call ``context.abort``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import grpc


class GrpcStatus:
    """A class's gRPC status, named here and looked up in ``grpc`` on first use: importing
    grpc costs a process ~0.2 s of CPU, which a command that never speaks gRPC (``cusdep
    verify``, whose errors come through this module) should not pay on start-up."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> grpc.StatusCode:
        import grpc

        return grpc.StatusCode[self.name]


EXIT_INPUT = 2  # bad input or a refusal (the customer's contract: exit 2, one stderr line)
EXIT_UNAVAILABLE = 75  # sysexits EX_TEMPFAIL: what the command needs does not answer; retry


class CusdepError(Exception):
    code = "cusdep.error"
    grpc_status = GrpcStatus("INTERNAL")
    http_status = 500
    exit_status = EXIT_INPUT

    def __init__(self, message: str, *, code: str | None = None, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.detail = detail

    def roll_up(self) -> str:
        """The message followed by the messages of its causes, on one line."""
        parts = [self.message]
        cause = self.__cause__
        while cause is not None:
            text = (
                str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
            )
            if text and not any(text in part for part in parts):  # said already
                parts.append(text)
            cause = cause.__cause__
        return ": ".join(parts)


class InputError(CusdepError):
    code = "cusdep.input"
    grpc_status = GrpcStatus("INVALID_ARGUMENT")
    http_status = 400


class UnsupportedDocument(InputError):
    code = "cusdep.input.unsupported"
    http_status = 415


class LimitExceeded(InputError):
    code = "cusdep.input.limit"
    grpc_status = GrpcStatus("RESOURCE_EXHAUSTED")
    http_status = 413


class NotFound(CusdepError):
    code = "cusdep.not_found"
    grpc_status = GrpcStatus("NOT_FOUND")
    http_status = 404


class StoredFileAltered(NotFound):
    """A stored file that no longer hashes to the SHA-256 it is kept under (changed on disk
    after it was stored): the node holds that document or specimen no more."""

    code = "cusdep.not_found.altered"


class Disposed(NotFound):
    """A document whose bytes were disposed of under the retention policy: its row, SHA-256,
    anchor proof and trace are kept, the bytes are not (HTTP 410 Gone; gRPC NOT_FOUND)."""

    code = "cusdep.not_found.disposed"
    http_status = 410


class Conflict(CusdepError):
    code = "cusdep.conflict"
    grpc_status = GrpcStatus("ALREADY_EXISTS")
    http_status = 409


class ReplayDetected(Conflict):
    code = "cusdep.replay"


class Unauthenticated(CusdepError):
    code = "cusdep.unauthenticated"
    grpc_status = GrpcStatus("UNAUTHENTICATED")
    http_status = 401


class PermissionDenied(CusdepError):
    code = "cusdep.permission"
    grpc_status = GrpcStatus("PERMISSION_DENIED")
    http_status = 403


class VerificationFailed(CusdepError):
    code = "cusdep.verification"
    grpc_status = GrpcStatus("FAILED_PRECONDITION")
    http_status = 422


class ChainError(CusdepError):
    code = "cusdep.chain"
    grpc_status = GrpcStatus("UNAVAILABLE")
    http_status = 503


class ChainUnavailable(ChainError):
    code = "cusdep.chain.unavailable"
    exit_status = EXIT_UNAVAILABLE  # an operational failure, not bad input


class NoContract(ChainUnavailable):
    """The chain answers, but no contract is at the address the config names (a chain that was
    reset, or another chain): a configuration to mend, not a wait, so exit 2 like bad input."""

    exit_status = EXIT_INPUT


class ChainReverted(ChainError):
    code = "cusdep.chain.reverted"
    grpc_status = GrpcStatus("FAILED_PRECONDITION")
    http_status = 409


class DatabaseUnavailable(CusdepError):
    """The database did not answer: its server down or unreachable, a connection dropped, a
    lock it gave up on (SQLite's write lock held past the busy timeout). The input was fine:
    exit 75 in the CLI, 503 / UNAVAILABLE to a client of the API or a partner."""

    code = "cusdep.database.unavailable"
    grpc_status = GrpcStatus("UNAVAILABLE")
    http_status = 503
    exit_status = EXIT_UNAVAILABLE


class DatabaseRefused(DatabaseUnavailable):
    """The database answered and turned the connection away, or storage.url names one that
    cannot be reached by that name: no such database or role, a wrong password, a host name
    that does not resolve, a SQLite file that cannot be opened. Waiting mends none of these:
    exit 2 in the CLI, like bad input (as NoContract is to ChainUnavailable); to a client of
    the API or a partner it is the node's database unavailable all the same (503)."""

    exit_status = EXIT_INPUT


class NotInitialised(CusdepError):
    code = "cusdep.not_initialised"
    grpc_status = GrpcStatus("FAILED_PRECONDITION")
    http_status = 409


class ConfigError(CusdepError):
    code = "cusdep.config"
    grpc_status = GrpcStatus("FAILED_PRECONDITION")
    http_status = 500


# what PostgreSQL (libpq, psycopg) says when the database answers but refuses, or its host
# name does not resolve; any other OperationalError of a server is its not answering
_REFUSED = (
    "authentication failed",
    "no pg_hba.conf entry",
    "does not exist",  # database "x" / role "x"
    "failed to resolve host",
    "could not translate host name",
)
# SQLite's errors that are a wait (another process holds the lock): any other is the file
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")

# SQLite's words for a file that is not a database, or one whose pages are damaged
_SQLITE_BROKEN = ("file is not a database", "database disk image is malformed")


def _sqlite_file_broken(err: BaseException, orig: object) -> bool:
    """SQLite's ``DatabaseError`` for a damaged file (SQLAlchemy raises ``DatabaseError``, not
    ``OperationalError``, for it): waiting does not mend it, restoring a backup does."""
    said = str(orig or err).lower()
    return type(orig).__module__ == "sqlite3" and any(text in said for text in _SQLITE_BROKEN)


DATABASE_NAME = "cusdep_database"  # set on SQLAlchemy's error by node.storage.db: the URL


def database_unavailable(err: BaseException) -> DatabaseUnavailable | None:
    """``err`` as a ``DatabaseUnavailable`` (or ``DatabaseRefused``) if it is SQLAlchemy's
    ``OperationalError``, else None. Its message names the database (the URL without its
    password, which ``node.storage.db`` sets on the error) and the driver's first line.
    SQLAlchemy is not imported for this: if it is not loaded, nothing raised one."""
    import sys

    exc = sys.modules.get("sqlalchemy.exc")
    if exc is None or not isinstance(err, exc.DatabaseError):
        return None
    orig = getattr(err, "orig", None)
    if not isinstance(err, exc.OperationalError) and not _sqlite_file_broken(err, orig):
        return None  # an integrity or programming error: a fault, not the database's state
    lines = str(orig or err).strip().splitlines()
    said = " ".join(lines[0].split()) if lines else type(err).__name__
    where = getattr(err, DATABASE_NAME, None)
    name = f"database {where}" if where else "database"
    low = said.lower()
    if type(orig).__module__ == "sqlite3":  # a file: busy, or something wrong with it
        if _sqlite_file_broken(err, orig):
            return DatabaseRefused(f"{name} is damaged: {said} (restore it from a backup)")
        if not any(busy in low for busy in _SQLITE_BUSY):
            return DatabaseRefused(f"{name}: {said}")
    elif any(text in low for text in _REFUSED):
        return DatabaseRefused(f"{name} refused the connection: {said} (check storage.url)")
    return DatabaseUnavailable(f"{name} does not answer: {said}; try again later")
