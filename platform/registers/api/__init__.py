"""The REST API of the registers (DRF, OpenAPI schema, per-municipality tokens)."""
