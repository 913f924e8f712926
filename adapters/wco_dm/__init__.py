"""WCO Data Model 3.6 customs declarations (UK CDS DMS profile), with XSD validation."""

from adapters.wco_dm.adapter import WcoDeclarationAdapter

__all__ = ["WcoDeclarationAdapter"]
