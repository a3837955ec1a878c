from django.urls import path

from . import views

app_name = "clinics"
urlpatterns = [
    path("", views.search, name="search"),
    path("<slug:slug>/", views.clinic_detail, name="detail"),
]
