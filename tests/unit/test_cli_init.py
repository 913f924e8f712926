from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from node.cli import main
from node.config import load_settings
from node.errors import ConfigError


def test_init_writes_config_and_keys(home: Path, capsys) -> None:
    code = main(
        ["init", "--country", "cn", "--name", "Shanghai Customs", "--rpc-url", "http://127.0.0.1:1"]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["node_id"] == "CN-SHA"
    settings = load_settings(home)
    assert settings.node.country == "CN"
    assert (home / "keys" / "signing.key").stat().st_mode & 0o777 == 0o600
    assert (home / "keys" / "ca.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE")


def test_init_twice_is_a_conflict(home: Path, capsys) -> None:
    assert (
        main(["init", "--country", "AU", "--name", "Sydney", "--rpc-url", "http://127.0.0.1:1"])
        == 0
    )
    capsys.readouterr()
    assert (
        main(["init", "--country", "AU", "--name", "Sydney", "--rpc-url", "http://127.0.0.1:1"])
        == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already holds node AU-SYD" in err[0]


def test_bad_country_is_exit_2_one_line(home: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "node", "init", "--country", "CHN", "--name", "x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "alpha-2" in proc.stderr
    assert not (home / "config.toml").exists()


def test_usage_error_is_exit_2_one_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "node", "init", "--bogus"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


def test_environment_overrides_the_config_file(home: Path, monkeypatch) -> None:
    assert (
        main(
            [
                "init",
                "--country",
                "NZ",
                "--name",
                "Wellington",
                "--rpc-url",
                "http://127.0.0.1:1",
                "--api-port",
                "18080",
            ]
        )
        == 0
    )
    assert load_settings(home).api.port == 18080
    monkeypatch.setenv("CUSDEP_API__PORT", "19090")
    monkeypatch.setenv("CUSDEP_ANCHORING__BATCH_MAX", "7")
    settings = load_settings(home)
    assert settings.api.port == 19090 and settings.anchoring.batch_max == 7
    assert settings.node.id == "NZ-WEL" and settings.api.host == "127.0.0.1"  # rest from file


@pytest.mark.parametrize(
    ("value", "expected"),
    [("AU", ["AU"]), ("au, nz", ["AU", "NZ"]), ('["AU", "NZ"]', ["AU", "NZ"]), ("", [])],
)
def test_trusted_registrars_from_the_environment(home: Path, monkeypatch, value, expected) -> None:
    monkeypatch.setenv("CUSDEP_CHAIN__TRUSTED_REGISTRARS", value)
    assert load_settings(home, require_init=False).chain.trusted_registrars == expected


@pytest.mark.parametrize("value", ["AUS", "[AU", "AU,1Z"])
def test_a_bad_setting_names_itself_in_one_line(home: Path, monkeypatch, capsys, value) -> None:
    monkeypatch.setenv("CUSDEP_CHAIN__TRUSTED_REGISTRARS", value)
    assert main(["trace", "00" * 32]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "chain.trusted_registrars" in err[0] and "$CUSDEP_CHAIN__TRUSTED_REGISTRARS" in err[0]


def test_a_port_chosen_for_a_listener_lies_below_the_range_for_outgoing_connections():
    """A node binds the port ``init`` chose only when it starts; an ephemeral port can be taken
    in between by any client's outgoing connection (an exchange test's node failed to bind
    36405 so), one below that range only by another listener."""
    import socket

    from node.netports import _ephemeral_low, free_port

    low = _ephemeral_low()
    ports = {free_port() for _ in range(20)}
    assert all(20000 <= p < min(low, 32768) for p in ports)
    port = ports.pop()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))  # free when chosen, so bindable now
        assert free_port(port) != port  # taken: another one


def test_a_process_never_hands_out_one_port_twice():
    """Each port is bound only when its node starts: two nodes initialised one after the other
    drew the same port (mktemp clone, test_kill9_sender_during_streams: 'Address already in
    use' on the sender's first start). Without the record, 400 random draws from the 12,768
    ports would repeat one in about 998 runs of 1,000."""
    from node.netports import free_port

    ports = [free_port() for _ in range(400)]
    assert len(set(ports)) == len(ports)
    preferred = free_port(50051)
    assert free_port(preferred) != preferred  # a preferred port already handed out: another


def test_processes_side_by_side_draw_ports_from_their_own_slice(monkeypatch):
    """A test run's workers each choose ports from their own slice (``CUSDEP_PORT_RANGE``, set
    by tests/conftest.py): a port one worker chose and had not bound yet was free to the other,
    and two nodes were configured with 29687 (mktemp clone, test_cli_partner_send_...)."""
    import pytest

    from node.errors import InputError
    from node.netports import free_port

    monkeypatch.setenv("CUSDEP_PORT_RANGE", "24000-24100")
    assert all(24000 <= free_port() < 24100 for _ in range(20))
    for bad in ("24000", "x-y", "90-100", "25000-24000"):
        monkeypatch.setenv("CUSDEP_PORT_RANGE", bad)
        with pytest.raises(InputError, match="CUSDEP_PORT_RANGE"):
            free_port()


@pytest.mark.parametrize(
    ("option", "value"),
    [("--grpc-port", "70000"), ("--api-port", "-5"), ("--api-port", "65536")],
)
def test_init_refuses_a_port_out_of_range(home: Path, capsys, option: str, value: str) -> None:
    """``init --grpc-port 70000`` was accepted and ``node run`` then died in ``bind()`` with a
    37-line OverflowError traceback."""
    argv = ["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:1"]
    assert main([*argv, option, value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert option in err[0] and "0-65535" in err[0] and value in err[0]
    assert not (home / "config.toml").exists()


def test_init_with_port_0_chooses_a_free_one(home: Path, capsys) -> None:
    argv = ["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:1"]
    assert main([*argv, "--grpc-port", "0", "--api-port", "0"]) == 0
    settings = load_settings(home)
    assert 0 < settings.exchange.grpc_port <= 65535 and 0 < settings.api.port <= 65535


@pytest.mark.parametrize(
    ("section", "key"), [("api", "port"), ("exchange", "grpc_port"), ("chain", "embedded_port")]
)
def test_a_port_out_of_range_in_the_config_file_is_one_line(
    home: Path, capsys, section: str, key: str
) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'[node]\nid = "CN-X"\ncountry = "CN"\nname = "X"\n\n[{section}]\n{key} = 99999\n',
        encoding="utf-8",
    )
    assert main(["node", "run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"{section}.{key}" in err[0] and str(home / "config.toml") in err[0]
    assert "65535" in err[0]


def test_port_0_in_the_environment_still_means_any_free_port(home: Path, monkeypatch) -> None:
    monkeypatch.setenv("CUSDEP_API__PORT", "0")
    monkeypatch.setenv("CUSDEP_EXCHANGE__GRPC_PORT", "0")
    settings = load_settings(home, require_init=False)
    assert settings.api.port == 0 and settings.exchange.grpc_port == 0


@pytest.mark.parametrize("port", [-1, 65536, 99999])
def test_listening_socket_refuses_a_port_out_of_range_as_an_os_error(port: int) -> None:
    """``socket.bind`` raises OverflowError there, which the servers' ``except OSError`` (the
    one that turns a busy port into a one-line ConfigError) let through."""
    from node.netports import listening_socket

    with pytest.raises(OSError, match="0-65535"):
        listening_socket("127.0.0.1", port)


def test_a_storage_url_in_a_missing_directory_is_one_line(
    home: Path, capsys, monkeypatch, tmp_path: Path
) -> None:
    """A typo in ``storage.url`` created the directories and started an empty database."""
    argv = ["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:1"]
    assert main(argv) == 0
    capsys.readouterr()
    missing = tmp_path / "no" / "such" / "dir"
    monkeypatch.setenv("CUSDEP_STORAGE__URL", f"sqlite:///{missing}/x.db")
    assert main(["registry", "list"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(missing) in err[0] and "does not exist" in err[0]
    assert not (tmp_path / "no").exists()


def test_home_may_follow_the_command(tmp_path: Path, capsys, monkeypatch) -> None:
    """`cusdep registry list --home X` was "unrecognized arguments"."""
    monkeypatch.setenv("CUSDEP_HOME", str(tmp_path / "elsewhere"))
    home = tmp_path / "here"
    argv = ["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:1"]
    assert main([*argv, "--home", str(home)]) == 0
    assert (home / "config.toml").exists() and not (tmp_path / "elsewhere").exists()
    capsys.readouterr()
    assert main(["registry", "list", "--home", str(home), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_what_a_node_writes_is_its_users_alone(tmp_path: Path) -> None:
    """The database, documents and quarantine followed the umask (0644): other local users
    could read certificates, envelopes and token hashes."""
    import subprocess
    import sys

    home = tmp_path / "home"
    argv = ["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:1"]
    done = subprocess.run(
        [sys.executable, "-m", "node", "--home", str(home), *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "CUSDEP_HOME": str(home)},
    )
    assert done.returncode == 0, done.stderr
    modes = {p.name: p.stat().st_mode & 0o777 for p in [home, *home.iterdir()]}
    assert modes["home"] == 0o700 and modes["cusdep.db"] == 0o600
    assert all(mode & 0o077 == 0 for mode in modes.values()), modes


def _config_with(home: Path, extra: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(f'[node]\nid = "CN-X"\ncountry = "CN"\nname = "X"\n\n{extra}\n', "utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "named", "known"),
    [
        ("[exchagne]\npoll_seconds = 1.0", "unknown setting exchagne ", "exchange, api"),
        ("[exchange]\npol_seconds = 1.0", "unknown setting exchange.pol_seconds ", "poll_seconds"),
        ("name2 = 'X'", "unknown setting node.name2 ", "id, country, name"),  # in [node]
    ],
)
def test_a_misspelt_section_or_key_in_the_config_file_is_one_line(
    home: Path, capsys, extra: str, named: str, known: str
) -> None:
    """A typo was ignored: the node ran on the default while its operator thought it changed."""
    path = _config_with(home, extra)
    assert main(["messages", "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert named in err[0] and str(path) in err[0] and known in err[0]


@pytest.mark.parametrize(
    ("variable", "known"),
    [
        ("CUSDEP_EXCHANGE__POL_SECONDS", "poll_seconds"),
        # a misspelt section was ignored: the environment source reads known sections only
        ("CUSDEP_EXCHAGNE__POLL_SECONDS", "exchange, api"),
    ],
)
def test_a_misspelt_key_or_section_in_the_environment_is_one_line(
    home: Path, capsys, monkeypatch, variable: str, known: str
) -> None:
    _config_with(home, "")
    monkeypatch.setenv(variable, "1")
    assert main(["messages", "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"${variable}" in err[0] and known in err[0]


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("verification", "max_pages", "0"),
        ("verification", "max_bytes", "-1"),
        ("verification", "max_pixels", "0"),
        ("chain", "receipt_timeout", "-5.0"),
        ("chain", "state_interval", "0"),
        ("chain", "chain_id", "0"),
    ],
)
def test_a_setting_out_of_its_range_is_one_line(
    home: Path, capsys, section: str, key: str, value: str
) -> None:
    path = _config_with(home, f"[{section}]\n{key} = {value}")
    assert main(["messages", "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"setting {section}.{key} ({path} or $CUSDEP_" in err[0] and "than" in err[0]


# ---- settings the node cannot run with are refused where they load (audit) -------------------
@pytest.mark.parametrize(
    ("extra", "named", "said"),
    [
        ('[api]\nport = "8080"', "api.port", "got '8080'"),  # a string: was taken as 8080
        ("[verification]\nmax_pages = true", "verification.max_pages", "got True"),  # was 1
        ("[verification]\nmax_render_seconds = inf", "verification.max_render_seconds", "finite"),
        ("[verification]\nmax_render_seconds = 1e300", "verification.max_render_seconds", "3600"),
        ("[verification]\nmax_bytes = 99999999999999999999999", "verification.max_bytes", "2147"),
        ("[exchange]\nretry_max_seconds = nan", "exchange.retry_max_seconds", "finite"),
        ('[chain]\nanchor_contract = "0xnothex"', "chain.anchor_contract", "40 hex digits"),
        (
            '[chain]\nregistry_contract = "0x5FbDB2315678afecb367f032d93F642f64180aa4"',
            "chain.registry_contract",
            "checksum",
        ),
        ('[chain]\nrpc_url = "notaurl"', "chain.rpc_url", "http://"),
    ],
)
def test_a_setting_the_node_cannot_run_with_is_one_line(
    home: Path, capsys, extra: str, named: str, said: str
) -> None:
    path = _config_with(home, extra)
    assert main(["messages", "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"setting {named} ({path} or $CUSDEP_" in err[0] and said in err[0], err[0]


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("CUSDEP_EXCHANGE__RETRY_MAX_SECONDS", "inf", "finite"),
        ("CUSDEP_VERIFICATION__MAX_RENDER_SECONDS", "inf", "finite"),
        ("CUSDEP_VERIFICATION__MAX_RENDER_SECONDS", "1e300", "3600"),
        ("CUSDEP_VERIFICATION__MAX_PAGES", "true", "integer"),
    ],
)
def test_a_bad_number_in_the_environment_is_one_line(
    home: Path, monkeypatch, variable: str, value: str, said: str
) -> None:
    _config_with(home, "")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=said):
        load_settings(home)


def test_numbers_in_the_environment_are_still_text_to_parse(home: Path, monkeypatch) -> None:
    _config_with(home, "[chain]\nreceipt_timeout = 30\n")  # an integer where a float goes: fine
    monkeypatch.setenv("CUSDEP_API__PORT", "8081")
    monkeypatch.setenv("CUSDEP_VERIFICATION__MAX_RENDER_SECONDS", "12.5")
    settings = load_settings(home)
    assert settings.api.port == 8081 and settings.verification.max_render_seconds == 12.5
    assert settings.chain.receipt_timeout == 30.0


def test_a_checksummed_or_one_case_address_is_taken(home: Path) -> None:
    good = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    _config_with(home, f'[chain]\nanchor_contract = "{good}"\nregistry_contract = "{good.lower()}"')
    chain = load_settings(home).chain
    assert chain.anchor_contract == good and chain.registry_contract == good.lower()


def test_one_port_for_both_listeners_is_refused(home: Path, capsys) -> None:
    path = _config_with(home, "[api]\nport = 50071\n[exchange]\ngrpc_port = 50071")
    assert main(["messages", "--json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0] and "both 50071" in err[0]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--rpc-url", "notaurl"], "--rpc-url must be an http://"),
        (["--rpc-url", "http://127.0.0.1:1", "--grpc-port", "50071", "--api-port", "50071"],
         "--grpc-port and --api-port are both 50071"),
        (["--rpc-url", "http://127.0.0.1:1", "--anchor-contract", "0x01"], "40 hex digits"),
        (["--rpc-url", "http://127.0.0.1:1", "--id", "AU-CAN"],
         "must begin with the country's code: CN-"),
    ],
)  # fmt: skip
def test_init_refuses_settings_the_node_cannot_run_with(
    home: Path, capsys, args: list[str], said: str
) -> None:
    assert main(["init", "--country", "CN", "--name", "X", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0], err
    assert not home.exists() or not any(home.iterdir())


def test_init_never_gives_its_grpc_the_api_port_named(home: Path, capsys) -> None:
    # a port named on the command line is free until the node binds it: the other listener
    # prefers the same one (gRPC's default, 50051) and was handed it (where 50051 is taken
    # already, gRPC is handed another one anyway, and this holds as well)
    argv = ["init", "--country", "CN", "--name", "X", "--rpc-url", "http://127.0.0.1:1"]
    assert main([*argv, "--api-port", "50051"]) == 0, capsys.readouterr().err
    settings = load_settings(home)
    assert settings.api.port == 50051 and settings.exchange.grpc_port != 50051


def test_a_home_that_is_a_file_is_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    home = tmp_path / "home-file"
    home.write_text("not a directory")
    monkeypatch.setenv("CUSDEP_HOME", str(home))
    assert main(["init", "--country", "CN", "--name", "X", "--rpc-url", "http://x:1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not a directory" in err[0]
    assert home.read_text() == "not a directory"


def test_an_init_whose_chain_cannot_be_prepared_leaves_nothing_half_made(
    home: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded anvil missing (a fuzzing audit: the next `init` said the home "already
    holds node", with no chain behind it; a CUSDEP_ANVIL naming no file was a traceback)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('[storage]\nurl = ""\n')  # an operator's, kept as it was
    monkeypatch.setenv("CUSDEP_ANVIL", str(home / "no-such-anvil"))
    assert main(["init", "--country", "NZ", "--name", "Auckland"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "CUSDEP_ANVIL=" in err[0] and "not an executable" in err[0]
    assert sorted(p.name for p in home.iterdir()) == ["config.toml"]
    assert (home / "config.toml").read_text() == '[storage]\nurl = ""\n'
    monkeypatch.delenv("CUSDEP_ANVIL")
    args = ["init", "--country", "NZ", "--name", "Auckland", "--rpc-url", "http://127.0.0.1:1"]
    assert main(args) == 0  # afresh
    assert load_settings(home).node.id == "NZ-AUC"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Izmir\nINFO forged line", "U+000A"),
        ("Izmir\x00", "U+0000"),
        ("Izmir \udcff", "not UTF-8"),  # an argument whose bytes were not UTF-8
        ("I" * 201, "at most 200"),
    ],
)
def test_init_refuses_a_name_that_is_not_one_line_of_text(
    home: Path, capsys, name: str, why: str
) -> None:
    """A newline in --name made a config.toml no later command could read (invalid TOML), and
    bytes that were not UTF-8 a traceback: now exit 2, one line, nothing written."""
    argv = ["init", "--country", "TR", "--name", name, "--rpc-url", "http://127.0.0.1:1"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--name" in err[0] and why in err[0]
    assert not (home / "config.toml").exists()


def test_a_name_in_any_script_is_written_and_read_back_as_given(home: Path, capsys) -> None:
    name = 'İzmir Gümrüğü "Müdürlüğü" \\ 上海海关 تونس Hải Phòng \u202e'
    argv = ["init", "--country", "TR", "--id", "TR-IZM", "--name", name]
    assert main([*argv, "--rpc-url", "http://127.0.0.1:1"]) == 0
    assert load_settings(home).node.name == name


def test_a_control_character_in_a_setting_is_written_escaped(home: Path, monkeypatch) -> None:
    """Whatever a setting holds (the environment's too), config.toml stays TOML."""
    from node.config import write_settings

    assert (
        main(["init", "--country", "TR", "--name", "Izmir", "--rpc-url", "http://127.0.0.1:1"]) == 0
    )
    monkeypatch.setenv("CUSDEP_NODE__NAME", 'Izmir\n"x"\\\x7f\t')
    write_settings(load_settings(home))
    monkeypatch.delenv("CUSDEP_NODE__NAME")
    assert load_settings(home).node.name == 'Izmir\n"x"\\\x7f\t'
