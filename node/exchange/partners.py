"""Partner cards (``cusdep partner export|add``) and the directory of pinned partners.

A card carries what a partner must pin: node id, country, gRPC endpoint, CA certificate (PEM)
and the Ed25519 verify key with its key id. Adding a card pins the CA (TLS trust root and client
identity) and the key (envelope and receipt signatures). A card made after ``cusdep identity
rotate`` also lists the keys it replaced (``retired_keys``: key id, verify key, ``until``):
their signatures are accepted until then, so what the partner signed before it rotated still
arrives; an older card without the list pins none.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from nacl.signing import VerifyKey
from sqlalchemy import update
from sqlmodel import select

from node.config import Settings
from node.errors import ConfigError, Conflict, InputError, NotFound
from node.exchange._pb import envelope_pb2 as pb
from node.exchange.errors import RetiredKeyExpired, UnknownKey
from node.exchange.signing import key_id as compute_key_id
from node.exchange.signing import verify_receipt
from node.exchange.tables import OutboxRow, PartnerRow
from node.identity import MAX_RETIRED, Identity, RetiredKey, tls_server_name
from node.storage.db import Database, insert_absent

logger = logging.getLogger(__name__)

_NODE_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9][A-Z0-9-]{0,30}$")
_ENDPOINT = re.compile(r"^(?P<host>[A-Za-z0-9.\-\[\]:]+):(?P<port>\d{1,5})$")
CARD_FIELDS = ("node_id", "country", "name", "endpoint", "ca_pem", "verify_key_hex", "key_id")


@dataclass(frozen=True)
class PartnerCard:
    node_id: str
    country: str
    name: str
    endpoint: str
    ca_pem: str
    verify_key_hex: str
    key_id: str
    retired_keys: str = "[]"  # canonical JSON of [RetiredKey.to_json()] (PartnerRow's column)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "retired_keys": json.loads(self.retired_keys)}


def _retired_json(keys: list[RetiredKey]) -> str:
    return json.dumps([k.to_json() for k in keys], sort_keys=True, separators=(",", ":"))


def export_card(settings: Settings, identity: Identity) -> PartnerCard:
    return PartnerCard(
        node_id=settings.node.id,
        country=settings.node.country,
        name=settings.node.name,
        endpoint=_advertised(settings),
        ca_pem=identity.ca_pem.decode(),
        verify_key_hex=identity.verify_key_hex,
        key_id=identity.key_id,
        retired_keys=_retired_json(list(identity.retired)),
    )


_ANY_ADDRESS = {"0.0.0.0", "::", "[::]", ""}


def _advertised(settings: Settings) -> str:
    """The endpoint partners dial: ``exchange.advertise``, else the bind address and port
    (never a wildcard bind address, which no partner can dial)."""
    ex = settings.exchange
    endpoint = ex.advertise.strip() or f"{ex.host}:{ex.grpc_port}"
    host, _, port = endpoint.rpartition(":")
    if host in _ANY_ADDRESS or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"no endpoint partners can dial in {endpoint!r}: set exchange.advertise "
            "(CUSDEP_EXCHANGE__ADVERTISE) to HOST:PORT as partners reach this node"
        )
    return endpoint


_LOOPBACK = {"localhost", "::1", "[::1]"}


def _loopback(host: str) -> bool:
    return host.lower() in _LOOPBACK or host.startswith("127.")


def check_not_own_endpoint(settings: Settings, card: PartnerCard) -> None:
    """Refuse a card whose endpoint is where this node itself serves gRPC: dialled, it reaches
    this node, never the partner (two homes initialised on one host before either runs get the
    same port). Every delivery would then fail as a TLS refusal that names the pinned
    certificates, not the port. ``InputError`` saying which setting to change."""
    if card.node_id == settings.node.id:
        return  # this node's own card: `add_partner` says so
    if _is_own_endpoint(settings, card.endpoint):
        raise InputError(
            f"the card of {card.node_id} names {card.endpoint}, where this node "
            f"({settings.node.id}) serves gRPC itself: two nodes on one host need their own "
            f"ports — give {card.node_id} another [exchange] grpc_port (or `cusdep init "
            "--grpc-port`) and pin the card its `partner export` prints after that"
        )


def pinned_at_own_endpoint(settings: Settings, partner: Partner) -> str | None:
    """What is wrong, in words, with a partner pinned at this node's own gRPC endpoint (a card
    pinned before ``check_not_own_endpoint`` refused it, or this node's port moved onto the
    partner's since): every delivery to it reaches this node; else None."""
    if not _is_own_endpoint(settings, partner.endpoint):
        return None
    return (
        f"the card pinned for {partner.node_id} names {partner.endpoint}, where this node "
        f"({settings.node.id}) serves gRPC itself: deliveries to {partner.node_id} reach this "
        f"node, never it — give {partner.node_id} another [exchange] grpc_port and pin the "
        "card its `partner export` prints after that with `cusdep partner add --replace`"
    )


def _is_own_endpoint(settings: Settings, endpoint: str) -> bool:
    """Whether dialling ``endpoint`` (HOST:PORT) reaches this node's own gRPC server."""
    ex = settings.exchange
    host, _, port = endpoint.rpartition(":")
    own_port = ex.grpc_port
    return endpoint == ex.advertise.strip() or (
        own_port != 0
        and int(port) == own_port
        and (
            host == ex.host or (_loopback(host) and (_loopback(ex.host) or ex.host in _ANY_ADDRESS))
        )
    )


def parse_card(text: str) -> PartnerCard:
    """Validate a partner card; every problem is an ``InputError`` naming the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"partner card is not JSON ({err.msg} at line {err.lineno})") from None
    if not isinstance(data, dict):
        raise InputError("partner card must be a JSON object")
    missing = [f for f in CARD_FIELDS if f != "name" and not isinstance(data.get(f), str)]
    if missing:
        raise InputError(f"partner card lacks string field(s): {', '.join(missing)}")
    retired = _parse_retired(data.get("retired_keys", []), str(data["key_id"]))
    card = PartnerCard(
        **{f: str(data.get(f) or "") for f in CARD_FIELDS}, retired_keys=_retired_json(retired)
    )
    _check_card(card)
    return card


def _parse_retired(items: object, current: str) -> list[RetiredKey]:
    """The card's ``retired_keys``: each a verify key whose id matches, and an ``until``."""
    if not isinstance(items, list) or len(items) > MAX_RETIRED:
        raise InputError(f"retired_keys must be a list of at most {MAX_RETIRED} keys")
    out = []
    for item in items:
        try:
            raw = bytes.fromhex(item["verify_key_hex"])
            VerifyKey(raw)
            until = dt.datetime.fromisoformat(item["until"])
        except (KeyError, TypeError, ValueError):
            raise InputError(
                "each of retired_keys needs verify_key_hex (64 hex digits) and until "
                "(ISO 8601 date and time)"
            ) from None
        if until.tzinfo is None:
            raise InputError("a retired key's until must carry its time zone (…Z)")
        if compute_key_id(raw) != item.get("key_id") or item.get("key_id") == current:
            raise InputError("a retired key's key_id does not match its verify_key_hex")
        out.append(RetiredKey(compute_key_id(raw), raw.hex(), until.astimezone(dt.UTC)))
    return out


def _check_card(card: PartnerCard) -> None:
    if not _NODE_ID.match(card.node_id):
        raise InputError(f"node_id must look like CC-NAME, got {card.node_id!r}")
    if len(card.country) != 2 or not card.country.isalpha() or not card.country.isupper():
        raise InputError(f"country must be an ISO 3166 alpha-2 code, got {card.country!r}")
    match = _ENDPOINT.match(card.endpoint)
    if not match or not 0 < int(match["port"]) < 65536:
        raise InputError(f"endpoint must be host:port, got {card.endpoint!r}")
    ca = _load_ca(card.ca_pem)
    if ca is None:
        raise InputError("ca_pem is not a PEM X.509 CA certificate")
    if ca.not_valid_after_utc <= dt.datetime.now(dt.UTC):
        raise InputError(
            f"the CA certificate of {card.node_id} expired on "
            f"{ca.not_valid_after_utc:%Y-%m-%d %H:%M}Z: no TLS connection with it can be made "
            "(ask its operator for a card with a valid CA)"
        )
    try:
        raw = bytes.fromhex(card.verify_key_hex)
        VerifyKey(raw)
    except (ValueError, TypeError):
        raise InputError("verify_key_hex must be 64 hex digits (an Ed25519 public key)") from None
    if compute_key_id(raw) != card.key_id:
        raise InputError("key_id does not match verify_key_hex")


def _load_ca(pem: str) -> x509.Certificate | None:
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except (ValueError, x509.ExtensionNotFound):
        return None
    return cert if constraints.ca else None


def add_partner(db: Database, card: PartnerCard, *, own_id: str, replace: bool = False) -> bool:
    """Pin ``card``. Identical re-add is a no-op (False); a changed card needs ``replace``.
    Inserted unless pinned already, in one statement: of two `partner add` at once, one pins
    the card and the other finds it (pinned by it, or another card: ``Conflict``)."""
    if card.node_id == own_id:
        raise InputError(f"{card.node_id} is this node itself")
    with db.session() as session:
        _check_id_country(session, card)
        if not insert_absent(session, PartnerRow(**asdict(card))):
            row = session.get(PartnerRow, card.node_id)
            assert row is not None
            fields = (*CARD_FIELDS, "retired_keys")
            if all(getattr(row, f) == getattr(card, f) for f in fields):
                return False
            if not replace:
                raise Conflict(
                    f"partner {card.node_id} is already pinned with other keys or endpoint; "
                    "use --replace to re-pin"
                )
            for f in fields:
                setattr(row, f, getattr(card, f))
    logger.info("pinned partner %s (key %s)", card.node_id, card.key_id)
    return True


def _check_id_country(session: Any, card: PartnerCard) -> None:
    """A node's id begins with its country's code (its registry writes are that country's).
    A node an earlier release let choose its id, pinned here before ids began with their
    country, is re-pinned under the id and country it has (rotated keys, a new endpoint): it
    cannot change its id without becoming another node."""
    if card.node_id.startswith(card.country + "-"):
        return
    pinned = session.get(PartnerRow, card.node_id)
    if pinned is None or pinned.country != card.country:
        raise InputError(
            f"node_id {card.node_id!r} is not of country {card.country}: a node's id "
            "begins with its country's code"
        )


def remove_partner(db: Database, node_id: str) -> int:
    """Unpin ``node_id``: its CA is no longer trusted (a running node's next handshake, and
    envelopes on a connection already open, within a second) nor its key or country; the
    messages still queued for it are expired, not retried. What it sent before stays, as
    received. Returns how many queued messages were expired (``NotFound`` if not pinned)."""
    outbox = OutboxRow.__table__  # type: ignore[attr-defined]
    with db.session() as session:
        row = session.get(PartnerRow, node_id)
        if row is None:
            raise NotFound(f"no pinned partner {node_id}")
        session.delete(row)
        expired = session.connection().execute(
            update(outbox)
            .where(outbox.c.peer == node_id, outbox.c.state == "pending")
            .values(state="expired", error=f"partner {node_id} was removed (`partner remove`)")
        )
    logger.info("removed partner %s (%d queued message(s) expired)", node_id, expired.rowcount)
    return int(expired.rowcount)


@dataclass(frozen=True)
class Partner:
    node_id: str
    endpoint: str
    ca_pem: bytes
    verify_key: VerifyKey
    key_id: str
    retired: tuple[RetiredKey, ...] = ()

    @functools.cached_property
    def ca(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.ca_pem)

    def verify_key_for(self, key_id: str, at: dt.datetime) -> VerifyKey:
        """The key that signed as ``key_id``: the pinned one, or one the card retired while
        ``at`` is within its overlap (``RetiredKeyExpired`` after, ``UnknownKey`` if none)."""
        if key_id == self.key_id:
            return self.verify_key
        for old in self.retired:
            if old.key_id != key_id:
                continue
            if at > old.until:
                raise RetiredKeyExpired(
                    f"signer key {key_id!r} of {self.node_id} was retired; its overlap ended "
                    f"{old.to_json()['until']}"
                )
            return VerifyKey(bytes.fromhex(old.verify_key_hex))
        raise UnknownKey(
            f"signer key {key_id[:40]!r} is not pinned for {self.node_id} (pinned "
            f"{self.key_id}: pin its new card with `cusdep partner add --replace`)"
        )


_STALE_SECONDS = 1.0  # a `partner add` on a running node applies within this


class PartnerDirectory:
    """Pinned partners, read from the database and re-read when older than
    ``_STALE_SECONDS``: a partner re-pinned (``partner add --replace``, e.g. after its signing
    key leaked) while the node runs is held to its new key and CA within a second, also on a
    connection opened before (each envelope's signature and the peer's certificate are checked
    against the directory), not only after a restart or a new TLS handshake."""

    def __init__(self, db: Database, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.db = db
        self._monotonic = monotonic
        self._loaded = float("-inf")
        self._partners: dict[str, Partner] = {}
        self._peer_cache: dict[bytes, str | None] = {}
        self.refresh()

    def _current(self) -> dict[str, Partner]:
        if self._monotonic() - self._loaded >= _STALE_SECONDS:
            self.refresh()
        return self._partners

    def refresh(self) -> None:
        with self.db.session() as session:
            rows = list(session.exec(select(PartnerRow)))
        self._partners = {
            r.node_id: Partner(
                r.node_id,
                r.endpoint,
                r.ca_pem.encode(),
                VerifyKey(bytes.fromhex(r.verify_key_hex)),
                r.key_id,
                _pinned_retired(r.retired_keys),
            )
            for r in rows
        }
        self._peer_cache.clear()
        self._loaded = self._monotonic()

    def get(self, node_id: str) -> Partner | None:
        return self._current().get(node_id)

    def require(self, node_id: str) -> Partner:
        partner = self._current().get(node_id)
        if partner is None:
            self.refresh()
            partner = self._partners.get(node_id)
        if partner is None:
            raise NotFound(f"no pinned partner {node_id}: run `cusdep partner add` first")
        return partner

    def all(self) -> list[Partner]:
        return list(self._current().values())

    def trust_roots(self) -> bytes:
        return b"".join(p.ca_pem for p in self._current().values())

    def identify(self, cert_pem: bytes) -> str | None:
        """The partner whose pinned CA issued this client certificate and whose SAN it has."""
        self._current()
        key = hashlib.sha256(cert_pem).digest()
        if key not in self._peer_cache:
            self._peer_cache[key] = self._identify(cert_pem)
        return self._peer_cache[key]

    def _identify(self, cert_pem: bytes) -> str | None:
        try:
            cert = x509.load_pem_x509_certificate(cert_pem)
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = set(san.get_values_for_type(x509.DNSName))
        except (ValueError, x509.ExtensionNotFound):
            return None
        for partner in self._partners.values():
            if tls_server_name(partner.node_id) not in names:
                continue
            try:
                cert.verify_directly_issued_by(partner.ca)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return partner.node_id
        return None


def _pinned_retired(text: str) -> tuple[RetiredKey, ...]:
    return tuple(
        RetiredKey(i["key_id"], i["verify_key_hex"], dt.datetime.fromisoformat(i["until"]))
        for i in json.loads(text or "[]")
    )


def check_receipt(partner: Partner, receipt: pb.Receipt, expected_digest: bytes) -> None:
    """A partner's receipt for our envelope of ``expected_digest``, signed by its pinned key or
    one its card retired, within the overlap (``BadSignature``, ``UnknownSender`` otherwise)."""
    key = partner.verify_key_for(receipt.signer_key_id, dt.datetime.now(dt.UTC))
    verify_receipt(receipt, key, expected_digest=expected_digest)
