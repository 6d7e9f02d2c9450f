from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]

CONTRIB = ("django.", "django_otp")


def test_no_missing_migrations() -> None:
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _our_tenant_models() -> list[type[models.Model]]:
    labels = [
        apps.get_app_config(app.rsplit(".", 1)[-1]).label
        for app in settings.TENANT_APPS
        if not app.startswith(CONTRIB)
    ]
    return [m for label in labels for m in apps.get_app_config(label).get_models()]


def test_tenant_models_are_citus_ready() -> None:
    """BigAutoField keys; no foreign key from a tenant table to a public-only table."""
    shared_only = {
        apps.get_app_config(app.rsplit(".", 1)[-1]).label
        for app in settings.SHARED_APPS
        if app not in settings.TENANT_APPS
    }
    tenant_models = _our_tenant_models()
    assert tenant_models, "no tenant models found"
    for model in tenant_models:
        assert isinstance(model._meta.pk, models.BigAutoField), model
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is not None:
                target = field.related_model._meta.app_label
                assert target not in shared_only, f"{model.__name__}.{field.name} -> {target}"
