from django.apps import AppConfig


class ThaiformatConfig(AppConfig):
    name = "thaiformat"
