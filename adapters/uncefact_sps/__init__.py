"""UN/CEFACT SPS certificate XML (ePhyto / e-Cert), read by namespace URI, versions 17 and 8."""

from adapters.uncefact_sps.adapter import SpsCertificateAdapter

__all__ = ["SpsCertificateAdapter"]
