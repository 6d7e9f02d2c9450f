from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackupsConfig(AppConfig):
    name = "tenants.backups"
    label = "backups"
    verbose_name = _("สำรองข้อมูลและกู้คืน")
    default_auto_field = "django.db.models.BigAutoField"
