"""The embedded development chain: an anvil process owned by a node home.

anvil runs under ``$CUSDEP_HOME/chain/`` with its state persisted (``--state FILE
--state-interval N``) and is stopped with SIGTERM so it dumps state on exit. It runs in its own
session so a node killed with SIGKILL leaves it behind; the next start finds it through the
pid file and reuses it when it answers, or replaces it when it does not.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from node.config import record_setting
from node.errors import ChainUnavailable, ConfigError
from node.netports import free_port
from node.processes import alive

if TYPE_CHECKING:
    from node.config import Settings

logger = logging.getLogger(__name__)

CHAIN_DIR = "chain"
_MOVES = 3  # free ports tried when the configured one is taken (each can be lost to a race)
_REPO_TOOLS = Path(__file__).resolve().parents[2] / "tools" / "bin"


def anvil_binary() -> str:
    env = os.environ.get("CUSDEP_ANVIL")
    if env:
        if not (os.path.isfile(env) and os.access(env, os.X_OK)):
            raise ConfigError(f"CUSDEP_ANVIL={env} is not an executable file (the anvil binary)")
        return env
    bundled = _REPO_TOOLS / "anvil"
    if bundled.exists():
        return str(bundled)
    found = shutil.which("anvil")
    if found:
        return found
    raise ConfigError("anvil not found: run `make setup` (npm @foundry-rs/anvil-linux-amd64)")


def rpc_call(
    url: str, method: str, params: list[object] | None = None, timeout: float = 2.0
) -> object:
    """A minimal synchronous JSON-RPC call, for liveness checks outside an event loop."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
    req = urllib.request.Request(url, body.encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (loopback URL)
        payload = json.loads(resp.read())
    if "error" in payload:
        raise ChainUnavailable(f"{method}: {payload['error'].get('message')}")
    return payload.get("result")


class PortTaken(ChainUnavailable):
    """The embedded anvil's port answers for another process."""


def _answers(url: str) -> bool:
    try:
        rpc_call(url, "eth_chainId", timeout=1.0)
        return True
    except (OSError, urllib.error.URLError, ValueError, ChainUnavailable):
        return False


def _listens(pid: int, port: int) -> bool | None:
    """Whether process ``pid`` (or a process it started) holds the TCP socket listening on
    ``port``; None where that cannot be told (no ``/proc``, or the listener not found)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    tree = {pid} | _descendants(pid)
    for each in tree:
        try:
            links = [os.readlink(f"/proc/{each}/fd/{fd}") for fd in os.listdir(f"/proc/{each}/fd")]
        except OSError:
            continue
        if any(link in inodes for link in links):
            return True
    return False


def _listening_inodes(port: int) -> set[str]:
    """``socket:[inode]`` of the TCP sockets listening on ``port`` (``/proc/net/tcp*``)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if len(cols) > 9 and cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                found.add(f"socket:[{cols[9]}]")
    return found


def _descendants(pid: int) -> set[int]:
    """The processes ``pid`` started, and theirs (``/proc/*/stat``'s parent ids)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = [pid]
    while frontier:
        here = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == here]
        frontier.extend(k for k in kids if k not in found)
        found.update(kids)
    return found


class EmbeddedAnvil:
    """Start, reuse or replace the home's anvil; the last user to ``stop()`` stops it.

    Every user (a running node, a one-shot CLI command) holds a shared ``flock`` on
    ``chain/anvil.lock`` between ``ensure()`` and ``stop()``. ``stop()`` stops anvil only if it
    can then take that lock exclusively, i.e. nobody else is using it. Starting happens under a
    second, exclusive lock (``anvil.start.lock``), so two commands never start two anvils.
    """

    def __init__(
        self,
        home: Path,
        port: int,
        *,
        chain_id: int = 31337,
        state_interval: int = 1,
        on_move: Callable[[int], None] | None = None,
    ):
        self.dir = home / CHAIN_DIR
        self.port = port
        self.chain_id = chain_id
        self.state_interval = state_interval
        self._on_move = on_move
        self._started = False
        self._lock_fd: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def lock_file(self) -> Path:
        return self.dir / "anvil.lock"

    def _lock(self, mode: int) -> None:
        if self._lock_fd is None:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, mode)

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing releases the lock
            self._lock_fd = None

    @property
    def pid_file(self) -> Path:
        return self.dir / "anvil.pid"

    @property
    def state_file(self) -> Path:
        return self.dir / "state.json"

    def running_pid(self) -> int | None:
        return self._running()[0]

    def _running(self) -> tuple[int | None, int]:
        """The home's anvil's pid if it is alive, and the port it was started on (the pid
        file holds "PID PORT"; a file from before ports moved holds only the pid)."""
        try:
            fields = self.pid_file.read_text().split()
            pid, port = int(fields[0]), int(fields[1]) if len(fields) > 1 else self.port
        except (FileNotFoundError, ValueError, IndexError):
            return None, self.port
        return (pid if alive(pid) else None), port

    def ensure(self, timeout: float = 20.0) -> str:
        """Make sure the home's anvil answers on its port; returns the RPC URL."""
        self._lock(fcntl.LOCK_SH)  # we are a user now (waits while a last user is stopping it)
        self.dir.mkdir(parents=True, exist_ok=True)
        start_fd = os.open(self.dir / "anvil.start.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(start_fd, fcntl.LOCK_EX)  # one starter at a time
            return self._ensure(timeout)
        finally:
            os.close(start_fd)

    def _ensure(self, timeout: float) -> str:
        pid, port = self._running()
        if pid is not None and not self._keeps_our_state(pid):
            # the home was moved (or copied) while its anvil ran: that anvil keeps the old
            # place's state file, and what it mined here would be lost with it
            logger.warning("embedded anvil pid %s keeps another home's state: replacing it", pid)
            self._kill(pid)
            pid = None
        if pid is not None and port != self.port:
            self._move(port, "another command of this home moved it there")
        if pid is not None and _answers(self.url):
            logger.info("reusing embedded anvil pid %s on %s", pid, self.url)
            return self.url
        if pid is not None:
            logger.warning("embedded anvil pid %s does not answer: replacing it", pid)
            self._kill(pid)
        for attempt in range(_MOVES + 1):
            try:
                return self._start_here(timeout)
            except PortTaken:
                if self._on_move is None or attempt == _MOVES:
                    raise
                self._move(free_port(), f"port {self.port} is taken by another process")
        raise AssertionError("unreachable")

    def _keeps_our_state(self, pid: int) -> bool:
        """Whether anvil ``pid`` dumps its state into this home's state file (its command
        line's ``--state``); True where that cannot be read (not Linux)."""
        try:
            args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return True
        if b"--state" not in args or args.index(b"--state") + 1 >= len(args):
            return True
        state = Path(os.fsdecode(args[args.index(b"--state") + 1]))
        if not state.is_absolute():  # relative to where that anvil was started
            try:
                state = Path(os.readlink(f"/proc/{pid}/cwd")) / state
            except OSError:
                return True
        return state.resolve() == self.state_file.resolve()

    def _start_here(self, timeout: float) -> str:
        if _answers(self.url):
            raise PortTaken(
                f"port {self.port} is taken by another process: set chain.embedded_port in config"
            )
        self._spawn()
        self._wait_ready(timeout)
        self._started = True
        return self.url

    def _move(self, port: int, why: str) -> None:
        logger.warning("embedded anvil moves from port %s to %s: %s", self.port, port, why)
        self.port = port
        if self._on_move is not None:
            self._on_move(port)

    def _spawn(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        log = open(self.dir / "anvil.log", "ab")  # noqa: SIM115 (handed to the child)
        cmd = [
            anvil_binary(),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--state",
            str(self.state_file),
            "--state-interval",
            str(self.state_interval),
            "--silent",
        ]
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
        )
        log.close()
        self.pid_file.write_text(f"{proc.pid} {self.port}")
        self._proc = proc
        logger.info("started embedded anvil pid %s on %s", proc.pid, self.url)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        delay = 0.02
        while time.monotonic() < deadline:
            if _answers(self.url):
                if _listens(self._proc.pid, self.port) is False:
                    # another home's anvil bound the port between our check and our start
                    # (two nodes initialised at once): it answers, ours cannot bind
                    self._kill(self._proc.pid)
                    raise PortTaken(f"port {self.port} was taken by another process")
                return
            if self._proc.poll() is not None:
                tail = (self.dir / "anvil.log").read_text(errors="replace")[-300:]
                # another process bound the port first (it may not answer RPC yet)
                if _answers(self.url) or "Address already in use" in tail:
                    raise PortTaken(f"port {self.port} was taken by another process")
                raise ChainUnavailable(
                    f"embedded anvil exited with {self._proc.returncode}: {tail}"
                )
            time.sleep(delay)  # waiting for an external process to open its port
            delay = min(delay * 2, 0.2)
        raise ChainUnavailable(f"embedded anvil did not answer on {self.url} within {timeout}s")

    def stop(self, timeout: float = 10.0) -> None:
        """Leave; SIGTERM anvil (it dumps its state) if no other user holds it."""
        if self._lock_fd is None:
            return
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logger.info("embedded anvil still in use by another process: left running")
        else:
            pid = self.running_pid()
            if pid is not None:
                self._kill(pid, timeout)
        finally:
            self._unlock()
            self._started = False

    def _kill(self, pid: int, timeout: float = 10.0) -> None:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.pid == pid:
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        else:
            deadline = time.monotonic() + timeout
            while alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)  # not our child: poll until it exits
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)


def embedded_anvil(settings: Settings) -> EmbeddedAnvil | None:
    if settings.chain.rpc_url:
        return None
    if not settings.chain.embedded_port:
        raise ConfigError("chain.embedded_port is not set in config.toml")

    def record(port: int) -> None:
        settings.chain.embedded_port = port
        record_setting(settings.home, "chain", "embedded_port", port)

    return EmbeddedAnvil(
        settings.home,
        settings.chain.embedded_port,
        chain_id=settings.chain.chain_id,
        state_interval=settings.chain.state_interval,
        on_move=record,
    )
