"""End to end in headless Chromium on a phone-sized screen (390x844), with screenshots.

A citizen finds a municipality on the apex's listing by province and by a misspelt name and sees
its verified saraban@ address and phone; an unverified one is not listed. A clerk publishes an
announcement with its PDF from the announcements register and withdraws it; the citizen sees it
appear on and disappear from the municipality's site. Every page is checked with axe-core
(WCAG 2.1 AA) and by keyboard. Screenshots: var/screenshots/portal-e2e/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.cleanup import delete_with_dependants
from tests.conftest import host_of, make_staff
from tests.portal.helpers_axe import axe_violations
from tests.portal.helpers_portal import listed_municipality, record_check
from tests.registers.conftest import letter_input, pdf_bytes
from tests.registers.helpers_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, live_server

pytestmark = [pytest.mark.portal, pytest.mark.browser]

PASSWORD = "a-long-passphrase-2569"
TITLE = "ประกาศรับสมัครบุคคลเพื่อสรรหาและเลือกสรรเป็นพนักงานจ้าง"


def _fetch(page: Any, url: str) -> list[Any]:
    """Status and first four bytes, fetched by the browser (Node cannot resolve *.localhost)."""
    return list(
        page.evaluate(
            """async (url) => {
                const response = await fetch(url);
                const head = new Uint8Array(await response.arrayBuffer()).slice(0, 4);
                return [response.status, String.fromCharCode(...head)];
            }""",
            url,
        )
    )


def _no_axe_violations(page: Any, name: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"


def test_citizen_on_a_phone_finds_a_verified_address_and_sees_announcements(
    committed_tenant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from mailhosting.selectors import primary_mail_domain
    from publicsite.models import PublishedAnnouncement
    from registers.inputs import FileInput
    from registers.services.letters import letter_create_outgoing, letter_register_outgoing

    tenant = committed_tenant
    tenant.name_th, tenant.name_en = "เทศบาลตำบลโนนสะอาด", "Non Sa-at Subdistrict Municipality"
    tenant.province, tenant.district = "อุดรธานี", "โนนสะอาด"
    tenant.save()
    domain = primary_mail_domain(municipality=tenant)
    assert domain is not None
    record_check(domain, ok=True)
    unverified, _d = listed_municipality("เทศบาลตำบลโนนสวรรค์", province="อุดรธานี")
    clerk = make_staff(tenant, "e2esite", password=PASSWORD, role_codes=("central_clerk",))
    with tenant:
        letter = letter_create_outgoing(
            data=letter_input(kind="public_relations", sub_kind="announcement", subject=TITLE),
            files=[FileInput("ประกาศรับสมัคร.pdf", pdf_bytes(TITLE))],
            actor=clerk,
        )
        letter_register_outgoing(letter=letter, register="announcement", actor=clerk)
    connection.set_schema_to_public()  # type: ignore[attr-defined]

    shots = SCREENSHOTS / "portal-e2e"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        with live_server(host_of(tenant)) as site, sync_playwright() as playwright:
            apex = site.replace(host_of(tenant), settings.PLATFORM_DOMAIN)
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            citizen = browser.new_context(
                viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
            ).new_page()
            staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            for page in (citizen, staff):
                page.set_default_timeout(90_000)
            expect.set_options(timeout=30_000)

            # 1. By province: the verified one is listed with its address and phone.
            citizen.goto(f"{apex}/")
            citizen.keyboard.press("Tab")  # the first stop is the skip link
            assert citizen.evaluate("document.activeElement.className") == "skip-link"
            _no_axe_violations(citizen, "listing")
            citizen.screenshot(path=str(shots / "1-listing-phone.png"), full_page=True)
            citizen.get_by_label("จังหวัด").select_option("อุดรธานี")
            citizen.get_by_role("button", name="ค้นหา", exact=True).click()
            card = citizen.locator(".entry", has_text="เทศบาลตำบลโนนสะอาด")
            expect(card).to_be_visible()
            expect(card.get_by_text(f"saraban@{domain.name}")).to_be_visible()
            expect(card.get_by_text(tenant.officer_phone)).to_be_visible()
            expect(card.get_by_text("ตรวจสอบแล้ว")).to_be_visible()
            expect(citizen.get_by_text("เทศบาลตำบลโนนสวรรค์")).to_have_count(0)
            width = citizen.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
            citizen.screenshot(path=str(shots / "2-by-province-phone.png"), full_page=True)

            # 2. By a misspelt name, typed with the keyboard, sent with Enter.
            citizen.goto(f"{apex}/")
            citizen.get_by_label("ชื่อหน่วยงาน (ภาษาไทยหรืออังกฤษ)").fill("โนนสอาด")
            citizen.keyboard.press("Enter")
            citizen.wait_for_url(re.compile(r".*q=.*"))
            first = citizen.locator(".entry").first
            expect(first).to_contain_text("เทศบาลตำบลโนนสะอาด")
            expect(first).to_contain_text(f"saraban@{domain.name}")
            _no_axe_violations(citizen, "search results")
            citizen.screenshot(path=str(shots / "3-misspelt-name-phone.png"), full_page=True)

            # 3. English.
            citizen.get_by_role("button", name="English").click()
            expect(citizen.locator("html")).to_have_attribute("lang", "en")
            citizen.screenshot(path=str(shots / "4-listing-english-phone.png"), full_page=True)
            citizen.get_by_role("button", name="ภาษาไทย").click()
            expect(citizen.locator("html")).to_have_attribute("lang", "th")

            # 4. The municipality's own site: its contact page and the channel announcement.
            website = first.locator("a[href^='http']").first.get_attribute("href")
            assert website is not None and host_of(tenant) in website
            # The listing links the public URL; the test server listens on another port.
            citizen.goto(f"{site}/")
            expect(citizen.get_by_role("heading", name="เทศบาลตำบลโนนสะอาด")).to_be_visible()
            _no_axe_violations(citizen, "site home")
            citizen.get_by_role("link", name="ติดต่อหน่วยงาน", exact=True).click()
            expect(citizen.get_by_text("ช่องทางการติดต่อราชการทางอิเล็กทรอนิกส์").first).to_be_visible()
            _no_axe_violations(citizen, "contact")
            citizen.screenshot(path=str(shots / "5-contact-phone.png"), full_page=True)

            # 5. The clerk publishes the announcement with one action.
            staff.goto(f"{site}/accounts/login/")
            staff.fill("input[name=username]", "e2esite")
            staff.fill("input[name=password]", PASSWORD)
            staff.get_by_role("button", name="เข้าสู่ระบบ").click()
            staff.wait_for_url(re.compile(r".*/staff/.*"))
            staff.goto(f"{site}/staff/site/announcements/")
            row = staff.locator("tr", has_text=TITLE)
            row.get_by_role("button", name="เผยแพร่บนเว็บไซต์").click()
            expect(staff.get_by_text("บนเว็บไซต์แล้ว").first).to_be_visible()
            _no_axe_violations(staff, "publishing")
            staff.screenshot(path=str(shots / "6-published-staff.png"), full_page=True)

            citizen.goto(f"{site}/announcements/")
            link = citizen.get_by_role("link", name=TITLE)
            expect(link).to_be_visible()
            assert _fetch(citizen, site + str(link.get_attribute("href"))) == [200, "%PDF"]
            _no_axe_violations(citizen, "announcements")
            citizen.screenshot(path=str(shots / "7-announcement-phone.png"), full_page=True)

            # 6. Withdrawn the same way: gone from the public page, the PDF too.
            row = staff.locator("tr", has_text=TITLE)
            row.get_by_label("เหตุผลที่ถอน").fill("ปิดรับสมัครแล้ว")
            row.get_by_role("button", name="ถอนออกจากเว็บไซต์").click()
            expect(staff.get_by_text("ออกจากเว็บไซต์แล้ว").first).to_be_visible()
            citizen.goto(f"{site}/announcements/")
            expect(citizen.get_by_text(TITLE)).to_have_count(0)
            citizen.screenshot(path=str(shots / "8-withdrawn-phone.png"), full_page=True)
            with tenant:
                publication = PublishedAnnouncement.objects.get(letter=letter)
                assert publication.withdrawn_at is not None
            assert _fetch(citizen, f"{site}/announcements/{publication.pk}.pdf")[0] == 404
            browser.close()
    finally:
        connection.set_schema_to_public()  # type: ignore[attr-defined]
        delete_with_dependants(type(unverified).objects.filter(pk=unverified.pk))
