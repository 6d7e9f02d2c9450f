from django.urls import path

from portal import views
from publicsite import views as site
from publicsite import views_staff as site_staff

app_name = "portal"

urlpatterns = [
    # The municipality's public site (publicsite: its rows live in the tenant schema).
    path("", site.home, name="tenant-home"),
    path("contact/", site.contact, name="contact"),
    path("announcements/", site.announcements, name="announcements"),
    path("announcements/<int:pk>.pdf", site.announcement_pdf, name="announcement-pdf"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/site/", site_staff.contact_settings, name="staff-site-contact"),
    path("staff/site/announcements/", site_staff.publishing, name="staff-site-publishing"),
    path(
        "staff/site/announcements/<int:letter_pk>/publish",
        site_staff.publish,
        name="staff-site-publish",
    ),
    path(
        "staff/site/publications/<int:pk>/withdraw",
        site_staff.withdraw,
        name="staff-site-withdraw",
    ),
    path("healthz", views.healthz, name="healthz"),
]
