"""Node identity: the Ed25519 signing key (pynacl) and the TLS material (X.509 CA + node cert).

Files under ``$CUSDEP_HOME/keys/`` (private keys 0600):
  signing.key      Ed25519 seed, hex
  ca.pem / ca.key  the node's own CA (ECDSA P-256); partners pin this certificate
  node.pem / node.key   the node's TLS certificate (server and client auth), signed by the CA
  retired.json     public keys replaced by ``rotate_identity``, each with the end of the overlap
                   during which partners still accept it (carried in the partner card, also
                   after it, so partners refuse the key as retired)
  derive.key       the seed ``Identity.derived_key`` is keyed by, once the signing key was
                   rotated (the first signing seed: derived secrets outlive a rotation)

``rotate_identity`` replaces the signing key and the TLS certificate and key; the CA stays, so
partners' pinned trust roots and TLS keep working, and only the card's signing key changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from nacl.signing import SigningKey

from node.errors import NotInitialised

KEYS_DIR = "keys"
RETIRED = "retired.json"
DERIVE = "derive.key"
MAX_RETIRED = 8  # retired keys a card lists (the newest)


@dataclass(frozen=True)
class RetiredKey:
    """A signing key this node replaced: partners accept its signatures until ``until``."""

    key_id: str
    verify_key_hex: str
    until: dt.datetime

    def to_json(self) -> dict[str, str]:
        until = self.until.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"key_id": self.key_id, "verify_key_hex": self.verify_key_hex, "until": until}


@dataclass(frozen=True)
class Identity:
    node_id: str
    signing_key: SigningKey
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes
    retired: tuple[RetiredKey, ...] = ()
    derive_seed: bytes = field(default=b"", repr=False)  # empty: the signing seed

    @property
    def verify_key_hex(self) -> str:
        return bytes(self.signing_key.verify_key).hex()

    @property
    def key_id(self) -> str:
        """Stable id of the signing key: first 16 hex of SHA-256 of the public key."""
        return hashlib.sha256(bytes(self.signing_key.verify_key)).hexdigest()[:16]

    def derived_key(self, purpose: str) -> bytes:
        """A 32-byte secret of this node for ``purpose``: HMAC-SHA256 keyed by the private
        Ed25519 seed over a domain-separated label. The same after every restart, known to no
        one without the seed, and a different key for each purpose (never the seed itself)."""
        label = b"cusdep.identity.v1.derived-key\x00" + purpose.encode()
        seed = self.derive_seed or bytes(self.signing_key)
        return hmac.new(seed, label, hashlib.sha256).digest()


def tls_server_name(node_id: str) -> str:
    """The DNS name in a node certificate's SAN; clients verify the partner against it."""
    return f"{node_id.lower()}.cusdep.node"


def create_identity(home: Path, node_id: str) -> Identity:
    keys = home / KEYS_DIR
    keys.mkdir(parents=True, exist_ok=True)
    os.chmod(keys, 0o700)
    signing = SigningKey.generate()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _ca_certificate(ca_key, node_id)
    node_key = ec.generate_private_key(ec.SECP256R1())
    node_cert = _node_certificate(node_key, ca_key, ca_cert, node_id)
    _write_private(keys / "signing.key", signing.encode().hex().encode())
    _write_private(keys / "ca.key", _key_pem(ca_key))
    _write_private(keys / "node.key", _key_pem(node_key))
    (keys / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (keys / "node.pem").write_bytes(node_cert.public_bytes(serialization.Encoding.PEM))
    return load_identity(home, node_id)


def load_identity(home: Path, node_id: str) -> Identity:
    keys = home / KEYS_DIR
    try:
        seed = bytes.fromhex((keys / "signing.key").read_text().strip())
        return Identity(
            node_id=node_id,
            signing_key=SigningKey(seed),
            ca_pem=(keys / "ca.pem").read_bytes(),
            cert_pem=(keys / "node.pem").read_bytes(),
            key_pem=(keys / "node.key").read_bytes(),
            retired=_read_retired(keys / RETIRED),
            derive_seed=_read_hex(keys / DERIVE),
        )
    except FileNotFoundError as err:
        raise NotInitialised(f"node keys missing in {keys}: run `cusdep init`") from err


def rotate_identity(home: Path, node_id: str, overlap: dt.timedelta) -> Identity:
    """A new signing key and TLS certificate (same CA); the old public key is kept as retired,
    accepted by partners until now + ``overlap``. The caller holds the home lock: no running
    node may sign with the old key meanwhile."""
    keys = home / KEYS_DIR
    old = load_identity(home, node_id)
    now = dt.datetime.now(dt.UTC)
    if not old.derive_seed:  # derived secrets (message ids) stay what they were
        _write_private(keys / DERIVE, bytes(old.signing_key).hex().encode())
    # the card lists retired keys also after their overlap, so partners refuse what they sign
    # as retired (not as unknown), the newest MAX_RETIRED of them
    retired = [r for r in old.retired if r.key_id != old.key_id][-(MAX_RETIRED - 1) :]
    retired.append(RetiredKey(old.key_id, old.verify_key_hex, now + overlap))
    _replace(keys / RETIRED, json.dumps([r.to_json() for r in retired], indent=1).encode())
    ca_key = serialization.load_pem_private_key((keys / "ca.key").read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    ca_cert = x509.load_pem_x509_certificate(old.ca_pem)
    node_key = ec.generate_private_key(ec.SECP256R1())
    node_cert = _node_certificate(node_key, ca_key, ca_cert, node_id)
    _replace(keys / "node.key", _key_pem(node_key))
    _replace(keys / "node.pem", node_cert.public_bytes(serialization.Encoding.PEM))
    _replace(keys / "signing.key", SigningKey.generate().encode().hex().encode())
    return load_identity(home, node_id)


def _read_retired(path: Path) -> tuple[RetiredKey, ...]:
    if not path.exists():
        return ()
    items = json.loads(path.read_text())
    return tuple(
        RetiredKey(
            i["key_id"],
            i["verify_key_hex"],
            dt.datetime.fromisoformat(i["until"]).astimezone(dt.UTC),
        )
        for i in items
    )


def _read_hex(path: Path) -> bytes:
    return bytes.fromhex(path.read_text().strip()) if path.exists() else b""


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (0600, fsynced, renamed over it)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "cusdep"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _validity() -> tuple[dt.datetime, dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    return now - dt.timedelta(days=1), now + dt.timedelta(days=3650)


def _ca_certificate(key: ec.EllipticCurvePrivateKey, node_id: str) -> x509.Certificate:
    start, end = _validity()
    name = _name(f"{node_id} CA")
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )


def _node_certificate(
    key: ec.EllipticCurvePrivateKey,
    ca_key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    node_id: str,
) -> x509.Certificate:
    start, end = _validity()
    san = x509.SubjectAlternativeName(
        [
            x509.DNSName(tls_server_name(node_id)),
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(_name(node_id))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(san, critical=False)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
