"""``cusdep convert FILE [--from FORMAT] --to canonical-json``: partner format → canonical JSON.

Thin: read the file, pick the adapter (named or sniffed), parse, render. Adapter errors become
``InputError`` (exit 2, one stderr line with the reasons: XML/JSON path and line).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from adapters import MAX_DOCUMENT_BYTES, AdapterError, get_adapter, known_formats, parse_document
from adapters.base import Issue
from adapters.canonical import Certificate
from adapters.status import NOT_VALID, describe, status_of
from node.cli._common import read_file
from node.errors import InputError

CANONICAL = "canonical-json"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("convert", help="convert a partner document to canonical JSON (or back)")
    p.add_argument("file", metavar="FILE", help="partner document (XML/JSON)")
    p.add_argument(
        "--from",
        dest="source",
        metavar="FORMAT",
        help=f"input format (default: detected); one of {', '.join(known_formats())}",
    )
    p.add_argument(
        "--to",
        dest="target",
        metavar="FORMAT",
        default=CANONICAL,
        help=f"output format: {CANONICAL} (default) or a format id to render",
    )
    p.add_argument(
        "--attachments",
        action="store_true",
        help="keep attachment contents (base64) in the canonical JSON",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="treat parse warnings as errors (information, e.g. a proof verified, is no warning)",
    )
    p.add_argument(
        "--validate",
        action="store_true",
        help=(
            "also validate against the format's schema (WCO DM: the shipped XSDs; UN/CEFACT SPS: "
            "the parts its schema requires), and so is a rendered output; errors exit 2"
        ),
    )
    p.set_defaults(func=_run)


def _check_formats(args: argparse.Namespace) -> None:
    """The format options, before the file is read (an unknown --to fails at once)."""
    if args.source is not None and not args.source.strip():
        raise InputError("--from: empty format name; leave it out to detect the format")
    if not _is_canonical(args.target):
        try:
            get_adapter(args.target)
        except AdapterError as err:
            raise InputError(f"--to: {err}") from None


def _run(args: argparse.Namespace) -> int:
    _check_formats(args)
    data = read_file(args.file, MAX_DOCUMENT_BYTES)
    try:
        doc, issues, adapter = parse_document(data, args.source)
        if args.validate:
            errors = [i for i in adapter.validate(data) if i.severity == "error"]
            if errors:
                raise InputError(f"{args.file}: schema: " + "; ".join(str(i) for i in errors[:5]))
        problems = [i for i in issues if i.severity != "info"]
        if args.strict and problems:
            raise InputError(f"{args.file}: " + "; ".join(str(i) for i in problems))
        out, lacks = (
            (_canonical(args, doc), []) if _is_canonical(args.target) else _rendered(args, doc)
        )
        for issue in issues:
            sys.stderr.write(f"cusdep: {issue}\n")
        if isinstance(doc, Certificate) and doc.status in NOT_VALID:  # the JSON's ``status``
            said = describe(status_of(doc))
            sys.stderr.write(f"cusdep: warning: the certificate is {said}: not valid\n")
        for issue in lacks:
            sys.stderr.write(f"cusdep: warning: as {args.target}: {issue.message}\n")
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    except AdapterError as err:
        raise InputError(
            f"{args.file}: {err}", code="cusdep.input." + err.code.split(".")[-1]
        ) from None
    return 0


def _is_canonical(target: str) -> bool:
    return target.lower() in (CANONICAL, "cusdep-json")


def _canonical(args: argparse.Namespace, doc: Any) -> bytes:
    out = doc.to_json_dict()
    if not args.attachments:
        for att in out.get("attachments", []):
            att.pop("content_base64", None)
    return (json.dumps(out, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _rendered(args: argparse.Namespace, doc: Any) -> tuple[bytes, list[Issue]]:
    """The document in the target format and what it lacks, by that format's own validator:
    what its schema requires and the source did not carry (a CHED has no UN/CEFACT type code)
    is an error with ``--validate`` or ``--strict``, else a warning on stderr (the output is
    still written: a partner may complete it). A contract field the target has no place for
    is a warning too (see ``_not_carried``)."""
    target = get_adapter(args.target)
    out = target.render(doc)
    errors = [i for i in target.validate(out) if i.severity == "error"]
    if errors and (args.validate or args.strict):
        raise InputError(
            f"{args.file}: as {args.target}: " + "; ".join(i.message for i in errors[:5])
        )
    return out, [*errors, *_not_carried(target, doc, out)]


def _not_carried(target: Any, doc: Any, out: bytes) -> list[Issue]:
    """The contract fields of ``doc`` that ``out`` does not give back as they were, read by
    the target itself: a WCO declaration has no arrival date, an SPS certificate no expiry
    date. They were left out in silence (a round trip through the format lost them)."""
    try:
        again = target.parse(out)[0].flat()
    except AdapterError:  # the validator has said what is wrong with the output
        return []
    lost = []
    for name, value in doc.flat().items():
        if name not in again:
            lost.append(Issue(f"{name} ({value!r}) has no place in it and is left out"))
        elif again[name] != value:
            lost.append(Issue(f"{name} ({value!r}) reads back as {again[name]!r}"))
    return lost
