from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.public_home, name="public-home"),
    path("healthz", views.healthz, name="healthz"),
]
