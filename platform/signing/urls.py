from django.urls import path

from signing import views

app_name = "signing"

urlpatterns = [
    path("", views.my_credential, name="my-credential"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]
