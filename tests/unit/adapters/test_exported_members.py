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
    "detect", "get_adapter", "known_formats", "parse_document",
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
