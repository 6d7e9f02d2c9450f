"""Settings (tenant admin), API tokens and the storage/destruction pages, through the views.

Requests go through the tenant's host with Django's test client; rows are checked inside
alpha's schema afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.conftest import client_for, make_staff
from tests.registers.conftest import letter_input, pdf_bytes

pytestmark = [pytest.mark.registers, pytest.mark.django_db]

PASSWORD = "a-long-passphrase-2569"


@pytest.fixture
def admin(alpha: Any) -> Any:
    return make_staff(
        alpha, "tadmin", role_codes=("tenant_admin",), first_name="อนุชา", last_name="ดูแลระบบ"
    )


@pytest.fixture
def admin_client(alpha: Any, admin: Any) -> Client:
    client = client_for(alpha)
    with alpha:
        client.force_login(admin)
    return client


@pytest.fixture
def clerk_user(alpha: Any) -> Any:
    return make_staff(
        alpha, "central1", role_codes=("central_clerk",), first_name="สมใจ", last_name="รับหนังสือ"
    )


@pytest.fixture
def clerk_client(alpha: Any, clerk_user: Any) -> Client:
    client = client_for(alpha)
    with alpha:
        client.force_login(clerk_user)
    return client


def logged_in(tenant: Any, user: Any) -> Client:
    client = client_for(tenant)
    with tenant:
        client.force_login(user)
    return client


def audit_actions(tenant: Any, prefix: str) -> list[str]:
    from registers.models import AuditEntry

    with tenant:
        return list(
            AuditEntry.objects.filter(action__startswith=prefix)
            .order_by("seq")
            .values_list("action", flat=True)
        )


def text_of(response: Any) -> str:
    return response.content.decode()


def registry_post(**overrides: Any) -> dict[str, Any]:
    values = {
        "action": "registry",
        "registry-numbering_reset": "calendar",
        "registry-circular_own_sequence": "on",
        "registry-stamp_agency_name": "",
        "registry-stamp_right_mm": "10",
        "registry-stamp_top_mm": "10",
        "registry-max_attachment_mb": "50",
        "registry-default_retention": "10y",
        "registry-reminder_hour": "8",
        "registry-mail_auto_register": "government",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/staff/settings/",
        "/staff/settings/units/",
        "/staff/settings/people/",
        "/staff/settings/people/new/",
    ],
)
def test_settings_pages_are_for_tenant_admins_only(
    path: str, clerk_client: Client, admin_client: Client, alpha: Any
) -> None:
    refused = clerk_client.get(path)
    assert refused.status_code == 403
    assert client_for(alpha).get(path).status_code == 302  # anonymous: to the login page
    allowed = admin_client.get(path)
    assert allowed.status_code == 200


def test_non_admin_cannot_post_settings(clerk_client: Client, alpha: Any) -> None:
    from registers.selectors.settings import registry_settings

    response = clerk_client.post(
        "/staff/settings/", registry_post(**{"registry-max_attachment_mb": "99"})
    )
    assert response.status_code == 403
    with alpha:
        assert registry_settings().max_attachment_mb == 50


def test_retention_pages_are_for_clerks_and_admins(
    alpha: Any, clerk_client: Client, admin_client: Client
) -> None:
    officer = make_staff(alpha, "officer1", role_codes=("officer",))
    executive = make_staff(alpha, "exec1", role_codes=("executive",))
    for path in (
        "/staff/retention/",
        "/staff/retention/destruction/",
        "/staff/retention/handover/",
    ):
        assert clerk_client.get(path).status_code == 200
        assert admin_client.get(path).status_code == 200
        assert logged_in(alpha, officer).get(path).status_code == 403
        assert logged_in(alpha, executive).get(path).status_code == 403


# --- registry settings ------------------------------------------------------------------------


def test_registry_settings_saved_and_audited(admin_client: Client, alpha: Any) -> None:
    from registers.models import AuditEntry
    from registers.selectors.settings import registry_settings

    page = admin_client.get("/staff/settings/")
    assert "การตั้งค่าทะเบียน" in text_of(page)
    assert 'name="registry-max_attachment_mb"' in text_of(page)
    response = admin_client.post(
        "/staff/settings/",
        registry_post(
            **{
                "registry-numbering_reset": "fiscal",
                "registry-circular_own_sequence": None,  # unchecked
                "registry-thai_digits": "on",
                "registry-stamp_agency_name": "สำนักปลัด เทศบาลตำบลอัลฟา",
                "registry-stamp_right_mm": "15",
                "registry-max_attachment_mb": "100",
                "registry-default_retention": "5y",
                "registry-reminder_hour": "7",
                "registry-mail_auto_register": "never",
            }
        ),
    )
    assert response.status_code == 302
    with alpha:
        options = registry_settings()
        assert options.numbering_reset == "fiscal"
        assert options.circular_own_sequence is False
        assert options.thai_digits is True
        assert options.stamp_agency_name == "สำนักปลัด เทศบาลตำบลอัลฟา"
        assert (options.stamp_right_mm, options.stamp_top_mm) == (15, 10)
        assert options.max_attachment_mb == 100
        assert options.default_retention == "5y"
        assert options.reminder_hour == 7
        assert options.mail_auto_register == "never"
        entry = AuditEntry.objects.get(action="settings.registry")
        assert entry.data["changed"]["max_attachment_mb"] == [50, 100]
        assert entry.data["changed"]["numbering_reset"] == ["calendar", "fiscal"]
        assert "stamp_top_mm" not in entry.data["changed"]
        assert entry.actor_name == "อนุชา ดูแลระบบ"


def test_registry_settings_invalid_shows_thai_and_saves_nothing(
    admin_client: Client, alpha: Any
) -> None:
    from registers.selectors.settings import registry_settings

    response = admin_client.post(
        "/staff/settings/",
        registry_post(**{"registry-max_attachment_mb": "5", "registry-reminder_hour": "8"}),
    )
    assert response.status_code == 400
    assert "ต้องไม่น้อยกว่า 25" in text_of(response)
    with alpha:
        assert registry_settings().max_attachment_mb == 50
    assert audit_actions(alpha, "settings.") == []


# --- letter-code prefix -----------------------------------------------------------------------


def test_prefix_change_is_used_by_the_next_outgoing_letter(
    admin_client: Client, alpha: Any, admin: Any
) -> None:
    from registers.models import AuditEntry
    from registers.services import letters as svc
    from tenants.models import LifecycleEvent, Municipality

    with alpha:
        clerk = make_staff(alpha, "sender", role_codes=("central_clerk",))
        before = svc.letter_create_outgoing(data=letter_input(subject="ก่อนเปลี่ยนรหัส"), actor=clerk)
        old_entry = svc.letter_register_outgoing(letter=before, actor=clerk)
    assert old_entry.reference == "ขก 72101/1"

    response = admin_client.post(
        "/staff/settings/", {"action": "prefix", "code-letter_code": "ตร  52301"}
    )
    assert response.status_code == 302
    follow = admin_client.get(response["Location"])
    assert "ตร 52301/…" in text_of(follow)  # the success message names the new form of ที่

    fresh = Municipality.objects.get(slug="alpha")
    assert fresh.letter_code_prefix == "ตร 52301"  # normalised as onboarding does
    event = LifecycleEvent.objects.get(municipality=fresh)
    assert event.from_state == event.to_state == fresh.state
    assert "ขก 72101 -> ตร 52301" in event.reason
    assert event.actor == "tadmin@alpha"

    with fresh:  # the tenant as the next request sees it
        letter = svc.letter_create_outgoing(data=letter_input(subject="หลังเปลี่ยนรหัส"), actor=clerk)
        entry = svc.letter_register_outgoing(letter=letter, actor=clerk)
        circular = svc.letter_create_outgoing(data=letter_input(subject="หนังสือเวียน"), actor=clerk)
        circular_entry = svc.letter_register_outgoing(
            letter=circular, register="circular", actor=clerk
        )
        assert entry.reference == "ตร 52301/2"
        assert circular_entry.reference == "ตร 52301/ว 1"
        before.refresh_from_db()
        assert before.reference == "ขก 72101/1"  # numbered letters keep their ที่
        audit = AuditEntry.objects.get(action="settings.letter_code_prefix")
        assert audit.data == {"old": "ขก 72101", "new": "ตร 52301"}
        assert audit.actor_id == admin.pk


def test_prefix_change_reaches_the_next_request_through_the_routing_cache(
    admin_client: Client, alpha: Any
) -> None:
    admin_client.get("/staff/settings/")  # the host is now cached in this process
    admin_client.post("/staff/settings/", {"action": "prefix", "code-letter_code": "ตร 52301"})
    page = admin_client.get("/staff/settings/")
    assert "<strong>ตร 52301</strong>" in text_of(page)


@pytest.mark.parametrize("bad", ["ABC 123", "ตร", "52301", "ตรฟกข 52301"])
def test_invalid_prefix_is_refused_in_thai(admin_client: Client, alpha: Any, bad: str) -> None:
    from tenants.models import LifecycleEvent, Municipality

    response = admin_client.post("/staff/settings/", {"action": "prefix", "code-letter_code": bad})
    assert response.status_code == 400
    assert "รหัสหนังสือต้องเป็นพยัญชนะไทย 2-3 ตัวตามด้วยตัวเลข" in text_of(response)
    assert Municipality.objects.get(slug="alpha").letter_code_prefix == "ขก 72101"
    assert not LifecycleEvent.objects.filter(municipality__slug="alpha").exists()
    assert audit_actions(alpha, "settings.") == []


def test_prefix_error_in_english_for_english_readers(admin_client: Client, alpha: Any) -> None:
    admin_client.cookies["django_language"] = "en"
    response = admin_client.post("/staff/settings/", {"action": "prefix", "code-letter_code": "x"})
    assert response.status_code == 400
    assert "รหัสหนังสือต้องเป็นพยัญชนะไทย" not in text_of(response)


# --- org units --------------------------------------------------------------------------------


def test_org_unit_add_rename_move_and_deactivate(admin_client: Client, alpha: Any) -> None:
    from accounts.models import OrgUnit

    with alpha:
        finance = OrgUnit.objects.get(code="finance")
    response = admin_client.post(
        "/staff/settings/units/",
        {
            "new-name_th": "ฝ่ายพัสดุ",
            "new-name_en": "Supplies",
            "new-code": "supplies",
            "new-parent": finance.pk,
        },
    )
    assert response.status_code == 302
    with alpha:
        unit = OrgUnit.objects.get(code="supplies")
        assert unit.parent_id == finance.pk and unit.is_active
    listing = admin_client.get("/staff/settings/units/")
    assert "ฝ่ายพัสดุ" in text_of(listing)

    prefix = f"unit{unit.pk}-"
    response = admin_client.post(
        f"/staff/settings/units/{unit.pk}/",
        {
            prefix + "name_th": "งานพัสดุ",
            prefix + "name_en": "",
            prefix + "parent": "",
            prefix + "is_active": "",
        },
    )
    assert response.status_code == 302
    with alpha:
        unit.refresh_from_db()
        assert (unit.name_th, unit.parent_id, unit.is_active) == ("งานพัสดุ", None, False)
    assert audit_actions(alpha, "settings.org_unit") == [
        "settings.org_unit_create",
        "settings.org_unit_update",
    ]


def test_org_unit_errors_are_thai_and_nothing_changes(admin_client: Client, alpha: Any) -> None:
    from accounts.models import OrgUnit

    bad_code = admin_client.post(
        "/staff/settings/units/", {"new-name_th": "กองใหม่", "new-code": "กองใหม่!"}
    )
    assert bad_code.status_code == 400
    assert "รหัสใช้ได้เฉพาะ a-z 0-9 และขีดกลาง" in text_of(bad_code)

    make_staff(alpha, "fin1", role_codes=("officer",), org_unit_code="finance")
    with alpha:
        finance = OrgUnit.objects.get(code="finance")
        child = OrgUnit.objects.create(code="finance-tax", name_th="งานภาษี", parent=finance)
    prefix = f"unit{finance.pk}-"
    busy = admin_client.post(
        f"/staff/settings/units/{finance.pk}/",
        {prefix + "name_th": "กองคลัง", prefix + "is_active": ""},
    )
    assert busy.status_code == 400
    assert "ยังมีผู้ใช้งาน 1 คนสังกัดหน่วยงานนี้" in text_of(busy)
    cycle = admin_client.post(
        f"/staff/settings/units/{finance.pk}/",
        {prefix + "name_th": "กองคลัง", prefix + "parent": child.pk, prefix + "is_active": "on"},
    )
    assert cycle.status_code == 400
    assert "หน่วยงานย่อยของตัวเอง" in text_of(cycle)
    with alpha:
        finance.refresh_from_db()
        assert finance.is_active and finance.parent_id is None
        assert not OrgUnit.objects.filter(name_th="กองใหม่").exists()
    assert audit_actions(alpha, "settings.") == []


# --- people -----------------------------------------------------------------------------------


def invite_post(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "first_name": "มานี",
        "last_name": "มีนา",
        "email": "Manee@Alpha.example",
        "username": "manee",
        "position": "นักวิชาการเงินและบัญชี",
        "org_unit": "",
        "roles": ["officer", "unit_clerk"],
    }
    values.update(overrides)
    return values


def test_invite_creates_account_and_sends_the_link(admin_client: Client, alpha: Any) -> None:
    from accounts.models import OrgUnit, User
    from registers.models import AuditEntry

    with alpha:
        finance = OrgUnit.objects.get(code="finance")
    response = admin_client.post("/staff/settings/people/new/", invite_post(org_unit=finance.pk))
    assert response.status_code == 302
    with alpha:
        person = User.objects.get(username="manee")
        assert person.email == "manee@alpha.example"
        assert person.org_unit_id == finance.pk
        assert person.position == "นักวิชาการเงินและบัญชี"
        assert sorted(person.roles.values_list("code", flat=True)) == ["officer", "unit_clerk"]
        assert not person.has_usable_password()
        entry = AuditEntry.objects.get(action="settings.staff_invite")
        assert entry.data["user"] == person.pk and entry.data["roles"] == ["officer", "unit_clerk"]
    (message,) = mail.outbox
    assert message.to == ["manee@alpha.example"]
    assert re.search(r"http://alpha\.localhost(:\d+)?/accounts/reset/", message.body)
    assert "ท่านได้รับเชิญเข้าใช้ระบบสารบรรณอิเล็กทรอนิกส์ของเทศบาลตำบลอัลฟา" in message.body
    listing = admin_client.get("/staff/settings/people/")
    assert "มานี มีนา" in text_of(listing)
    assert "รอตั้งรหัสผ่าน" in text_of(listing)
    assert "เจ้าหน้าที่ผู้ปฏิบัติ" in text_of(listing)  # roles by their Thai names

    again = admin_client.post(f"/staff/settings/people/{person.pk}/reinvite/")
    assert again.status_code == 302
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"roles": []}, "โปรดเลือกบทบาทอย่างน้อยหนึ่งบทบาท"),
        ({"email": "admin@alpha.example"}, "อีเมลนี้มีผู้ใช้งานอยู่แล้ว"),
        ({"username": "admin@alpha.example", "email": "new@alpha.example"}, "ชื่อผู้ใช้นี้มีอยู่แล้ว"),
        ({"email": "not-an-email"}, "อีเมลไม่ถูกต้อง"),
        ({"username": "มานี"}, "ชื่อผู้ใช้ใช้ได้เฉพาะ"),
    ],
)
def test_invite_errors_are_thai_and_nothing_is_created(
    admin_client: Client, alpha: Any, overrides: dict[str, Any], message: str
) -> None:
    from accounts.models import User

    with alpha:
        count = User.objects.count()
    response = admin_client.post("/staff/settings/people/new/", invite_post(**overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    with alpha:
        assert User.objects.count() == count
    assert mail.outbox == []
    assert audit_actions(alpha, "settings.") == []


def edit_post(person: Any, **values: Any) -> dict[str, Any]:
    return {f"user{person.pk}-{key}": value for key, value in values.items()}


def test_change_roles_unit_and_deactivate(admin_client: Client, alpha: Any) -> None:
    from accounts.models import OrgUnit
    from registers.models import AuditEntry

    person = make_staff(alpha, "somchai", role_codes=("officer",), org_unit_code="finance")
    with alpha:
        engineering = OrgUnit.objects.get(code="engineering")
    page = admin_client.get(f"/staff/settings/people/{person.pk}/")
    assert page.status_code == 200
    response = admin_client.post(
        f"/staff/settings/people/{person.pk}/",
        edit_post(
            person,
            position="นายช่างโยธา",
            org_unit=engineering.pk,
            roles=["unit_clerk", "executive"],
            is_active="on",
        ),
    )
    assert response.status_code == 302
    with alpha:
        person.refresh_from_db()
        assert person.org_unit_id == engineering.pk and person.position == "นายช่างโยธา"
        assert sorted(person.roles.values_list("code", flat=True)) == ["executive", "unit_clerk"]
    response = admin_client.post(
        f"/staff/settings/people/{person.pk}/",
        edit_post(person, position="นายช่างโยธา", org_unit=engineering.pk, roles=["unit_clerk"]),
    )
    assert response.status_code == 302
    with alpha:
        person.refresh_from_db()
        assert person.is_active is False
        changes = [
            e.data["changed"]
            for e in AuditEntry.objects.filter(action="settings.staff_update").order_by("seq")
        ]
    assert changes[0]["roles"] == [["officer"], ["executive", "unit_clerk"]]
    assert changes[1]["is_active"] == [True, False]
    # A deactivated account can no longer use its session.
    assert logged_in(alpha, person).get("/staff/settings/tokens/").status_code == 302


def test_admin_cannot_lock_themselves_out(admin_client: Client, alpha: Any, admin: Any) -> None:
    response = admin_client.post(
        f"/staff/settings/people/{admin.pk}/",
        edit_post(admin, position="", org_unit="", roles=["central_clerk"], is_active="on"),
    )
    assert response.status_code == 400
    assert "ถอดสิทธิ์ผู้ดูแลระบบหรือปิดบัญชีของตนเองไม่ได้" in text_of(response)
    with alpha:
        assert admin.has_role("tenant_admin")
    no_roles = admin_client.post(
        f"/staff/settings/people/{admin.pk}/",
        edit_post(admin, position="", org_unit="", is_active="on"),
    )
    assert no_roles.status_code == 400
    assert "โปรดเลือกบทบาทอย่างน้อยหนึ่งบทบาท" in text_of(no_roles)


# --- API tokens -------------------------------------------------------------------------------


def test_token_create_shows_it_once_then_revoke(
    clerk_client: Client, alpha: Any, clerk_user: Any
) -> None:
    from registers.api.tokens import api_token_authenticate
    from registers.models import ApiToken

    response = clerk_client.post("/staff/settings/tokens/", {"name": "ระบบบัญชีกองคลัง"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    match = re.search(r'value="(sbn_[A-Za-z0-9_\-]+)"', text_of(response))
    assert match is not None
    raw = match.group(1)
    with alpha:
        token = ApiToken.objects.get(user=clerk_user)
        assert token.name == "ระบบบัญชีกองคลัง"
        user = api_token_authenticate(raw)
        assert user is not None and user.pk == clerk_user.pk
    later = clerk_client.get("/staff/settings/tokens/")
    assert raw not in text_of(later)
    assert "ยังไม่เคยใช้" in text_of(response)
    # Authenticating above used it: the list now shows when, not "never used".
    assert token.prefix in text_of(later) and "ยังไม่เคยใช้" not in text_of(later)

    revoked = clerk_client.post(f"/staff/settings/tokens/{token.pk}/revoke/")
    assert revoked.status_code == 302
    with alpha:
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert api_token_authenticate(raw) is None
    assert "เพิกถอนเมื่อ" in text_of(clerk_client.get("/staff/settings/tokens/"))


def test_token_name_required_and_others_tokens_untouchable(
    clerk_client: Client, admin_client: Client, alpha: Any, admin: Any
) -> None:
    from registers.api.tokens import api_token_create
    from registers.models import ApiToken

    blank = clerk_client.post("/staff/settings/tokens/", {"name": "  "})
    assert blank.status_code == 400
    with alpha:
        assert not ApiToken.objects.exists()
        other, _raw = api_token_create(user=admin, name="ของผู้ดูแล")
    assert clerk_client.post(f"/staff/settings/tokens/{other.pk}/revoke/").status_code == 404
    with alpha:
        other.refresh_from_db()
        assert other.revoked_at is None
    # Everyone has their own token page; only admins see the settings menu on it.
    assert "เมนูการตั้งค่า" not in text_of(clerk_client.get("/staff/settings/tokens/"))
    assert "เมนูการตั้งค่า" in text_of(admin_client.get("/staff/settings/tokens/"))


# --- storage, destruction and handover --------------------------------------------------------


def this_be_year() -> int:
    from thaiformat.dates import be_year

    return be_year(timezone.now())


def stored(clerk: Any, subject: str, **overrides: Any) -> Any:
    """A received letter with a file, closed and stored through the services."""
    from registers.inputs import FileInput
    from registers.services import letters as svc
    from registers.services.retention import letter_store
    from registers.services.routing import letter_close

    letter = svc.intake_create(
        data=letter_input(subject=subject, **overrides),
        files=[FileInput("หนังสือ.pdf", pdf_bytes(subject))],
        actor=clerk,
    )
    svc.letter_register_incoming(letter=letter, actor=clerk)
    letter_close(letter=letter, actor=clerk)
    letter_store(letter=letter, actor=clerk, file_code="2.1")
    letter.refresh_from_db()
    return letter


@pytest.fixture
def due_letters(alpha: Any, clerk_user: Any) -> Iterator[list[Any]]:
    from registers.models import StorageRecord

    last_year = this_be_year() - 1
    with alpha:
        letters = [stored(clerk_user, f"เรื่องครบอายุ {n}") for n in (1, 2, 3)]
        # Simulate the years passing: storing today keeps them ten years, so their
        # "เก็บถึง พ.ศ." is set back to last year directly.
        StorageRecord.objects.filter(letter__in=letters).update(keep_until_year=last_year)
    yield letters


def test_storage_register_lists_and_downloads(clerk_client: Client, due_letters: list[Any]) -> None:
    page = clerk_client.get("/staff/retention/")
    body = text_of(page)
    assert page.status_code == 200
    for letter in due_letters:
        assert letter.subject in body
    assert "3 รายการ" in body
    today = timezone.localdate()
    be = f"{today.day}/{today.month}/{today.year + 543}"
    ranged = clerk_client.get("/staff/retention/", {"start": be, "end": be})
    assert "เรื่องครบอายุ 1" in text_of(ranged)
    empty = clerk_client.get("/staff/retention/", {"start": "1/1/2560", "end": "31/12/2560"})
    assert "เรื่องครบอายุ 1" not in text_of(empty)
    wrong = clerk_client.get("/staff/retention/", {"start": "31/02/2569"})
    assert "ไม่มีวันที่นี้ในปฏิทิน" in text_of(wrong)

    pdf = clerk_client.get(
        "/staff/retention/storage/storage_register.pdf", {"start": be, "end": be}
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    xlsx = clerk_client.get("/staff/retention/storage/storage_list.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert clerk_client.get("/staff/retention/storage/storage_list.doc").status_code == 404
    assert clerk_client.get("/staff/retention/storage/receive.pdf").status_code == 404


def test_whole_destruction_trail_through_the_pages(
    clerk_client: Client,
    alpha: Any,
    clerk_user: Any,
    due_letters: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from registers.models import Attachment, AuditEntry, DestructionList, StorageRecord
    from registers.services.audit import audit_verify

    year = this_be_year() - 1
    due = clerk_client.get("/staff/retention/destruction/", {"year": year})
    assert "เรื่องครบอายุ 3" in text_of(due)
    assert f"จัดทำบัญชีหนังสือขอทำลาย พ.ศ. {year} (3 รายการ)" in text_of(due)
    this_year = clerk_client.post("/staff/retention/destruction/new/", {"year": year + 1})
    assert this_year.status_code == 302  # refused: the year has not ended
    assert "จัดทำบัญชีได้เมื่อสิ้นปี" in text_of(clerk_client.get(this_year["Location"]))

    created = clerk_client.post("/staff/retention/destruction/new/", {"year": year})
    assert created.status_code == 302
    with alpha:
        dlist = DestructionList.objects.get(year=year)
        items = list(dlist.items.order_by("item_number"))
    assert created["Location"] == f"/staff/retention/destruction/{dlist.pk}/"
    url = created["Location"]
    detail = text_of(clerk_client.get(url))
    assert "ตั้งคณะกรรมการ" in detail and "เรื่องครบอายุ 2" in detail

    # Committee: a chair and at least two members.
    committee = {
        "chair-chair_name": "นายประธาน ใจดี",
        "chair-chair_position": "ปลัดเทศบาล",
        "member-TOTAL_FORMS": "3",
        "member-INITIAL_FORMS": "0",
        "member-0-name": "นางกรรมการ หนึ่ง",
        "member-0-position": "หัวหน้าสำนักปลัด",
        "member-1-name": "",
        "member-1-position": "",
        "member-2-name": "",
        "member-2-position": "",
    }
    short = clerk_client.post(url + "committee/", committee)
    assert short.status_code == 400
    assert "คณะกรรมการต้องมีประธานและกรรมการอย่างน้อยสองคน" in text_of(short)
    with alpha:
        assert not dlist.committee.exists()
    committee.update({"member-2-name": "นายกรรมการ สอง", "member-2-position": "ผู้อำนวยการกองคลัง"})
    assert clerk_client.post(url + "committee/", committee).status_code == 302
    with alpha:
        assert list(dlist.committee.values_list("role", "name")) == [
            ("chair", "นายประธาน ใจดี"),
            ("member", "นางกรรมการ หนึ่ง"),
            ("member", "นายกรรมการ สอง"),
        ]

    # Item by item: destroy, destroy (through htmx), keep until a later year.
    def decide(item: Any, **values: Any) -> dict[str, Any]:
        return {f"item{item.pk}-{key}": value for key, value in values.items()}

    first = clerk_client.post(f"{url}items/{items[0].pk}/", decide(items[0], decision="destroy"))
    assert first.status_code == 302 and first["Location"].endswith(f"#item-{items[0].pk}")
    row = clerk_client.post(
        f"{url}items/{items[1].pk}/", decide(items[1], decision="destroy"), HTTP_HX_REQUEST="true"
    )
    assert row.status_code == 200
    assert text_of(row).lstrip().startswith("<article") and "ทำลาย" in text_of(row)
    no_year = clerk_client.post(f"{url}items/{items[2].pk}/", decide(items[2], decision="keep"))
    assert no_year.status_code == 400
    assert "โปรดระบุปี พ.ศ. ที่ขยายเวลาเก็บถึง" in text_of(no_year)
    with alpha:
        items[2].refresh_from_db()
        assert items[2].decision == "pending"
    last = clerk_client.post(
        f"{url}items/{items[2].pk}/",
        decide(items[2], decision="keep", keep_until_year=year + 5, remarks="ยังใช้อ้างอิง"),
        HTTP_HX_REQUEST="true",
    )
    assert last.status_code == 204 and last["HX-Refresh"] == "true"  # the list is decided
    with alpha:
        dlist.refresh_from_db()
        assert dlist.status == "decided"

    # Send to the National Archives, then record their answer.
    assert clerk_client.post(url + "send/", {"send-reference": ""}).status_code == 400
    sent = clerk_client.post(url + "send/", {"send-reference": "ขก 72101/55"})
    assert sent.status_code == 302
    today = timezone.localdate()
    be_today = f"{today.day}/{today.month}/{today.year + 543}"
    early = clerk_client.post(
        url + "answer/", {"answer-answer": "no_answer", "answer-answered_on": be_today}
    )
    assert early.status_code == 400
    assert "ยังไม่ครบ 60 วันนับแต่วันส่งบัญชี" in text_of(early)  # the service's refusal, in Thai
    answered = clerk_client.post(
        url + "answer/",
        {"answer-answer": "no_objection", "answer-answered_on": be_today, "answer-note": "ไม่ทักท้วง"},
    )
    assert answered.status_code == 302
    page = text_of(clerk_client.get(url))
    assert "ยืนยันทำลายหนังสือ 2 ฉบับตามบัญชีนี้" in page

    # Destroy: an explicit confirmation naming the count.
    unconfirmed = clerk_client.post(url + "destroy/", {"destroy-count": "2"})
    assert unconfirmed.status_code == 400
    assert "โปรดทำเครื่องหมายยืนยันก่อนทำลาย" in text_of(unconfirmed)
    stale = clerk_client.post(url + "destroy/", {"destroy-count": "3", "destroy-confirm": "on"})
    assert stale.status_code == 400
    assert "จำนวนหนังสือที่จะทำลายเปลี่ยนไป" in text_of(stale)
    with alpha:
        dlist.refresh_from_db()
        assert dlist.status == "approved"
        files = {
            a.letter_id: a.file.name for a in Attachment.objects.filter(letter__in=due_letters)
        }
        storage = Attachment._meta.get_field("file").storage
        assert all(storage.exists(name) for name in files.values())
    with django_capture_on_commit_callbacks(execute=True):
        done = clerk_client.post(url + "destroy/", {"destroy-count": "2", "destroy-confirm": "on"})
    assert done.status_code == 302
    with alpha:
        dlist.refresh_from_db()
        assert dlist.status == "destroyed" and dlist.destroyed_by_id == clerk_user.pk
        for letter in due_letters:
            letter.refresh_from_db()
        assert [letter.status for letter in due_letters] == ["destroyed", "destroyed", "stored"]
        assert not storage.exists(files[due_letters[0].pk])
        assert storage.exists(files[due_letters[2].pk])
        assert StorageRecord.objects.get(letter=due_letters[2]).keep_until_year == year + 5
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        assert {
            "retention.committee_set",
            "retention.decide",
            "retention.destruction_list_send",
            "retention.archives_answer",
            "retention.destroy",
        } <= actions
        assert audit_verify().ok
    assert "ทำลายแล้ว" in text_of(clerk_client.get(url))

    pdf = clerk_client.get(f"{url}form25.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = clerk_client.get(f"{url}form25.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_unit_clerk_sees_but_cannot_act(
    alpha: Any, due_letters: list[Any], clerk_user: Any
) -> None:
    from registers.models import DestructionList
    from registers.services.retention import destruction_list_create

    unit_clerk = make_staff(alpha, "unitclerk", role_codes=("unit_clerk",))
    client = logged_in(alpha, unit_clerk)
    year = this_be_year() - 1
    page = text_of(client.get("/staff/retention/destruction/", {"year": year}))
    assert "เรื่องครบอายุ 1" in page
    assert "retention/destruction/new/" not in page
    refused = client.post("/staff/retention/destruction/new/", {"year": year})
    assert refused.status_code == 302
    assert "ท่านไม่มีสิทธิ์" in text_of(client.get(refused["Location"]))
    with alpha:
        assert not DestructionList.objects.exists()
        dlist = destruction_list_create(year=year, actor=clerk_user)
    detail = text_of(client.get(f"/staff/retention/destruction/{dlist.pk}/"))
    assert "committee/" not in detail and "items/" not in detail


def test_handover_of_twenty_year_old_letters(
    clerk_client: Client, alpha: Any, clerk_user: Any
) -> None:
    from registers.models import HandoverList

    year = this_be_year() - 1
    old_day = date(year - 543 - 21, 5, 1)  # a letter dated 21 years before last year
    with alpha:
        old = stored(clerk_user, "หนังสือเก่า 21 ปี", letter_date=old_day)
        stored(clerk_user, "หนังสือใหม่")
    lists = text_of(clerk_client.get("/staff/retention/handover/", {"year": year}))
    assert "หนังสือเก่า 21 ปี" in lists and "หนังสือใหม่" not in lists
    created = clerk_client.post("/staff/retention/handover/new/", {"year": year})
    assert created.status_code == 302
    with alpha:
        hlist = HandoverList.objects.get(year=year)
        assert [item.letter_id for item in hlist.items.all()] == [old.pk]
    url = created["Location"]
    unconfirmed = clerk_client.post(url + "complete/")
    assert unconfirmed.status_code == 302
    with alpha:
        hlist.refresh_from_db()
        assert hlist.handed_over_at is None
    assert clerk_client.post(url + "complete/", {"confirm": "1"}).status_code == 302
    with alpha:
        hlist.refresh_from_db()
        old.refresh_from_db()
        assert hlist.handed_over_at is not None and old.status == "handed_over"
    assert "ส่งมอบให้หอจดหมายเหตุแห่งชาติแล้วเมื่อ" in text_of(clerk_client.get(url))
    pdf = clerk_client.get(f"{url}form21.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_system_account_is_not_listed_among_people(admin_client: Client, alpha: Any) -> None:
    """Automatic registrations are recorded under an inactive system account; it is not a
    person an admin manages, even in the list that shows inactive people."""
    from accounts.services import user_system

    with alpha:
        system = user_system()
        assert not system.is_active and not system.has_usable_password()
    listing = text_of(admin_client.get("/staff/settings/people/?inactive=1"))
    assert "ระบบสารบรรณอัตโนมัติ" not in listing
    assert "saraban-system" not in listing
