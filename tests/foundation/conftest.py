from tests.registers.conftest import committed_tenant  # noqa: F401  (shared fixture)
