"""One module per tag; each route decodes, calls one service method, encodes."""
