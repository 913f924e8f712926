"""Typed settings: ``$CUSDEP_HOME/config.toml`` overridden by ``CUSDEP_*`` environment variables.

Nested sections use ``__`` in variable names, e.g. ``CUSDEP_CHAIN__RPC_URL``. Settings are built
once (``load_settings``) and passed down; nothing imports a global settings object.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from node.errors import ConfigError, NotInitialised

if TYPE_CHECKING:
    from verification.intake import IntakeLimits

CONFIG_FILE = "config.toml"


def default_home() -> Path:
    return Path(os.environ.get("CUSDEP_HOME") or Path.home() / ".cusdep").expanduser()


PORT_RANGE = (0, 65535)  # 0: the OS picks a free port when the listener binds (tests use it)
# A TCP port, checked where the settings load: a bad one in config.toml is a one-line
# ``ConfigError`` naming file and key, not an ``OverflowError`` from ``bind()`` at start.
Port = Annotated[int, Field(ge=PORT_RANGE[0], le=PORT_RANGE[1])]


# Upper bounds of the numbers below: past them a value is no longer a setting but a crash
# where it is used (``timedelta``/``sleep``/``read``/``setrlimit`` overflow, gRPC's int32).
HOUR, DAY = 3600, 86400
INT32_MAX = 2**31 - 1


def check_address(value: str, what: str) -> str:
    """A contract address: empty (none yet), or ``0x`` and 40 hex digits, in one case or
    EIP-55 checksummed; ``ValueError`` naming ``what`` otherwise."""
    v = value.strip()
    digits = v[2:]
    if v and not (v.startswith("0x") and len(digits) == 40 and all(c in _HEX for c in digits)):
        raise ValueError(f"{what} must be 0x and 40 hex digits, got {value!r}")
    if digits.lower() != digits and digits.upper() != digits:  # mixed case: a checksum
        from node.chain.abi_lite import checksum_address

        if checksum_address(v) != v:
            raise ValueError(f"{what} {value!r} has a wrong EIP-55 checksum (a typo?)")
    return v


def check_rpc_url(value: str, what: str) -> str:
    """An EVM JSON-RPC URL: empty (the embedded chain), or http(s)/ws(s) with a host."""
    from urllib.parse import urlsplit

    v = value.strip()
    if not v:
        return v
    try:
        parts = urlsplit(v)
        parts.port  # noqa: B018 - raises on a port that is not a number or out of range
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in _RPC_SCHEMES or not parts.hostname:
        raise ValueError(f"{what} must be an http://, https://, ws:// or wss:// URL, got {value!r}")
    return v


_HEX = frozenset("0123456789abcdefABCDEF")
_RPC_SCHEMES = ("http", "https", "ws", "wss")


def _alpha2(value: str) -> str:
    if value and (len(value) != 2 or not value.isalpha()):
        raise ValueError(f"country must be an ISO 3166 alpha-2 code, got {value!r}")
    return value.upper()


class _Section(BaseModel):
    """A ``[section]`` of config.toml: a key it does not have (a typo) is an error, not ignored."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class NodeIdentity(_Section):
    id: str = ""
    country: str = ""
    name: str = ""

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return _alpha2(value)


class ChainSettings(_Section):
    rpc_url: str = Field("", description="EVM JSON-RPC URL; empty = embedded anvil under home")
    embedded_port: Port = Field(
        0, description="port of the embedded anvil (chosen at init; moved if another takes it)"
    )
    chain_id: int = Field(31337, ge=1, le=2**53 - 1)
    anchor_contract: str = ""
    registry_contract: str = ""
    trusted_registrars: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="countries whose registry records verification trusts besides our own "
        '(environment: "AU,NZ" or a JSON list)',
    )
    state_interval: int = Field(
        1, ge=1, le=HOUR, description="seconds between embedded anvil state dumps"
    )
    receipt_timeout: float = Field(30.0, gt=0, le=HOUR)

    @field_validator("rpc_url")
    @classmethod
    def _rpc_url(cls, value: str) -> str:
        return check_rpc_url(value, "an RPC URL")

    @field_validator("anchor_contract", "registry_contract")
    @classmethod
    def _address(cls, value: str) -> str:
        return check_address(value, "a contract address")

    @field_validator("trusted_registrars", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        """A list (config.toml) or, from the environment, "AU,NZ" or '["AU", "NZ"]'."""
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]

    @field_validator("trusted_registrars")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        return [_alpha2(c) for c in value]


class ExchangeSettings(_Section):
    host: str = Field("127.0.0.1", description="address the gRPC server binds (0.0.0.0: all)")
    grpc_port: Port = Field(50051, description="0-65535; 0 = any free port")
    advertise: str = Field(
        "",
        description="HOST:PORT partners dial, in the card `partner export` writes "
        "(behind NAT, a load balancer or a bind to 0.0.0.0); empty = host:grpc_port",
    )
    max_message_bytes: int = Field(
        8 * 1024 * 1024, ge=1024, le=INT32_MAX, description="largest envelope"
    )
    quarantine_max_bytes: int = Field(
        256 * 1024 * 1024,
        ge=0,
        le=2**50,
        description="refused envelopes' bytes kept in home/quarantine at most (audit rows always)",
    )
    refusal_burst: int = Field(
        2048,
        ge=1,
        le=INT32_MAX,
        description="refused envelopes a partner may cost at once before its deliveries are "
        "refused whole for a while (each refusal is an audit row)",
    )
    refusals_per_minute: int = Field(
        600, ge=1, le=INT32_MAX, description="refusals a partner's budget regains per minute"
    )
    clock_skew_seconds: int = Field(
        300, ge=0, le=DAY, description="how far created-at may be ahead"
    )
    max_age_seconds: int = Field(
        7 * DAY,
        ge=60,
        le=365 * DAY,
        description="oldest created-at accepted (retries after an outage)",
    )
    batch_max: int = Field(256, ge=1, le=100_000, description="envelopes per streamed frame")
    window_frames: int = Field(4, ge=1, le=1024, description="frames in flight per partner stream")
    retry_base_seconds: float = Field(
        0.2, gt=0, le=HOUR, description="first retry delay (then doubled)"
    )
    retry_max_seconds: float = Field(30.0, gt=0, le=DAY, description="cap of the retry delay")
    poll_seconds: float = Field(0.2, gt=0, le=HOUR, description="outbox poll interval when idle")
    drain_seconds: float = Field(
        10.0, ge=0, le=HOUR, description="grace for in-flight work on stop"
    )


class ApiSettings(_Section):
    host: str = "127.0.0.1"
    port: Port = Field(8080, description="0-65535; 0 = any free port")
    max_json_bytes: int = Field(
        1024 * 1024,
        ge=1024,
        le=INT32_MAX,
        description="largest JSON request body (413 past it; read only after the token is "
        "judged); document uploads have verification.max_bytes, specimen images their own",
    )


class StorageSettings(_Section):
    url: str = Field("", description="SQLAlchemy URL; empty = SQLite file under home")


class AnchoringSettings(_Section):
    batch_max: int = Field(4096, ge=1, le=1_000_000)
    batch_wait_seconds: float = Field(0.5, ge=0, le=HOUR)


class RetentionSettings(_Section):
    documents_days: int = Field(
        0,
        ge=0,
        le=36500,
        description="days after its arrival that a document's bytes, page images, evidence "
        "crops and message payloads are disposed of, once its work is done and no legal hold "
        "keeps it (rows, hashes, proofs and trace kept); 0 = kept for ever",
    )
    interval_seconds: float = Field(
        3600.0, gt=0, le=DAY, description="how often `node run` applies the policy"
    )


class VerificationSettings(_Section):
    max_bytes: int = Field(40 * 1024 * 1024, ge=1, le=INT32_MAX)
    max_pages: int = Field(10, ge=1, le=10_000)
    max_pixels: int = Field(60_000_000, ge=1, le=2**40)
    max_document_pixels: int = Field(150_000_000, ge=1, le=2**42, description="all pages together")
    max_render_bytes: int = Field(
        1024 * 1024 * 1024,
        ge=128 * 1024 * 1024,
        le=2**46,
        description="address space of the child process that opens and renders a PDF "
        "(pdfium); a PDF that needs more is refused",
    )
    max_render_seconds: float = Field(
        10.0,
        gt=0,
        le=HOUR,
        description="a PDF not rendered in this time is refused (its child killed)",
    )
    rules_path: str = Field(
        "", description="rule repository TOML for reviews; empty = the packaged rules.toml"
    )
    establishments_path: str = Field(
        "", description='approved establishments JSON {"AU": [numbers], ...}; empty = none'
    )

    def intake_limits(self) -> IntakeLimits:
        """The limits on a scan (bytes, pages, pixels, a PDF's render memory and time): each
        of ``IntakeLimits``' fields from the setting of its name, so none is left at its
        default."""
        import dataclasses

        from verification.intake import IntakeLimits

        names = [f.name for f in dataclasses.fields(IntakeLimits)]
        return IntakeLimits(**{name: getattr(self, name) for name in names})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CUSDEP_", env_nested_delimiter="__", extra="forbid"
    )

    home: Path = Field(default_factory=default_home)
    node: NodeIdentity = Field(default_factory=NodeIdentity)
    chain: ChainSettings = Field(default_factory=ChainSettings)
    exchange: ExchangeSettings = Field(default_factory=ExchangeSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    anchoring: AnchoringSettings = Field(default_factory=AnchoringSettings)
    verification: VerificationSettings = Field(default_factory=VerificationSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls))

    @model_validator(mode="after")
    def _ports_apart(self) -> Settings:
        """Two listeners of this node on one port: the second could never bind."""
        grpc, api = self.exchange.grpc_port, self.api.port
        if grpc and grpc == api:
            raise ValueError(
                f"exchange.grpc_port and api.port are both {grpc}: give each its own port"
            )
        return self

    @property
    def database_url(self) -> str:
        url = self.storage.url
        if url.startswith("sqlite:///") and not url.endswith(":memory:"):
            where = Path(url.removeprefix("sqlite:///")).parent
            if not where.is_dir():  # a typo would otherwise start an empty database there
                raise ConfigError(f"storage.url names a database in {where}, which does not exist")
        return url or f"sqlite:///{self.home / 'cusdep.db'}"

    @property
    def config_path(self) -> Path:
        return self.home / CONFIG_FILE

    @property
    def initialised(self) -> bool:
        return bool(self.node.id)


_FILE_DATA: ContextVar[dict[str, Any] | None] = ContextVar("cusdep_config_file", default=None)


class _FileSource(PydanticBaseSettingsSource):
    """``config.toml`` as the lowest-priority source: environment variables override it."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return (_FILE_DATA.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_FILE_DATA.get() or {})


def load_settings(home: Path | None = None, *, require_init: bool = True) -> Settings:
    """Read ``config.toml`` from home (if any), then apply ``CUSDEP_*`` overrides."""
    home = (home or default_home()).expanduser().resolve()
    if home.exists() and not home.is_dir():  # every command would fail on it, some with a trace
        raise ConfigError(f"{home} is not a directory: --home or $CUSDEP_HOME must name one")
    data: dict[str, Any] = {}
    path = home / CONFIG_FILE
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path}: invalid TOML") from err
    _check_env_sections(path)
    _check_file_types(data, path)
    token = _FILE_DATA.set(data)
    try:
        settings = Settings(home=home)
    except ValidationError as err:
        raise ConfigError(_invalid(err, path)) from None
    except ValueError as err:  # pydantic-settings could not parse an environment variable
        raise ConfigError(f"{path} or a CUSDEP_* variable: {' '.join(str(err).split())}") from err
    finally:
        _FILE_DATA.reset(token)
    if require_init and not settings.initialised:
        raise NotInitialised(f"no node in {home}: run `cusdep init --country XX --name NAME` first")
    return settings


def _check_file_types(data: dict[str, Any], path: Path) -> None:
    """config.toml's values of the types their settings have: TOML has numbers and booleans
    of its own, so ``port = "8080"`` or ``max_pages = true`` is a mistake, not a number to
    coerce (pydantic takes both). Environment variables are text by nature: they are parsed
    as before ("8080" -> 8080, never "true" -> 1)."""
    for name, values in data.items():
        field = Settings.model_fields.get(name)
        model = field.annotation if field is not None else None
        if not (isinstance(values, dict) and isinstance(model, type)):
            continue  # not a section we know: the whole validation says so
        if not issubclass(model, _Section):
            continue
        try:
            model.model_validate(values, strict=True)
        except ValidationError as err:
            first = err.errors()[0]
            if first["type"] != "extra_forbidden":  # a misspelt key: said below, with the known
                raise ConfigError(_invalid(err, path, prefix=(name,))) from None


def _check_env_sections(path: Path) -> None:
    """A ``CUSDEP_SECTION__KEY`` variable whose section is no section of the settings: the
    environment source reads only the sections it knows, so a misspelt one was ignored and
    the node ran on the default (a misspelt key in a known section already fails)."""
    sections = [name for name in Settings.model_fields if name != "home"]
    for name in sorted(os.environ):
        section, nested, _key = name.removeprefix("CUSDEP_").partition("__")
        if name.startswith("CUSDEP_") and nested and section.lower() not in sections:
            raise ConfigError(
                f"unknown setting {section.lower()} (${name}; {path} is read for the rest); "
                f"known: {', '.join(sections)}"
            )


def _invalid(err: ValidationError, path: Path, prefix: tuple[str, ...] = ()) -> str:
    """One line naming the setting, where it can come from, and what is wrong with it."""
    first = err.errors()[0]
    loc = [*prefix, *(str(part) for part in first["loc"] if not isinstance(part, int))]
    env = "CUSDEP_" + "__".join(part.upper() for part in loc)
    more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
    if not loc:  # settings that do not go together
        return f"{path} or CUSDEP_* variables: {first['msg'].removeprefix('Value error, ')}{more}"
    if first["type"] == "extra_forbidden":
        known = _known(loc[:-1])
        return f"unknown setting {'.'.join(loc)} ({path} or ${env}); known: {known}{more}"
    got = repr(first.get("input"))
    said = first["msg"] if got in first["msg"] or len(got) > 60 else f"{first['msg']}, got {got}"
    return f"setting {'.'.join(loc)} ({path} or ${env}): {said}{more}"


def _known(section: list[str]) -> str:
    """The keys of a section (the sections at the top), for a message about a misspelt one."""
    model: type[BaseModel] = Settings
    for part in section:
        annotation = model.model_fields[part].annotation
        assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
        model = annotation
    return ", ".join(name for name in model.model_fields if name != "home")


def write_settings(settings: Settings) -> None:
    """Persist the file-backed sections to ``config.toml`` atomically."""
    data = settings.model_dump(mode="json", exclude={"home"})
    settings.home.mkdir(parents=True, exist_ok=True)
    _replace(settings.config_path, _to_toml(data))


def record_setting(home: Path, section: str, key: str, value: Any) -> None:
    """Set one key of ``config.toml`` and leave the rest of the file as it is on disk.

    For a value a running command learns (the port its embedded chain moved to): writing the
    whole ``Settings`` would also persist whatever the environment overrides.
    """
    path = home / CONFIG_FILE
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data.setdefault(section, {})[key] = value
    _replace(path, _to_toml(data))


def _replace(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all (a reader never sees half a file)."""
    tmp = path.with_suffix(f".toml.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _to_toml(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for section, values in data.items():
        lines.append(f"[{section}]")
        for key, value in values.items():
            lines.append(f"{key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return f'"{_TOML_ESCAPE.sub(_toml_escape, str(value))}"'


# what a TOML basic string may not hold as itself: the quote, the backslash and the control
# characters (a newline in a value written as itself left a config.toml no command could read)
_TOML_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')


def _toml_escape(m: re.Match[str]) -> str:
    ch = m.group()
    return "\\" + ch if ch in '"\\' else f"\\u{ord(ch):04X}"
