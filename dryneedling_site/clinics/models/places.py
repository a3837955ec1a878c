"""Where things are: the ZIP and city centres (reference data) and each state's rule on PTs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import geo
from ..validators import validate_web_address


class StateRule(models.Model):
    """What a state's rules say about PTs dry needling, as staff checked it at its source.

    Shipped empty on purpose: only staff fill it, each row with the address they read it at
    and the date they checked, and the search shows that source and date beside the rule.
    """

    class Status(models.TextChoices):
        ALLOWED = "allowed", _("PTs may dry needle")
        NOT_ALLOWED = "not_allowed", _("PTs may not dry needle")
        UNCLEAR = "unclear", _("The rules are unclear")

    state = models.CharField(max_length=2, choices=geo.State.choices, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    source_url = models.URLField(
        "source", validators=[validate_web_address], help_text="Where you read it: the board's page."
    )
    checked_on = models.DateField("checked on", help_text="The day you read the source.")

    class Meta:
        ordering = ["state"]
        verbose_name = "state rule on dry needling"
        verbose_name_plural = "state rules on dry needling"

    def __str__(self) -> str:
        return f"{self.get_state_display()}: {self.get_status_display()}"


class ZipCode(models.Model):
    """A ZIP code's centre, from the zipcodes package data, loaded by a migration.

    Reference data, not site content: unmanaged, so a test database flush keeps it. The table
    is created and filled by migration 0002; `geo.load_places()` refills it.
    """

    zip_code = models.CharField(max_length=5, primary_key=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        managed = False
        db_table = "clinics_zipcode"

    def __str__(self) -> str:
        return f"{self.zip_code} ({self.city}, {self.state})"


class CityCentre(models.Model):
    """A city's centre (the mean of its street-delivery ZIPs): "Portland, OR" -> a point."""

    key = models.CharField(max_length=110, primary_key=True)  # "PORTLAND|OR"
    city_key = models.CharField(max_length=100)  # geo.city_key(): indexed by migration 0002
    state = models.CharField(max_length=2)
    label = models.CharField(max_length=110)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        managed = False
        db_table = "clinics_citycentre"

    def __str__(self) -> str:
        return self.label
