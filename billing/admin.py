"""The admin's autodiscovery imports this module: it loads the billing pages of the vendor
console (tenants.console.vendor_console is not the default admin site)."""

from billing import console  # noqa: F401
