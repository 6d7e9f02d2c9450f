from django.urls import path

from portal import views, views_listing

app_name = "portal"

urlpatterns = [
    path("", views_listing.listing, name="public-home"),
    path("opendata/saraban-addresses.json", views_listing.open_data_json, name="opendata-json"),
    path("opendata/saraban-addresses.csv", views_listing.open_data_csv, name="opendata-csv"),
    path("opendata/dga-central-addresses.csv", views_listing.dga_csv, name="opendata-dga-csv"),
    path("opendata/dga-central-addresses.xlsx", views_listing.dga_xlsx, name="opendata-dga-xlsx"),
    path("healthz", views.healthz, name="healthz"),
]
