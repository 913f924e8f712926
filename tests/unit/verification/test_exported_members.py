import verification


def test_public_surface_is_exactly_all():
    public = {n for n in dir(verification) if not n.startswith("_")}
    exported = set(verification.__all__)
    assert exported <= public
    assert {"Pipeline", "verify_document", "VerificationResult", "OcrEngine", "SpecimenSource"} <= (
        exported
    )
    # every exported name is a class or function defined in the package
    for name in exported:
        obj = getattr(verification, name)
        assert obj.__module__.startswith("verification"), name
