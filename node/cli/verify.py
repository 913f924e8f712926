"""``cusdep verify FILE [--declaration d.json] [--electronic-copy c.json] [--arrival-date
YYYY-MM-DD] --json``.

Thin: read the inputs, build a Pipeline over a SpecimenSource, print the result. Review
errors are mapped once, here, onto ``node.errors`` (exit 2, one line, nothing written).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import os
import re
import threading
from collections.abc import Coroutine, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, Any

from node.cli._common import emit_json, output_dir, read_file, settings_from
from node.config import Settings
from node.errors import ConfigError, InputError, LimitExceeded, UnsupportedDocument
from verification import (
    BundleSpecimenSource,
    DocumentError,
    IntakeLimits,
    Pipeline,
    PipelineConfig,
    RapidOcrEngine,
    SpecimenSource,
    UnknownTemplate,
    VerificationError,
    load_establishments,
    load_rules,
)
from verification import LimitExceeded as DocLimit
from verification import UnsupportedDocument as DocUnsupported
from verification.intake import sniff
from verification.ports import Agency, OfficerSpecimen, RevokedSeal, SealSpecimen

if TYPE_CHECKING:
    from node.ports import RegistryRecords
    from node.registry.reading import RegistryRead
    from node.storage.db import Database

_BACKGROUND_NICE = 10


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("verify", help="review a paper-origin certificate scan or PDF")
    p.add_argument("file", metavar="FILE", help="PDF, PNG, JPEG or TIFF")
    p.add_argument("--declaration", help="declaration JSON to check the certificate against")
    p.add_argument(
        "--electronic-copy",
        metavar="FILE",
        help="the issuer's electronic copy of the certificate (any format an adapter reads)",
    )
    p.add_argument(
        "--arrival-date",
        metavar="YYYY-MM-DD",
        help="the goods' arrival, for the validity rules (default: the declaration's "
        "arrival_date, else today, UTC)",
    )
    p.add_argument("--evidence", help="directory for evidence crops (fields, seal, signature)")
    p.add_argument("--rules", help="rule repository TOML (default: the packaged rules)")
    p.add_argument("--establishments", help="approved establishments JSON {country: [numbers]}")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--bundle", help=argparse.SUPPRESS)  # simulator registry bundle directory
    p.set_defaults(func=_verify)


def specimen_source(args: argparse.Namespace, sha256: str) -> SpecimenSource:
    """Where specimens come from: the node's registry (only specimens whose SHA-256 matches the
    chain, from our own and trusted registrars), or a simulator bundle (hidden ``--bundle``).

    The registry is read on a thread of its own while the pages are read: the pipeline asks
    for specimens only after OCR, so the chain checks cost the review no time."""
    if args.bundle:
        return BundleSpecimenSource(args.bundle)
    settings = settings_from(args)  # a home that is not set up fails here, before any work
    pool = ThreadPoolExecutor(1, thread_name_prefix="registry")
    future = pool.submit(_in_background, _registry_specimens(settings, sha256))
    pool.shutdown(wait=False)  # the thread finishes its load (and closes the chain) on its own
    return _Deferred(future)


def _in_background(load: Coroutine[Any, Any, SpecimenSource]) -> SpecimenSource:
    """Run ``load`` on this thread at a lower CPU priority (Linux schedules threads on their
    own): the specimens are needed only after OCR, which should have the two cores first."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), _BACKGROUND_NICE)
    return asyncio.run(load)


class _Deferred:
    """A SpecimenSource that waits for the one being loaded (its errors surface on first use)."""

    def __init__(self, future: Future[SpecimenSource]) -> None:
        self._future = future

    def _source(self) -> SpecimenSource:
        return self._future.result()

    def settled(self) -> bool:
        """Whether the load has finished (its thread closed the chain and the database)."""
        return self._future.done()

    def templates(self) -> Sequence[Mapping[str, Any]]:
        return self._source().templates()

    def agency(self, agency_id: str) -> Agency | None:
        return self._source().agency(agency_id)

    def seals(self, agency_id: str | None = None) -> Sequence[SealSpecimen]:
        return self._source().seals(agency_id)

    def officers(self, agency_id: str) -> Sequence[OfficerSpecimen]:
        return self._source().officers(agency_id)

    def unusable_seals(self, agency_id: str) -> Sequence[str]:
        return self._source().unusable_seals(agency_id)

    def revoked_seals(self, agency_id: str) -> Sequence[RevokedSeal]:
        return self._source().revoked_seals(agency_id)

    def is_certificate_number_used(self, number: str) -> bool:
        return self._source().is_certificate_number_used(number)


async def _registry_specimens(settings: Settings, sha256: str) -> SpecimenSource:
    """Only what reading the registry needs (database, blobs, chain), not a whole node: the
    API server, the exchange and the workers cost start-up time a one-shot review never uses.
    A SQLite home at the newest schema is read with ``sqlite3`` (``node.registry.reading``):
    no SQLAlchemy import; any other database goes through ``Database``, which migrates."""
    from node.chain.devchain import embedded_anvil
    from node.registry.specimens import build_specimens, trusted_registrars
    from node.storage.blobs import BlobStore

    read, db = _registry_read(settings.database_url)
    blobs = BlobStore(settings.home / "blobs")
    anvil = embedded_anvil(settings)
    try:
        url = await asyncio.to_thread(anvil.ensure) if anvil else settings.chain.rpc_url
        registrars = trusted_registrars(
            read, settings.node.country, settings.chain.trusted_registrars
        )
        return await build_specimens(
            read,
            blobs,
            _records(url, settings.chain.registry_contract),
            registrars=registrars,
            is_used=lambda n: read.certificate_number_used(n, sha256),
        )
    finally:
        if anvil is not None:
            await asyncio.to_thread(anvil.stop)
        if db is not None:
            db.dispose()


def _registry_read(url: str) -> tuple[RegistryRead, Database | None]:
    """The registry's read port for the database at ``url``, and the ``Database`` to dispose
    of afterwards (``None`` for a SQLite file at the newest schema, read with ``sqlite3``)."""
    from node.registry.reading import DatabaseRead, sqlite_read

    light = sqlite_read(url)
    if light is not None:
        return light, None
    from node.storage.db import Database

    db = Database(url)
    db.migrate()
    return DatabaseRead(db), db


def _records(url: str, address: str) -> RegistryRecords:
    """The registry's getters over plain JSON-RPC (no web3 import: ``node.chain.reader``); with
    no registry contract configured yet nothing can be on chain, so every record reads absent."""
    from node.chain.reader import RpcRegistryReader

    return RpcRegistryReader(url, address) if address else _Absent()


class _Absent:
    async def get_many(self, keys: Sequence[tuple[str, str, str]]) -> list[dict[str, Any] | None]:
        return [None] * len(keys)


def _verify(args: argparse.Namespace) -> int:
    settings = settings_from(args, require_init=False)
    limits = settings.verification.intake_limits()
    data = read_file(args.file, limits.max_bytes)  # never more than the review would take
    try:
        sniff(data)  # fail on a non-document before loading any registry
    except VerificationError as err:
        raise _mapped(err) from None
    declaration = _declaration(args.declaration) if args.declaration else None
    copy = _electronic_copy(args.electronic_copy) if args.electronic_copy else None
    arrival = _arrival(args.arrival_date, declaration)
    evidence = output_dir("--evidence", args.evidence) if args.evidence else None
    warming = RapidOcrEngine().warm_up_in_background()  # overlaps the registry and the pages
    try:
        pipeline = _pipeline(args, data, settings, limits)
        result = pipeline.verify(
            data,
            declaration=declaration,
            arrival_date=arrival,
            evidence_dir=evidence,
            electronic_copy=copy,
        )
    except BaseException as err:
        # onnxruntime aborts the process ("terminate called without an active exception")
        # when the interpreter exits while it is still building its sessions: an input refused
        # early (a bomb, too many pages, a truncated image) waits for the models first
        warming.join()
        if isinstance(err, VerificationError):
            raise _mapped(err) from None
        raise
    out = result.to_json()
    if args.json:
        emit_json(out)
    else:
        emit_json({k: out[k] for k in ("document_sha256", "template_id", "verdict", "reasons")})
    # nothing of this review is left running: the process may end without its teardown
    args.leave_at_once = not isinstance(pipeline.source, _Deferred) or pipeline.source.settled()
    return 0


def _pipeline(
    args: argparse.Namespace, data: bytes, settings: Settings, limits: IntakeLimits
) -> Pipeline:
    v = settings.verification
    est_path = args.establishments or v.establishments_path  # the node's, unless named here
    est = load_establishments(est_path) if est_path else {}
    config = PipelineConfig(limits=limits, establishments=est)
    source = specimen_source(args, hashlib.sha256(data).hexdigest())
    return Pipeline(source, rules=load_rules(args.rules or v.rules_path or None), config=config)


def _mapped(err: VerificationError) -> Exception:
    if isinstance(err, DocLimit):
        return LimitExceeded(err.message, code=err.code)
    if isinstance(err, DocUnsupported):
        return UnsupportedDocument(err.message, code=err.code)
    if isinstance(err, DocumentError | UnknownTemplate):
        return InputError(err.message, code=err.code)
    return ConfigError(err.message, code=err.code)


def _declaration(path: str) -> dict[str, Any]:
    """The declaration's fields, read and checked as the API's intake reads a declaration."""
    from node.review.copies import declaration_fields

    return declaration_fields(read_file(path), f"{path}: declaration")


def _electronic_copy(path: str) -> dict[str, Any]:
    from node.review.copies import copy_fields

    return copy_fields(read_file(path), path)


def _arrival(option: str | None, declaration: Mapping[str, Any] | None) -> date | None:
    """``--arrival-date``, else the declaration's ``arrival_date`` (as the node's review takes
    it), else None (today)."""
    if option is not None:  # "--arrival-date ''" (an unset variable) is no date, not today
        return _day(option, "--arrival-date")
    declared = (declaration or {}).get("arrival_date")
    if declared is None or declared == "":
        return None
    return _day(str(declared), "the declaration's arrival_date")


def _day(text: str, what: str) -> date:
    # only YYYY-MM-DD, as the registry's dates: fromisoformat also takes "20261120", "2026-W47-5"
    if not _DAY.fullmatch(text):
        raise InputError(f"{what} {text!r}: want YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as err:  # "2026-02-30": day is out of range for month
        raise InputError(f"{what} {text!r}: want YYYY-MM-DD ({err})") from None


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
