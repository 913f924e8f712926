"""The public surface of ``adapters`` is deliberate: this list changes only on purpose."""

from __future__ import annotations

import adapters

EXPECTED = {
    "CERTIFICATE_FIELDS", "DECLARATION_FIELDS", "Address", "Attachment", "CanonicalDocument",
    "Certificate", "Classification", "Container", "Declaration", "Identifier", "LineItem",
    "NormalizationError", "Note", "Package", "Party", "Reference", "SourceInfo",
    "TransportMovement", "Treatment", "TreatmentCharacteristic", "load_canonical", "normalize",
    "AdapterError", "FormatAdapter", "InvalidDocument", "Issue", "MalformedInput", "Reason",
    "RenderError", "TamperedDocument", "UnknownFormat", "UnsafeInput", "UnsupportedVersion",
    "detect", "get_adapter", "known_formats", "parse_document", "MAX_DOCUMENT_BYTES",
}  # fmt: skip


def test_all_is_the_expected_public_surface() -> None:
    assert set(adapters.__all__) == EXPECTED
    assert len(adapters.__all__) == len(EXPECTED)


def test_every_exported_name_exists_and_is_public() -> None:
    for name in adapters.__all__:
        assert hasattr(adapters, name), name
        obj = getattr(adapters, name)
        module = getattr(obj, "__module__", "adapters") or "adapters"
        assert module.startswith(("adapters", "typing", "types", "builtins")), (name, module)


def test_names_load_on_first_use_and_normalize_alone_loads_no_adapter() -> None:
    """``from adapters import normalize`` (all ``cusdep verify`` needs) leaves the format
    adapters and the canonical model unimported; any exported name still resolves."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from adapters import normalize\n"
        "print(sorted(m for m in sys.modules if m.startswith('adapters')))\n"
        "from adapters import Certificate, parse_document\n"
        "print(Certificate.__module__, parse_document.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "['adapters', 'adapters._countries', 'adapters.normalize']"
    assert out[1] == "adapters.canonical adapters.registry"
    assert set(adapters._HOME) == set(adapters.__all__)
