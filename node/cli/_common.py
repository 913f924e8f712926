"""Helpers shared by command modules: settings from ``--home``, JSON output, file input."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from node.config import Settings, load_settings
from node.errors import InputError


def settings_from(args: argparse.Namespace, *, require_init: bool = True) -> Settings:
    home = Path(args.home) if getattr(args, "home", None) else None
    return load_settings(home, require_init=require_init)


def within(option: str, value: int, low: int, high: int) -> None:
    """``InputError`` (exit 2, one line) unless ``low <= value <= high``."""
    if not low <= value <= high:
        raise InputError(f"{option} must be {low}-{high}, got {value}")


def output_dir(option: str, path: str | Path) -> Path:
    """``path`` as the directory a command will write into, checked before the work that fills
    it (a file in the way, or a place no directory can be made, was a traceback after the whole
    review or evaluation): ``InputError`` (exit 2, one line). The check leaves nothing behind;
    the directory itself is made by whoever writes into it."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InputError(f"{option} {out}: exists and is not a directory")
    base = out if out.exists() else next(p for p in out.absolute().parents if p.exists())
    try:  # a real attempt: as root, os.access says yes to /proc and to a read-only mount
        os.rmdir(tempfile.mkdtemp(prefix=".cusdep-", dir=base))
    except OSError as err:
        reason = "not a directory" if not base.is_dir() else err.strerror
        message = f"{option} {out}: cannot create a directory in {base} ({reason})"
        raise InputError(message) from None
    return out


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, sort_keys=False, default=str) + "\n")
    sys.stdout.flush()


def emit_json_list(pages: Iterable[list[Any]]) -> None:
    """A JSON array printed as ``emit_json`` prints one, written page by page: a listing of
    any length in the memory of one page."""
    out, first = sys.stdout, True
    out.write("[")
    for page in pages:
        for item in page:
            text = json.dumps(item, indent=2, sort_keys=False, default=str)
            out.write(("\n  " if first else ",\n  ") + text.replace("\n", "\n  "))
            first = False
    out.write("]\n" if first else "\n]\n")
    out.flush()


def emit_line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def read_file(path: str, limit: int | None = None) -> bytes:
    """The file's bytes; ``InputError`` (exit 2) when it cannot be read, or when it is larger
    than ``limit`` bytes (checked before it is read: memory stays flat; of a pipe or a device,
    no more than ``limit`` bytes are read). A named pipe nothing writes to reads as empty, it
    does not wait for a writer."""
    p = Path(path)
    try:
        if limit is not None and p.is_file() and p.stat().st_size > limit:
            raise InputError(f"{path}: larger than {limit} bytes")
        data = _read(p, limit)
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from None
    if limit is not None and len(data) > limit:
        raise InputError(f"{path}: larger than {limit} bytes")
    return data


def _read(path: Path, limit: int | None) -> bytes:
    # opened without waiting (a FIFO's open blocks until a writer comes), then read blocking:
    # a writer that is there is waited for, a FIFO without one gives end-of-file at once
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        os.set_blocking(fd, True)
        with open(fd, "rb", closefd=False) as f:
            return f.read(-1 if limit is None else limit + 1)
    finally:
        os.close(fd)
