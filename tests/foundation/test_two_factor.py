"""Municipality staff's second factor: enrolment, the login's code step, backup codes, the
municipality's policy, the admin's reset, and the audit trail of each change."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import client_for, make_staff

pytestmark = [pytest.mark.foundation, pytest.mark.django_db]

PASSWORD = "a-long-passphrase-2569"


def _code(device: TOTPDevice, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return str(value).zfill(device.digits)


def _login(client: Client, username: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def _enrol(tenant: Any, client: Client) -> tuple[TOTPDevice, list[str]]:
    """Through the pages, as the person would: start, read the secret, confirm with a code."""
    page = client.post("/accounts/two-factor/", {"action": "start"}).content.decode()
    assert "<svg" in page and 'data-testid="totp-secret"' in page
    with tenant:
        device = TOTPDevice.objects.get(confirmed=False)
    shown = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page)
    assert shown is not None
    import base64

    secret = shown.group(1).replace(" ", "")
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    done = client.post("/accounts/two-factor/", {"action": "confirm", "token": _code(device)})
    body = done.content.decode()
    codes = re.findall(r"<li><code>([a-z2-9]{10})</code></li>", body)
    with tenant:
        device.refresh_from_db()
    assert device.confirmed and len(codes) == 10
    return device, codes


def _set_policy(tenant: Any, value: str) -> None:
    from accounts.models import SecurityPolicy

    with tenant:
        SecurityPolicy.objects.update_or_create(pk=1, defaults={"two_factor": value})


def _audit_actions(tenant: Any) -> list[str]:
    from registers.models import AuditEntry

    with tenant:
        return list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))


def test_enrol_then_login_asks_for_the_code(alpha: Any) -> None:
    make_staff(alpha, username="somchai", password=PASSWORD, role_codes=("central_clerk",))
    client = client_for(alpha)
    assert _login(client, "somchai").status_code == 302
    device, _codes = _enrol(alpha, client)
    assert "two_factor.enrolled" in _audit_actions(alpha)

    fresh = client_for(alpha)
    first = _login(fresh, "somchai")
    assert first.status_code == 302 and first.headers["Location"] == "/accounts/login/verify/"
    # The password alone opens nothing.
    assert fresh.get("/staff/").status_code == 302
    assert fresh.get("/staff/").headers["Location"].startswith("/accounts/login/")
    wrong = fresh.post("/accounts/login/verify/", {"token": "000000"})
    assert wrong.status_code == 200 and "รหัสยืนยันไม่ถูกต้อง" in wrong.content.decode()
    with alpha:
        device.refresh_from_db()
    time.sleep(1.1)  # django-otp throttles the device for a second after a wrong code
    # The code of the next 30-second step: the one used at enrolment may not be replayed.
    right = fresh.post("/accounts/login/verify/", {"token": _code(device, drift=1)})
    assert right.status_code == 302
    assert fresh.get("/staff/").status_code == 200


def test_a_wrong_code_at_enrolment_enrols_nothing(alpha: Any) -> None:
    make_staff(alpha, username="wipa", password=PASSWORD)
    client = client_for(alpha)
    _login(client, "wipa")
    client.post("/accounts/two-factor/", {"action": "start"})
    page = client.post("/accounts/two-factor/", {"action": "confirm", "token": "123456"})
    assert "รหัสยืนยันไม่ถูกต้อง" in page.content.decode()
    with alpha:
        assert not TOTPDevice.objects.filter(confirmed=True).exists()
        assert not StaticDevice.objects.exists()


def test_a_backup_code_works_once(alpha: Any) -> None:
    make_staff(alpha, username="anan", password=PASSWORD)
    client = client_for(alpha)
    _login(client, "anan")
    _device, codes = _enrol(alpha, client)

    one = client_for(alpha)
    _login(one, "anan")
    assert one.post("/accounts/login/verify/", {"token": codes[0]}).status_code == 302
    two = client_for(alpha)
    _login(two, "anan")
    again = two.post("/accounts/login/verify/", {"token": codes[0]})
    assert again.status_code == 200 and "รหัสยืนยันไม่ถูกต้อง" in again.content.decode()
    time.sleep(1.1)  # the throttle after a wrong code
    assert two.post("/accounts/login/verify/", {"token": codes[1]}).status_code == 302


def test_too_many_wrong_codes_ask_for_the_password_again(alpha: Any) -> None:
    make_staff(alpha, username="kanya", password=PASSWORD)
    client = client_for(alpha)
    _login(client, "kanya")
    _enrol(alpha, client)
    fresh = client_for(alpha)
    _login(fresh, "kanya")
    for _ in range(4):
        assert fresh.post("/accounts/login/verify/", {"token": "999999"}).status_code == 200
    last = fresh.post("/accounts/login/verify/", {"token": "999999"})
    assert last.status_code == 302 and last.headers["Location"] == "/accounts/login/"
    # The pending login is gone: even a right code now needs the password first.
    assert fresh.get("/accounts/login/verify/").headers["Location"] == "/accounts/login/"


def test_a_pending_login_expires(alpha: Any) -> None:
    make_staff(alpha, username="preecha", password=PASSWORD)
    client = client_for(alpha)
    _login(client, "preecha")
    device, _codes = _enrol(alpha, client)
    fresh = client_for(alpha)
    _login(fresh, "preecha")
    session = fresh.session
    session["two_factor_pending"]["since"] = time.time() - 301
    session.save()
    late = fresh.post("/accounts/login/verify/", {"token": _code(device, drift=1)})
    assert late.status_code == 302 and late.headers["Location"] == "/accounts/login/"


def test_policy_everyone_sends_a_person_without_a_factor_to_enrolment(alpha: Any) -> None:
    make_staff(alpha, username="boon", password=PASSWORD, role_codes=("central_clerk",))
    _set_policy(alpha, "everyone")
    client = client_for(alpha)
    login = _login(client, "boon")
    assert login.headers["Location"] == "/accounts/two-factor/"
    assert client.get("/staff/").headers["Location"] == "/accounts/two-factor/"
    api = client.get("/api/me/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    _enrol(alpha, client)  # proving the factor at enrolment verifies this session
    assert client.get("/staff/").status_code == 200


def test_policy_admins_forces_admins_only(alpha: Any) -> None:
    make_staff(alpha, username="admin1", password=PASSWORD, role_codes=("tenant_admin",))
    make_staff(alpha, username="clerk1", password=PASSWORD, role_codes=("central_clerk",))
    _set_policy(alpha, "admins")
    admin, clerk = client_for(alpha), client_for(alpha)
    assert _login(admin, "admin1").headers["Location"] == "/accounts/two-factor/"
    assert _login(clerk, "clerk1").headers["Location"] != "/accounts/two-factor/"
    assert clerk.get("/staff/").status_code == 200


def test_only_an_enrolled_admin_may_require_it_and_the_change_is_audited(alpha: Any) -> None:
    make_staff(alpha, username="admin2", password=PASSWORD, role_codes=("tenant_admin",))
    make_staff(alpha, username="clerk2", password=PASSWORD, role_codes=("central_clerk",))
    admin = client_for(alpha)
    _login(admin, "admin2")
    refused = admin.post("/accounts/two-factor/", {"action": "policy", "two_factor": "everyone"})
    assert "เปิดใช้การยืนยันตัวตนสองขั้นตอนของท่านเองก่อน" in refused.content.decode()
    _enrol(alpha, admin)
    saved = admin.post("/accounts/two-factor/", {"action": "policy", "two_factor": "everyone"})
    assert saved.status_code == 302
    from accounts.two_factor.selectors import policy_current

    with alpha:
        assert policy_current() == "everyone"
    assert "two_factor.policy" in _audit_actions(alpha)

    clerk = client_for(alpha)
    _login(clerk, "clerk2")
    _enrol(alpha, clerk)
    not_admin = clerk.post("/accounts/two-factor/", {"action": "policy", "two_factor": "optional"})
    assert "เฉพาะผู้ดูแลระบบ" in not_admin.content.decode()
    with alpha:
        assert policy_current() == "everyone"


def test_the_admin_resets_a_lost_phone_and_a_clerk_cannot(alpha: Any) -> None:
    make_staff(alpha, username="admin3", password=PASSWORD, role_codes=("tenant_admin",))
    clerk_user = make_staff(alpha, username="clerk3", password=PASSWORD)
    other = make_staff(alpha, username="clerk4", password=PASSWORD)
    clerk = client_for(alpha)
    _login(clerk, "clerk3")
    _enrol(alpha, clerk)
    clerk.post(f"/accounts/two-factor/reset/{other.pk}/")
    peer = client_for(alpha)
    _login(peer, "clerk4")
    with alpha:
        assert TOTPDevice.objects.filter(user=clerk_user).exists()

    admin = client_for(alpha)
    _login(admin, "admin3")
    admin.post(f"/accounts/two-factor/reset/{clerk_user.pk}/")
    with alpha:
        assert not TOTPDevice.objects.filter(user=clerk_user).exists()
        assert not StaticDevice.objects.filter(user=clerk_user).exists()
    assert "two_factor.reset" in _audit_actions(alpha)
    # Without a factor left, the password alone logs in again (policy optional here).
    assert _login(client_for(alpha), "clerk3").headers["Location"] != "/accounts/login/verify/"


def test_turning_it_off_is_refused_while_the_policy_requires_it(alpha: Any) -> None:
    make_staff(alpha, username="admin5", password=PASSWORD, role_codes=("tenant_admin",))
    client = client_for(alpha)
    _login(client, "admin5")
    device, _codes = _enrol(alpha, client)
    _set_policy(alpha, "everyone")
    page = client.post("/accounts/two-factor/", {"action": "disable", "token": _code(device, 1)})
    assert "จึงปิดไม่ได้" in page.content.decode()
    with alpha:
        assert TOTPDevice.objects.filter(confirmed=True).exists()


def test_a_factor_belongs_to_one_municipality(alpha: Any, beta: Any) -> None:
    """The same username in another schema is another person with no factor of its own."""
    make_staff(alpha, username="same", password=PASSWORD)
    make_staff(beta, username="same", password=PASSWORD)
    client = client_for(alpha)
    _login(client, "same")
    _enrol(alpha, client)
    assert _login(client_for(alpha), "same").headers["Location"] == "/accounts/login/verify/"
    assert _login(client_for(beta), "same").headers["Location"] != "/accounts/login/verify/"
