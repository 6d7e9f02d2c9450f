"""The vendor onboards a municipality through the wizard in headless Chromium.

Real components throughout: gunicorn serves the console, a Celery worker runs the steps, and
the invitation goes over SMTP. The mail relay is down at first (nothing listens on its port),
so the invitation step fails for real and the page shows the error; the relay is started, the
vendor retries, and the steps finish. The vendor then opens the municipality's page and
suspends it with a reason. Screenshots (laptop and tablet) go to var/screenshots/console/.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.console.conftest import CODES, PASSWORD, vendor_create
from tests.console.helpers_console_e2e import celery_worker, smtp_server
from tests.registers.helpers_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    free_port,
    live_server,
)

pytestmark = [pytest.mark.portal, pytest.mark.browser]

LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def vendor_committed(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    with django_db_blocker.unblock():
        user = vendor_create(f"vendor-{uuid.uuid4().hex[:6]}")
    try:
        yield user
    finally:
        from django_otp.plugins.otp_static.models import StaticDevice

        from accounts.models import User

        with django_db_blocker.unblock():
            StaticDevice.objects.filter(user=user).delete()
            # The collector of User.delete() would visit tenant-only tables (letter access...)
            # that the public schema does not have; nothing else points at a vendor user.
            User.objects.filter(pk=user.pk)._raw_delete(using="default")


@pytest.fixture
def onboarded_slug(django_db_blocker: Any) -> Iterator[str]:
    """The slug the wizard will create; the municipality and its schema are removed after."""
    slug = f"wz{uuid.uuid4().hex[:6]}"
    yield slug
    from django.db import connection

    from tenants.models import Municipality
    from tests.cleanup import delete_with_dependants

    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        for municipality in Municipality.objects.filter(slug=slug):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{municipality.schema_name}" CASCADE')
            delete_with_dependants(Municipality.objects.filter(pk=municipality.pk))


def _statuses(page: Any) -> dict[str, str]:
    return dict(
        page.eval_on_selector_all(
            "[data-step]", "els => els.map(e => [e.dataset.step, e.dataset.status])"
        )
    )


def _watch(page: Any, until: str, seconds: float = 120) -> list[dict[str, str]]:
    """Snapshots of the step statuses as the page polls, until the run ends in ``until``."""
    seen: list[dict[str, str]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        snapshot = _statuses(page)
        if not seen or snapshot != seen[-1]:
            seen.append(snapshot)
        status = page.get_attribute("#onboard-steps", "data-onboarding-status")
        if status == until:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"onboarding did not reach {until}: {seen[-3:]}")


def _done_counts(seen: list[dict[str, str]]) -> list[int]:
    return [sum(1 for s in snapshot.values() if s == "done") for snapshot in seen]


def test_vendor_onboards_through_the_wizard_and_retries_a_failed_step(
    vendor_committed: Any,
    onboarded_slug: str,
    django_db_blocker: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tenants.models import ConsoleAction, LifecycleEvent, Municipality

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # ORM calls between browser steps
    queue = f"console-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CELERY_QUEUE", queue)  # gunicorn queues the steps where our worker is
    smtp_port = free_port()  # nothing listens here yet: the mail relay is down
    shots = SCREENSHOTS / "console"
    shots.mkdir(parents=True, exist_ok=True)
    admin_email = f"saraban-admin@{onboarded_slug}.example"

    with (
        celery_worker(queue, smtp_port=smtp_port),
        live_server("localhost") as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=LAPTOP, locale="th-TH").new_page()
        page.set_default_timeout(90_000)
        expect.set_options(timeout=60_000)

        # Password and a backup code (the second factor).
        page.goto(f"{base}/console/login/?next=/console/")
        page.fill("input[name=username]", vendor_committed.username)
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=otp_token]", CODES[1])
        page.locator("input[type=submit]").click()
        page.wait_for_url(re.compile(r".*/console/$"))
        expect(page.get_by_role("heading", name="สิ่งที่ต้องดูแลวันนี้")).to_be_visible()

        # The wizard, filled by label; a bad slug first: the Thai error, nothing created.
        page.get_by_role("link", name="เพิ่มหน่วยงานใหม่").first.click()
        page.get_by_label("ชื่อหน่วยงาน (ภาษาไทย)").fill("เทศบาลตำบลวิซาร์ด")
        page.get_by_label("ชื่อหน่วยงาน (ภาษาอังกฤษ)").fill("Wizard Subdistrict Municipality")
        page.get_by_label("ประเภทองค์กร").select_option("subdistrict_municipality")
        page.get_by_label("จังหวัด", exact=True).select_option("ลำปาง")
        page.get_by_label("อำเภอ/เขต").fill("เมืองลำปาง")
        page.get_by_label("โดเมนย่อย").fill("www")
        page.get_by_label("รหัสหนังสือ").fill("ลป 72399")
        page.get_by_label("ชื่อผู้รับผิดชอบ").fill("นางสาววิซาร์ด ทดสอบ")
        page.get_by_label("โทรศัพท์ผู้รับผิดชอบ").fill("054 123 456")
        page.get_by_label("อีเมลผู้ดูแลระบบคนแรก").fill(admin_email)
        page.get_by_role("button", name="เริ่มใช้งาน").click()
        expect(page.get_by_text("สงวนไว้", exact=False).first).to_be_visible()
        page.screenshot(path=str(shots / "1-wizard-error.png"), full_page=True)
        page.get_by_label("โดเมนย่อย").fill(onboarded_slug)
        page.get_by_role("button", name="เริ่มใช้งาน").click()
        page.wait_for_url(re.compile(r".*/console/onboard/\d+/$"))

        # Steps turn done one after another, until the invitation meets the dead relay.
        seen = _watch(page, until="failed")
        (shots / "steps-observed-first-run.json").write_text(json.dumps(seen, indent=1))
        statuses = seen[-1]
        assert statuses["invitation"] == "failed"
        assert [name for name, s in statuses.items() if s == "failed"] == ["invitation"]
        assert all(statuses[n] == "done" for n in ("schema", "domains", "first_admin"))
        counts = _done_counts(seen)
        assert counts == sorted(counts), seen  # never backwards
        error = page.locator("[data-step=invitation] [data-step-error]")
        expect(error).to_contain_text("Connection refused")
        page.screenshot(path=str(shots / "2-step-failed.png"), full_page=True)

        # Mend the relay, retry from the failed step; the steps after it run too.
        with smtp_server(smtp_port) as relay:
            page.get_by_role("button", name="ลองขั้นตอนที่ล้มเหลวอีกครั้ง").click()
            seen = _watch(page, until="done")
            assert set(seen[-1].values()) == {"done"}
            expect(page.locator("[data-step=invitation]")).to_contain_text("ครั้งที่ 2")
            page.screenshot(path=str(shots / "3-all-done.png"), full_page=True)
            deadline = time.monotonic() + 10
            while not relay.messages and time.monotonic() < deadline:
                time.sleep(0.1)
            assert [to for to, _msg in relay.messages] == [[admin_email]]

        with django_db_blocker.unblock():
            municipality = Municipality.objects.get(slug=onboarded_slug)
            assert municipality.onboarding_status == "done"
            kinds = list(
                ConsoleAction.objects.filter(municipality=municipality)
                .order_by("id")
                .values_list("kind", "actor")
            )
        actor = f"vendor:{vendor_committed.username}"
        assert kinds == [("onboarding_start", actor), ("onboarding_retry", actor)]

        # The municipality's page: state, mail and DNS, backups, billing, usage, errors.
        page.get_by_role("link", name="ไปที่หน้าหน่วยงาน").click()
        page.wait_for_url(re.compile(rf".*/console/tenant/{municipality.pk}/$"))
        expect(page.locator("[data-lifecycle-state]")).to_have_text("ทดลองใช้")
        expect(page.locator("[data-section=mail]")).to_contain_text(onboarded_slug)
        expect(page.locator("[data-section=backups] [data-backup-region]")).to_have_count(2)
        # The earlier failure stays visible until the step succeeded: now the feed is clean.
        expect(page.locator("[data-section=errors]")).to_contain_text("ไม่มีข้อผิดพลาด")
        page.screenshot(path=str(shots / "4-tenant-laptop.png"), full_page=True)

        # Suspend with the keyboard: reason, confirmation, submit.
        page.get_by_role("link", name="ระงับการใช้งาน").click()
        page.get_by_label("เหตุผล").fill("ทดสอบการระงับจากคอนโซล")
        page.get_by_label("ยืนยันการดำเนินการนี้").focus()
        page.keyboard.press("Space")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(rf".*/console/tenant/{municipality.pk}/$"))
        expect(page.locator("[data-lifecycle-state]")).to_have_text("ระงับการใช้งาน")
        expect(page.locator("[data-section=history]")).to_contain_text("ทดสอบการระงับจากคอนโซล")
        with django_db_blocker.unblock():
            event = LifecycleEvent.objects.filter(municipality=municipality).first()
            assert event is not None
            assert (event.to_state, event.actor, event.reason) == (
                "suspended",
                actor,
                "ทดสอบการระงับจากคอนโซล",
            )

        # The same pages on a tablet: no sideways scrolling of the page.
        tablet = browser.new_context(viewport=TABLET, locale="th-TH").new_page()
        tablet.set_default_timeout(90_000)
        tablet.goto(f"{base}/console/login/?next=/console/")
        tablet.fill("input[name=username]", vendor_committed.username)
        tablet.fill("input[name=password]", PASSWORD)
        tablet.fill("input[name=otp_token]", CODES[2])
        tablet.locator("input[type=submit]").click()
        tablet.wait_for_url(re.compile(r".*/console/$"))
        expect(tablet.locator("[data-fleet-states]")).to_be_visible()
        assert tablet.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        tablet.screenshot(path=str(shots / "5-fleet-tablet.png"), full_page=True)
        tablet.goto(f"{base}/console/tenant/{municipality.pk}/")
        assert tablet.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        tablet.screenshot(path=str(shots / "6-tenant-tablet.png"), full_page=True)
        browser.close()
