from __future__ import annotations

from registers.models import RegistrySettings


def registry_settings() -> RegistrySettings:
    """This municipality's options; the row is made with the defaults on first use."""
    settings, _created = RegistrySettings.objects.get_or_create(pk=1)
    return settings
