"""The Find a PT search form: every value from the address bar is checked here."""

from __future__ import annotations

import math
import re
import unicodedata

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import geo
from .language_names import LANGUAGE_NAMES
from .models import Language
from .search import ANY_CLINIC, CONFIRMED_FIRST, CONFIRMED_ONLY
from .validators import normalise_phone, validate_web_address

RADIUS_CHOICES = [
    (5, _("5 miles")),
    (10, _("10 miles")),
    (25, _("25 miles")),
    (50, _("50 miles")),
    (100, _("100 miles")),
]
RADII = [miles for miles, _ in RADIUS_CHOICES]
DEFAULT_RADIUS = 25
DRY_NEEDLING_CHOICES = [
    (CONFIRMED_FIRST, _("Clinics that offer dry needling first, then clinics that may offer it")),
    (CONFIRMED_ONLY, _("Only clinics that offer dry needling")),
    (ANY_CLINIC, _("Any physical therapy clinic")),
]
# What a search left blank means; filled in so the form shows the choice that was used.
DEFAULTS = {"radius": str(DEFAULT_RADIUS), "dry_needling": CONFIRMED_FIRST}
# Addresses bookmarked before the default listed both groups: "maybe" now is the default.
OLD_CHOICES = {"dry_needling": {"maybe": CONFIRMED_FIRST}}
SPANISH = "spanish"  # the language row the "Habla español" choice filters on
# Every parameter the search reads; anything else in the address bar is ignored.
SEARCH_PARAMETERS = (
    "location",
    "lat",
    "lon",
    "radius",
    "name",
    "dry_needling",
    "new_patients",
    "language",
    "spanish",
)
# Shown under "More choices", folded away unless in use.
MORE_CHOICES = ("name", "dry_needling", "new_patients", "language")
YOUR_LOCATION = _("your location")
_LOCATION_PROBLEM = _("We could not use your location. Type your ZIP code or city instead.")
_LOOK_ALIKE = _(
    "Type the ZIP code with the digits 0 to 9, and the city in plain letters, like 97201 or Portland, OR."
)
# A coordinate as the "Use my location" button sends it: ASCII only, no exponent, no "nan".
_COORDINATE = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,15})?", re.ASCII)


def has_look_alikes(text: str) -> bool:
    """Digits from other scripts (٩٧٢٠١), full-width forms (９７２０１) and other compatibility
    characters that read like ASCII. The ZIP data's Rust extension panics on them, so they
    are refused before anything looks the text up."""
    for char in text:
        if char.isascii():
            continue
        if unicodedata.category(char) in ("Nd", "No", "Nl") or unicodedata.normalize("NFKC", char).isascii():
            return True
    return False


def next_radius(miles: int) -> int | None:
    """The next larger distance the form offers, to suggest when nothing was found."""
    return next((radius for radius in RADII if radius > miles), None)


class ClinicSearchForm(forms.Form):
    location = forms.CharField(
        label=_("ZIP code or city"),
        help_text=_("For example: 97201, or Portland, OR"),
        max_length=100,
        required=False,
        error_messages={"max_length": _("That is too long. Type a ZIP code or a city and state.")},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )
    # Filled in by the "Use my location" button (static/js/find-a-pt.js); read in clean().
    lat = forms.CharField(required=False, widget=forms.HiddenInput)
    lon = forms.CharField(required=False, widget=forms.HiddenInput)
    radius = forms.TypedChoiceField(
        label=_("Distance"),
        choices=RADIUS_CHOICES,
        coerce=int,
        required=False,
        initial=DEFAULT_RADIUS,
        empty_value=DEFAULT_RADIUS,
        error_messages={"invalid_choice": _("Choose 5, 10, 25, 50 or 100 miles.")},
    )
    name = forms.CharField(
        label=_("Clinic or therapist name (optional)"),
        max_length=100,
        required=False,
        error_messages={"max_length": _("That is too long. Use 100 letters or fewer.")},
    )
    dry_needling = forms.ChoiceField(
        label=_("Dry needling"),
        choices=DRY_NEEDLING_CHOICES,
        required=False,
        initial=CONFIRMED_FIRST,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the options.")},
    )
    new_patients = forms.BooleanField(label=_("Only clinics taking new patients"), required=False)
    # Shown on Spanish pages beside the location, never folded away.
    spanish = forms.BooleanField(label=_("Spanish spoken: only clinics that speak Spanish"), required=False)
    language = forms.ModelChoiceField(
        label=_("Language spoken"),
        queryset=Language.objects.spoken_at_a_clinic(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any language"),
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )

    def __init__(self, data: QueryDict | None = None, **kwargs) -> None:
        if data is not None:
            data = data.copy()
            for key, value in DEFAULTS.items():
                if not data.get(key):
                    data[key] = value
            for key, renamed in OLD_CHOICES.items():
                if data.get(key) in renamed:
                    data[key] = renamed[data[key]]
        super().__init__(data, **{"label_suffix": "", **kwargs})
        # Language rows are named in English ("Spanish"): show them in the reader's language.
        self.fields["language"].label_from_instance = lambda language: gettext(language.name)
        self.location_choices: tuple[geo.Place, ...] = ()

    def clean_location(self) -> str:
        value = self.cleaned_data["location"]
        if has_look_alikes(value):
            raise forms.ValidationError(_LOOK_ALIKE, code="look_alike")
        return value

    def clean(self) -> dict:
        """Where to search from: the typed location wins; else the browser's lat/lon; else ask."""
        cleaned = super().clean()
        cleaned["place"] = None
        if "location" not in cleaned:  # already has a field error
            return cleaned
        if cleaned["location"]:
            try:
                cleaned["place"] = geo.locate(cleaned["location"])
            except geo.LocationError as error:
                self.location_choices = error.choices
                self.add_error("location", error.message)
        elif cleaned.get("lat") or cleaned.get("lon"):
            cleaned["place"] = self._browser_place(cleaned.get("lat", ""), cleaned.get("lon", ""))
        else:
            self.add_error("location", _("Type a ZIP code, or a city and state such as Portland, OR."))
        return cleaned

    def _browser_place(self, lat_text: str, lon_text: str) -> geo.Place | None:
        lat = lon = math.nan
        if _COORDINATE.fullmatch(lat_text) and _COORDINATE.fullmatch(lon_text):
            lat, lon = float(lat_text), float(lon_text)
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            self.add_error("location", _LOCATION_PROBLEM)
            return None
        return geo.Place(YOUR_LOCATION, lat, lon)

    @property
    def more_choices_open(self) -> bool:
        """Show the optional choices when one is in use or has an error, so nothing is hidden."""
        if not self.is_bound:
            return False
        data = self.data
        in_use = data.get("name") or data.get("new_patients") or data.get("language")
        changed = data.get("dry_needling") != CONFIRMED_FIRST
        return bool(in_use or changed or set(self.errors) & set(MORE_CHOICES))

    @property
    def dry_needling_mode(self) -> str:
        """CONFIRMED_FIRST, CONFIRMED_ONLY or ANY_CLINIC (search.find_near takes it)."""
        return self.cleaned_data["dry_needling"] or CONFIRMED_FIRST

    @property
    def filters(self) -> dict:
        """The other cleaned filters, as ClinicQuerySet.matching() takes them."""
        data = self.cleaned_data
        language = data["language"]
        if language is None and data.get("spanish"):
            language = Language.objects.filter(slug=SPANISH).first() or Language(slug=SPANISH, pk=0)
        return {
            "dry_needling": False,  # find_near groups by dry needling
            "new_patients": data["new_patients"],
            "language": language,
            "name": data["name"],
        }


YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class ListingUpdateForm(forms.Form):
    """ "Is this your clinic? Update this listing": what the listing should say, and who to call.

    Nothing here changes the public page: staff read it on the desk and approve field by field.
    """

    offers_dry_needling = forms.ChoiceField(
        label=_("Does your clinic offer dry needling?"), choices=YES_NO, widget=forms.RadioSelect
    )
    accepting_new_patients = forms.ChoiceField(
        label=_("Are you taking new patients?"),
        choices=[*YES_NO, ("", _("Leave as it is"))],
        required=False,
        widget=forms.RadioSelect,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages your staff see patients in"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label=_("Phone for patients"), max_length=30, required=False)
    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https")
    opening_hours = forms.CharField(
        label=_("Opening hours"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sender_name = forms.CharField(label=_("Your name"), max_length=120)
    sender_role = forms.CharField(label=_("Your role at the clinic"), max_length=120)
    sender_contact = forms.CharField(
        label=_("A work phone or email where we can call you back"),
        max_length=200,
        help_text=_("Only our staff see it, to check the update with you. We delete it 30 days after."),
    )
    # The honeypot: hidden from people (and from screen readers), so only a bot fills it in.
    fax = forms.CharField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **{"label_suffix": "", **kwargs})
        self.fields["languages"].choices = [(name, gettext(name)) for name in LANGUAGE_NAMES]

    @property
    def honeypot_filled(self) -> bool:
        return bool(str(self.data.get("fax", "")).strip())

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"]
        return normalise_phone(text) if text.strip() else ""

    def clean_website(self) -> str:
        url = self.cleaned_data["website"]
        if url:
            validate_web_address(url)
        return url

    def update_values(self) -> dict:
        """The cleaned form as ListingUpdate fields."""
        data = self.cleaned_data
        return {
            "offers_dry_needling": data["offers_dry_needling"] == "yes",
            "accepting_new_patients": {"yes": True, "no": False}.get(data["accepting_new_patients"]),
            "languages": list(data["languages"]),
            **{
                name: data[name]
                for name in (
                    "phone",
                    "website",
                    "opening_hours",
                    "sender_name",
                    "sender_role",
                    "sender_contact",
                )
            },
        }
