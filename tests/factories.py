"""factory_boy factories for the registry's rows (tenant schemas come from the onboarding service)."""

from __future__ import annotations

import factory

from tenants.validation import OnboardingRequest


class OnboardingRequestFactory(factory.Factory):
    class Meta:
        model = OnboardingRequest

    name_th = factory.Sequence(lambda n: f"เทศบาลตำบลทดสอบ{n}")
    name_en = factory.Sequence(lambda n: f"Test Municipality {n}")
    organisation_type = "subdistrict_municipality"
    province = "เชียงใหม่"
    district = "เมืองเชียงใหม่"
    slug = factory.Sequence(lambda n: f"test-{n}")
    letter_code_prefix = "ชม 72301"
    officer_name = "นายทดสอบ ระบบ"
    officer_phone = "053 123 456"
    admin_email = factory.Sequence(lambda n: f"admin{n}@test.example")
    admin_name = "ผู้ดูแล ทดสอบ"
    dla_code = factory.Sequence(lambda n: f"{5000000 + n:07d}")
