from django.urls import path

from mailhosting import views_tenant

app_name = "mailhosting"

urlpatterns = [
    path("", views_tenant.mail_settings, name="settings"),
    path("mailboxes/new/", views_tenant.mailbox_create, name="mailbox-create"),
    path("mailboxes/<int:pk>/password/", views_tenant.mailbox_password, name="mailbox-password"),
    path("mailboxes/<int:pk>/active/", views_tenant.mailbox_active, name="mailbox-active"),
    path("aliases/new/", views_tenant.alias_create, name="alias-create"),
    path("aliases/<int:pk>/active/", views_tenant.alias_active, name="alias-active"),
]
