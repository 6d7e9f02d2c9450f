"""A municipality's public site (tenant plane): its contact page and published announcements."""

from django.apps import AppConfig


class PublicSiteConfig(AppConfig):
    name = "publicsite"
    default_auto_field = "django.db.models.BigAutoField"
