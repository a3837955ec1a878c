"""What a clinic sent to update its listing, waiting for staff (the desk: listing_updates.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .clinic import Clinic

LISTING_UPDATE_CONTACT_DAYS = 30
# The fields a clinic may propose, in the order the form and the diff show them.
PROPOSED_FIELDS = (
    "offers_dry_needling",
    "accepting_new_patients",
    "languages",
    "phone",
    "website",
    "opening_hours",
)


class ListingUpdate(models.Model):
    """What a clinic asked its listing to say, waiting for staff."""

    class Status(models.TextChoices):
        NEW = "new", "Waiting"
        CALLED_BACK = "called_back", "Called back, still open"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="listing_updates")
    created_at = models.DateTimeField("sent", auto_now_add=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    offers_dry_needling = models.BooleanField()
    accepting_new_patients = models.BooleanField(null=True, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="Language names, as sent.")
    phone = models.CharField(max_length=10, blank=True)
    website = models.URLField(blank=True)
    opening_hours = models.TextField(blank=True)
    sender_name = models.CharField(max_length=120, blank=True)
    sender_role = models.CharField(max_length=120, blank=True)
    sender_contact = models.CharField("work phone or email", max_length=200, blank=True)
    approved_fields = models.JSONField(default=list, blank=True, editable=False)
    called_back_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    contact_purged_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="listing_update_queue_idx")]

    def __str__(self) -> str:
        return f"Update for {self.clinic.name} sent {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.NEW, self.Status.CALLED_BACK)
