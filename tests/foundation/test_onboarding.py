"""Onboarding: the happy path, every validation error, and resuming after a failure at each step."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_exists

from accounts.models import OrgUnit, Role, User
from tenants import onboarding, services
from tenants.models import Domain, Municipality, OnboardingStatus
from tests.factories import OnboardingRequestFactory

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]

STEP_NAMES = [step.name for step in onboarding.CORE_STEPS]


def _assert_fully_onboarded(municipality: Municipality) -> None:
    municipality.refresh_from_db()
    assert municipality.onboarding_status == OnboardingStatus.DONE
    assert schema_exists(municipality.schema_name)
    assert Domain.objects.filter(tenant=municipality, is_primary=True).count() == 1
    with municipality:
        assert sorted(OrgUnit.objects.values_list("name_th", flat=True)) == sorted(
            ["สำนักปลัด", "กองคลัง", "กองช่าง", "กองการศึกษา", "กองสาธารณสุขและสิ่งแวดล้อม"]
        )
        assert Role.objects.count() == 5
        admin = User.objects.get(username=municipality.admin_email)
        assert admin.has_role("tenant_admin")
        assert not admin.has_usable_password()
    assert all(step.status == OnboardingStatus.DONE for step in municipality.onboarding_steps.all())


def test_happy_path_creates_everything_and_invites_the_admin() -> None:
    request = OnboardingRequestFactory(slug="sila", custom_domains=("www.sila-kk.go.th",))
    municipality = services.onboard_municipality(request)

    _assert_fully_onboarded(municipality)
    assert municipality.get_primary_domain().domain == "sila.localhost"
    assert Domain.objects.filter(tenant=municipality, domain="www.sila-kk.go.th").exists()
    assert municipality.schema_name == "sila"
    assert municipality.state == "trial"
    assert len(mail.outbox) == 1
    invitation = mail.outbox[0]
    assert invitation.to == [request.admin_email]
    assert "http://sila.localhost/accounts/reset/" in invitation.body
    assert "คำเชิญ" in invitation.subject and "Invitation" in invitation.subject


def test_invitation_link_lets_the_admin_choose_a_password_and_log_in() -> None:
    from django.test import Client

    municipality = services.onboard_municipality(OnboardingRequestFactory(slug="khao"))
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    client = Client(HTTP_HOST="khao.localhost")
    form_page = client.get(link.removeprefix("http://khao.localhost"), follow=True)
    assert form_page.status_code == 200 and "ตั้งรหัสผ่าน" in form_page.content.decode()
    new_password = "Sarabun-ปลอดภัย-2569"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    login = client.post(
        "/accounts/login/", {"username": municipality.admin_email, "password": new_password}
    )
    assert login.status_code == 302 and login.url == "/staff/"
    assert "ผู้ดูแลระบบของหน่วยงาน" in client.get("/staff/").content.decode()


def test_onboarded_schema_matches_a_migrated_one() -> None:
    """The template copy holds every table that running the migrations creates."""
    municipality = services.onboard_municipality(OnboardingRequestFactory(slug="copy-check"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN (%s, %s)",
            [municipality.schema_name, "tenant_template"],
        )
        rows = cursor.fetchall()
    copied = {t for s, t in rows if s == municipality.schema_name}
    template = {t for s, t in rows if s == "tenant_template"}
    assert copied == template
    assert {"accounts_user", "accounts_orgunit", "django_session", "django_migrations"} <= copied
    with municipality:
        from django.db.migrations.recorder import MigrationRecorder

        applied = MigrationRecorder(connection).applied_migrations()
    assert ("accounts", "0001_initial") in applied


INVALID_CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"slug": "www"}, "slug", "สงวนไว้"),
    ({"slug": "admin"}, "slug", "สงวนไว้"),
    ({"slug": "mail"}, "slug", "สงวนไว้"),
    ({"slug": "api"}, "slug", "สงวนไว้"),
    ({"slug": "Bad_Slug!"}, "slug", "a-z"),
    ({"slug": "ab"}, "slug", "a-z"),
    ({"slug": "-dash"}, "slug", "a-z"),
    ({"slug": "alpha"}, "slug", "ใช้อยู่แล้ว"),
    ({"custom_domains": ("alpha.localhost",)}, "custom_domains", "ไม่อยู่ใต้"),
    ({"custom_domains": ("not a domain",)}, "custom_domains", "ไม่ถูกต้อง"),
    ({"officer_phone": "12345"}, "officer_phone", "โทรศัพท์"),
    ({"officer_phone": "0212345678"}, "officer_phone", "โทรศัพท์"),
    ({"dla_code": "12AB"}, "dla_code", "7 หลัก"),
    ({"dla_code": "6400201"}, "dla_code", "ลงทะเบียนไว้แล้ว"),
    ({"letter_code_prefix": "AB 123"}, "letter_code_prefix", "ตร 52301"),
    ({"letter_code_prefix": "ตร"}, "letter_code_prefix", "ตร 52301"),
    ({"name_th": "Alpha Town"}, "name_th", "อักษรไทย"),
    ({"name_th": "  "}, "name_th", "กรุณากรอก"),
    ({"province": "Atlantis"}, "province", "จังหวัด"),
    ({"organisation_type": "kingdom"}, "organisation_type", "ประเภท"),
    ({"admin_email": "not-an-email"}, "admin_email", "อีเมล"),
    ({"officer_name": ""}, "officer_name", "ผู้รับผิดชอบ"),
]


@pytest.mark.parametrize(("override", "field", "thai_fragment"), INVALID_CASES)
def test_each_validation_error_is_reported_in_thai_and_english(
    override: dict[str, Any], field: str, thai_fragment: str
) -> None:
    before = Municipality.objects.count()
    with pytest.raises(services.OnboardingValidationError) as caught:
        services.onboard_municipality(OnboardingRequestFactory(**override))
    error = caught.value
    assert list(error.errors) == [field]
    thai = " ".join(error.messages("th")[field])
    english = " ".join(error.messages("en")[field])
    assert thai_fragment in thai
    assert english and english != thai, "the English catalog must translate every message"
    assert Municipality.objects.count() == before
    assert mail.outbox == []


def test_input_is_normalised() -> None:
    municipality = services.onboard_municipality(
        OnboardingRequestFactory(
            slug="  Norm-Check ",
            officer_phone="+66 81-234-5678",
            letter_code_prefix="ชม52301",
            province="จังหวัดเชียงใหม่",
            admin_email=" Admin@Norm.Example ",
        )
    )
    assert municipality.slug == "norm-check" and municipality.schema_name == "norm_check"
    assert municipality.officer_phone == "0812345678"
    assert municipality.letter_code_prefix == "ชม 52301"
    assert municipality.province == "เชียงใหม่"
    assert municipality.admin_email == "admin@norm.example"


def _inject(
    monkeypatch: pytest.MonkeyPatch, step_name: str, *, after_work: bool
) -> Callable[[], None]:
    """Make ``step_name`` fail once, before or after doing its work (its transaction rolls back)."""
    original = {step.name: step for step in onboarding.CORE_STEPS}[step_name]

    def failing(municipality: Municipality) -> None:
        if after_work:
            original.run(municipality)
        raise ConnectionError(f"injected failure in {step_name}")

    broken = tuple(
        dataclasses.replace(step, run=failing) if step.name == step_name else step
        for step in onboarding.CORE_STEPS
    )
    monkeypatch.setattr(onboarding, "CORE_STEPS", broken)
    return lambda: monkeypatch.setattr(
        onboarding, "CORE_STEPS", tuple(s if s.name != step_name else original for s in broken)
    )


@pytest.mark.parametrize("after_work", [False, True], ids=["before-work", "after-work"])
@pytest.mark.parametrize("step_name", STEP_NAMES)
def test_resumes_after_a_failure_at_each_step(
    monkeypatch: pytest.MonkeyPatch, step_name: str, after_work: bool
) -> None:
    heal = _inject(monkeypatch, step_name, after_work=after_work)
    request = OnboardingRequestFactory()
    with pytest.raises(services.OnboardingFailed) as caught:
        services.onboard_municipality(request)
    assert caught.value.step == step_name
    municipality = Municipality.objects.get(slug=request.slug)
    assert municipality.onboarding_status == OnboardingStatus.FAILED
    steps = {s.name: s for s in municipality.onboarding_steps.all()}
    position = STEP_NAMES.index(step_name)
    for name in STEP_NAMES[:position]:
        assert steps[name].status == OnboardingStatus.DONE
    assert steps[step_name].status == OnboardingStatus.FAILED
    assert "injected failure" in steps[step_name].last_error
    for name in STEP_NAMES[position + 1 :]:
        assert steps[name].status == OnboardingStatus.PENDING and steps[name].attempts == 0
    if step_name == "schema":
        assert not schema_exists(municipality.schema_name)  # rolled back, nothing half-made

    heal()
    services.onboarding_resume(municipality)

    _assert_fully_onboarded(municipality)
    attempts = {s.name: s.attempts for s in municipality.onboarding_steps.all()}
    # Every step of the pipeline (the core ones and those of mail and billing) ran once more.
    assert list(attempts) == [step.name for step in onboarding.pipeline()]
    assert attempts == {name: 2 if name == step_name else 1 for name in attempts}
    expected_mails = 2 if (step_name == "invitation" and after_work) else 1
    assert len(mail.outbox) == expected_mails


def test_a_second_run_while_one_is_running_is_refused() -> None:
    request = OnboardingRequestFactory()
    seen: list[bool] = []

    def progress(step: onboarding.Step, record: Any) -> None:
        if step.name == "schema":
            municipality = Municipality.objects.get(slug=request.slug)
            # A separate connection asks for the same lock, as a second worker would.
            from django.db import connections

            other = connections.create_connection("default")
            try:
                with other.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_try_advisory_lock(%s)", [0x5A0B_0000 + municipality.pk]
                    )
                    seen.append(cursor.fetchone()[0])
            finally:
                other.close()

    services.onboard_municipality(request, progress=progress)
    assert seen == [False]  # the lock was held by the running onboarding


def test_messages_follow_the_active_language() -> None:
    with pytest.raises(services.OnboardingValidationError) as caught:
        services.onboard_municipality(OnboardingRequestFactory(slug="www"))
    with translation.override("en"):
        assert "reserved" in str(caught.value.errors["slug"][0]).lower()


def test_onboarding_renames_a_ready_spare_schema() -> None:
    from tenants.models import SpareSchema
    from tenants.spare_schemas import refill_spare_schemas

    assert refill_spare_schemas(1) == 1
    spare = SpareSchema.objects.get()
    municipality = services.onboard_municipality(OnboardingRequestFactory(slug="from-spare"))

    assert not SpareSchema.objects.exists()
    assert not schema_exists(spare.schema_name)
    _assert_fully_onboarded(municipality)
    assert refill_spare_schemas(1) == 1  # the pool refills itself


def test_a_stale_template_inside_a_transaction_is_an_error_not_a_hang() -> None:
    """After a deploy with new migrations the template must be rebuilt, and pg_dump (another
    session) would wait for ever on the locks of a transaction this connection holds: onboarding
    and the spare schemas build it before their transactions; inside one it is a clear error."""
    from django.db import transaction

    from tenants.models import SchemaTemplate
    from tenants.schema_template import SchemaTemplateError, create_schema_from_template

    SchemaTemplate.objects.all().delete()  # as if the migrations had changed (rolled back)
    assert connection.in_atomic_block
    with pytest.raises(SchemaTemplateError, match="platform_bootstrap"), transaction.atomic():
        create_schema_from_template("stale_template_check")
    assert not schema_exists("stale_template_check")
