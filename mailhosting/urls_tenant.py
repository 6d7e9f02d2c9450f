from django.urls import path

from mailhosting import views_tenant

app_name = "mailhosting"

urlpatterns = [
    path("", views_tenant.mail_settings, name="settings"),
]
