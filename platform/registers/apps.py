from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "registers"
    verbose_name = _("ทะเบียนหนังสือ")

    def ready(self) -> None:
        from accounts.signals import security_event
        from registers.security_audit import record_security_event

        security_event.connect(record_security_event, dispatch_uid="registers.security_audit")
