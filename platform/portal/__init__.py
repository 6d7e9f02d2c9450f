"""Public pages: each tenant's own site and the apex site listing."""
