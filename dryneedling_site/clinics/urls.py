from django.urls import path

from . import views

app_name = "clinics"
urlpatterns = [
    path("", views.search, name="search"),
    path("<slug:slug>/", views.clinic_detail, name="detail"),
    path("<slug:slug>/update/", views.clinic_update, name="update"),
]
