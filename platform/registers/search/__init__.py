"""Thai-aware full-text search over letters (PyThaiNLP word breaking + PostgreSQL tsvector)."""
