"""Safe XML reading shared by the XML adapters.

lxml with ``resolve_entities=False``, ``no_network=True``, ``load_dtd=False`` and
``huge_tree=False``; any DOCTYPE is refused (no partner format here uses one, and a DTD is how
entity-expansion and external-entity attacks arrive). Syntax errors become
:class:`MalformedInput` naming the line; a document beyond libxml2's limits (nested deeper than
256 elements, a text node over 10 MB) is :class:`UnsafeInput`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from adapters._json import json_path
from adapters.errors import MAX_DOCUMENT_BYTES, MalformedInput, Reason, RenderError, UnsafeInput

logger = logging.getLogger(__name__)

_BOM = b"\xef\xbb\xbf"
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=True,
    )


def strip_bom(data: bytes) -> bytes:
    data = _as_utf8(data)
    return data[len(_BOM) :] if data.startswith(_BOM) else data


_UTF16 = (
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)
_ENCODING_DECL = re.compile(rb"""^(<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")


def _as_utf8(data: bytes) -> bytes:
    """A UTF-16 document (with a byte-order mark, or starting ``<?``) as UTF-8, its encoding
    declaration saying so; anything else unchanged. XML processors must read UTF-16, and the
    checks here (DOCTYPE, the root's namespace) read bytes."""
    codec = next((c for mark, c in _UTF16 if data.startswith(mark)), None)
    if codec is None:
        return data
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return data  # not UTF-16 after all: the parser says what it is
    return _ENCODING_DECL.sub(rb"\1UTF-8\2", text.lstrip("\ufeff").encode("utf-8"), count=1)


def parse_xml(data: bytes, *, format_id: str | None = None) -> etree._Element:
    """Bytes → root element, or ``MalformedInput``/``UnsafeInput`` (never another exception)."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnsafeInput(f"document larger than {MAX_DOCUMENT_BYTES} bytes", format_id=format_id)
    data = strip_bom(data)
    refuse_dtd(data, format_id=format_id)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as err:
        err_line = err.lineno if isinstance(err.lineno, int) and err.lineno > 0 else None
        msg = (err.msg or "syntax error").split(", line")[0]
        if _over_limit(err.code, msg):
            raise UnsafeInput(
                "XML nested too deeply or a value too long",
                [Reason(_LIBXML_HINT.sub("", msg).strip(), line=err_line)],
                format_id=format_id,
            ) from None
        raise MalformedInput(
            "not well-formed XML", [Reason(msg, line=err_line)], format_id=format_id
        ) from None
    except (ValueError, LookupError) as err:  # e.g. unknown encoding declaration
        raise MalformedInput("not readable XML", [Reason(str(err))], format_id=format_id) from None
    if root is None:
        raise MalformedInput("empty XML document", format_id=format_id)
    return root


# libxml2's limits without huge_tree (nesting deeper than 256, a text node or a name too long):
# the document may be well-formed, it is refused as too large, as a JSON nested too deeply is
_LIMIT_CODES = frozenset({etree.ErrorTypes.ERR_RESOURCE_LIMIT, etree.ErrorTypes.ERR_NAME_TOO_LONG})
_LIBXML_HINT = re.compile(r",?\s*(?:use|try) XML_PARSE_HUGE(?: option)?")


def _over_limit(code: int, msg: str) -> bool:
    return code in _LIMIT_CODES or msg.endswith("too big found")  # a comment, CDATA or PI


def refuse_dtd(data: bytes, *, format_id: str | None = None) -> None:
    """``UnsafeInput`` if the (UTF-8) document declares a DOCTYPE or an entity."""
    doctype = _DOCTYPE.search(data)
    if doctype is not None:
        line = data[: doctype.start()].count(b"\n") + 1
        raise UnsafeInput(
            "DOCTYPE/ENTITY declarations are not accepted",
            [Reason("DTD", line=line)],
            format_id=format_id,
        )


def root_namespace(data: bytes) -> str | None:
    """The namespace URI of the root element, read cheaply; None if not XML-looking."""
    head = strip_bom(data[:8192])
    m = re.search(rb"<(?:([A-Za-z_][\w.\-]*):)?([A-Za-z_][\w.\-]*)[\s>/]", _skip_prolog(head))
    if m is None:
        return None
    prefix = m.group(1)
    attr = b"xmlns:" + prefix if prefix else b"xmlns"
    ns = re.search(re.escape(attr) + rb"\s*=\s*[\"']([^\"']*)[\"']", head[m.start() :])
    return ns.group(1).decode("utf-8", "replace") if ns else None


def _skip_prolog(head: bytes) -> bytes:
    return re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head, flags=re.DOTALL).lstrip()


def local(el: etree._Element) -> str:
    tag = el.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def path_of(el: etree._Element) -> str:
    """A readable path of local names, e.g. ``/SPSCertificate/SPSConsignment/ConsignorSPSParty``."""
    parts = []
    node: etree._Element | None = el
    while node is not None:
        parts.append(local(node))
        node = node.getparent()
    return "/" + "/".join(reversed(parts))


class XNode:
    """A namespace-aware view of an element: children found by namespace URI + local name.

    ``accept(namespace_uri)`` decides which namespaces count (the prefix never matters).
    ``child("A/B")`` walks several steps; ``text()`` is whitespace-normalised or None if empty.
    """

    __slots__ = ("el", "_accept")

    def __init__(self, el: etree._Element, accept: Callable[[str | None], bool]) -> None:
        self.el = el
        self._accept = accept

    def _match(self, el: etree._Element, name: str) -> bool:
        tag = el.tag
        if not isinstance(tag, str):
            return False
        if tag == name:
            return self._accept(None)
        suffix = "}" + name
        return tag.endswith(suffix) and tag[0] == "{" and self._accept(tag[1 : -len(suffix)])

    def children(self, path: str) -> list[XNode]:
        *head, last = path.split("/")
        parents = [self]
        for step in head:
            parents = [c for p in parents for c in p.children(step)]
        return [XNode(c, self._accept) for p in parents for c in p.el if p._match(c, last)]

    def child(self, path: str) -> XNode | None:
        found = self.children(path)
        return found[0] if found else None

    def text(self, path: str | None = None) -> str | None:
        node = self.child(path) if path else self
        if node is None:
            return None
        value = " ".join("".join(node.el.itertext()).split())
        return value or None

    def texts(self, path: str) -> list[str]:
        return [t for t in (n.text() for n in self.children(path)) if t]

    def attr(self, name: str) -> str | None:
        value = self.el.get(name)
        return value.strip() if value and value.strip() else None

    @property
    def line(self) -> int | None:
        line = self.el.sourceline
        return line if isinstance(line, int) else None

    @property
    def path(self) -> str:
        return path_of(self.el)

    @property
    def name(self) -> str:
        return local(self.el)


# What XML 1.0 cannot carry, not even as a character reference: the C0 controls but tab, line
# feed and carriage return, U+FFFE and U+FFFF (lxml raised a bare ValueError on them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def refuse_non_xml_text(doc: Any, *, format_id: str) -> None:
    """``RenderError`` naming each value of ``doc`` (a canonical document) that no XML document
    can hold: a canonical JSON with a NUL or a control character in a name cannot be rendered."""
    reasons: list[Reason] = []

    def walk(value: Any, loc: tuple[Any, ...]) -> None:
        if isinstance(value, str):
            bad = _NOT_XML.search(value)
            if bad:
                reasons.append(
                    Reason(f"U+{ord(bad.group()):04X} cannot be written in XML", json_path(loc))
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*loc, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, (*loc, i))

    walk(doc.to_json_dict(), ())
    if reasons:
        raise RenderError(
            "a value holds a character XML cannot carry", reasons, format_id=format_id
        )
