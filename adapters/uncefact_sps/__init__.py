"""UN/CEFACT SPS certificate XML (ePhyto / e-Cert), read by namespace URI, versions 17 and 8."""

from adapters.uncefact_sps.adapter import SpsCertificateAdapter
from adapters.uncefact_sps.envelope import EnvelopeHeader, envelope_issues, wrap_envelope

__all__ = ["EnvelopeHeader", "SpsCertificateAdapter", "envelope_issues", "wrap_envelope"]
