from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.tenant_home, name="tenant-home"),
    path("staff/", views.staff_home, name="staff-home"),
    path("healthz", views.healthz, name="healthz"),
]
