"""Find a PT pages: the search (a GET form, so results can be bookmarked) and a clinic's page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from dryneedling_site.core import cachesafe
from dryneedling_site.core import requestguards as guards
from dryneedling_site.core.pagecache import cache_public_page, do_not_store
from dryneedling_site.core.siteurl import absolute_url

from . import search as clinic_search
from .forms import RADII, SEARCH_PARAMETERS, ClinicSearchForm, ListingUpdateForm, next_radius
from .listing_updates import ListingUpdate
from .models import Clinic, StateRule, Therapist

RESULTS_PER_PAGE = 20


@cache_public_page(scopes=["clinics"], params=SEARCH_PARAMETERS + ("page",))
def search(request: HttpRequest) -> HttpResponse:
    """Clinics near a ZIP, a city or the browser's location, nearest first, 20 a page."""
    form = ClinicSearchForm(request.GET or None)
    context: dict = {"form": form, "canonical_url": absolute_url(reverse("clinics:search"))}
    if form.is_valid():
        place, radius = form.cleaned_data["place"], form.cleaned_data["radius"]
        filters, mode = form.filters, form.dry_needling_mode
        clinics = Clinic.objects.matching(**filters)
        results = clinic_search.find_near(clinics, mode, place.latitude, place.longitude, radius)
        requested = request.GET.get("page", "")
        # int() reads "٢" and "２" as 2: only ASCII digits choose a page.
        page = Paginator(results, RESULTS_PER_PAGE).get_page(requested if requested.isascii() else "")
        filtered = bool(filters["new_patients"] or filters["language"] or filters["name"])
        empty = not page.paginator.count
        nearest = clinic_search.nearest_beyond(results) if empty else None
        context.update(
            place=place,
            radius=radius,
            page=page,
            mode=mode,
            groups={group.name: group for group in results.groups},
            page_groups=_page_groups(page, results),
            more_results=results.more,
            next_radius=next_radius(radius),
            nearest=nearest,
            nearest_radius=_radius_reaching(nearest.distance_miles) if nearest else None,
            filtered=filtered,
            page_moved=bool(requested) and requested != str(page.number),
            requested_page=requested,
            state_rule=StateRule.objects.filter(state=place.state).first() if place.state else None,
        )
    response = render(request, "clinics/clinic_search.html", context)
    # Only a real place with in-range choices is worth a cached copy: a made-up place, a bad
    # choice or a page that does not exist would let anyone fill the cache with junk.
    if form.is_bound and (not form.is_valid() or context["page_moved"] or not _plain_choices(request.GET)):
        do_not_store(response)
    return response


def _plain_choices(query: QueryDict) -> bool:
    """Checkboxes sent as browsers send them ("on"), so one search has one address."""
    return all(query.get(name, "on") in ("on", "true", "1") for name in ("new_patients", "spanish"))


@cache_public_page(scopes=["clinics"], params=SEARCH_PARAMETERS + ("page",))
def clinic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One clinic: how to reach it, who works there, and a way back to the results."""
    clinic = get_object_or_404(Clinic.objects.listed().for_listing(), slug=slug)
    canonical = absolute_url(clinic.get_absolute_url())
    response = render(
        request,
        "clinics/clinic_detail.html",
        {
            "clinic": clinic,
            "therapists": list(clinic.therapists.all()),
            "languages": list(clinic.languages.all()),
            "canonical_url": canonical,
            "back_url": _results_url(request.GET),
            "structured_data": medical_clinic(clinic, canonical),
        },
    )
    # The search a visitor came from is kept only when it was a real one (see search()).
    if request.GET and not ClinicSearchForm(request.GET).is_valid():
        do_not_store(response)
    return response


def _page_groups(page, results: clinic_search.GroupedResults) -> list[dict]:
    """The page's clinics split where their group changes; each group numbers its own from 1."""
    offsets, before = {}, 0
    for group in results.groups:
        offsets[group.name] = before
        before += group.count
    parts: list[dict] = []
    for number, clinic in enumerate(page.object_list, start=page.start_index()):
        if not parts or parts[-1]["name"] != clinic.group:
            start = number - offsets[clinic.group]
            parts.append({"name": clinic.group, "start": start, "first": start == 1, "clinics": []})
        parts[-1]["clinics"].append(clinic)
    return parts


def _radius_reaching(miles: float) -> int | None:
    """The smallest distance the form offers that reaches `miles`, or None beyond them all."""
    return next((radius for radius in RADII if radius >= miles), None)


def _results_url(query: QueryDict) -> str | None:
    """The search a patient came from (result links carry its parameters), or None."""
    kept = QueryDict(mutable=True)
    for key in SEARCH_PARAMETERS + ("page",):
        if key in query:
            kept.setlist(key, query.getlist(key))
    if not kept:
        return None
    return f"{reverse('clinics:search')}?{kept.urlencode()}"


def medical_clinic(clinic: Clinic, url: str) -> dict:
    """schema.org MedicalClinic data, so search engines can show the address and phone."""
    data: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": clinic.name,
        "url": url,
        "telephone": f"+1-{clinic.phone[:3]}-{clinic.phone[3:6]}-{clinic.phone[6:]}",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": clinic.address,
            "addressLocality": clinic.city,
            "addressRegion": clinic.state,
            "postalCode": clinic.zip_code,
            "addressCountry": "US",
        },
        "medicalSpecialty": "https://schema.org/Physiotherapy",
        "knowsLanguage": [language.name for language in clinic.languages.all()],
        "employee": [_person(therapist) for therapist in clinic.therapists.all()],
    }
    if clinic.new_patients_known:
        data["isAcceptingNewPatients"] = clinic.accepting_new_patients
    if clinic.latitude is not None and clinic.longitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": clinic.latitude, "longitude": clinic.longitude}
    if clinic.website_link:
        data["sameAs"] = clinic.website_link
    if clinic.offers_dry_needling:
        data["availableService"] = {"@type": "MedicalTherapy", "name": "Dry needling"}
    if clinic.is_sample:
        data["description"] = "Sample listing: a fictional clinic that shows how the directory works."
    return data


def _person(therapist: Therapist) -> dict:
    person = {"@type": "Person", "name": therapist.name, "jobTitle": "Physical therapist"}
    if therapist.credentials:
        person["honorificSuffix"] = therapist.credentials
    return person


# Updates a network may send an hour: a clinic's manager sends one or two; more is a script.
LISTING_UPDATES_PER_HOUR = 10


@never_cache
def clinic_update(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Is this your clinic? Update this listing": a form with no account. What is sent waits
    for staff on the desk; the public page does not change until they approve it."""
    clinic = get_object_or_404(Clinic.objects.listed(), slug=slug)
    status = 200
    if request.method == "POST":
        if guards.is_too_large(request):
            return _update_refused(
                request, clinic, 413, _("That is more than this form can take. Shorten it.")
            )
        key = salted_hmac("dryneedling_site.clinics.update", guards.client_network(request)).hexdigest()
        if cachesafe.guarded("limits").count(f"clinics:update:{key}", 3600) > LISTING_UPDATES_PER_HOUR:
            response = _update_refused(
                request,
                clinic,
                429,
                _("We have had many updates from your network. Please try again in an hour."),
            )
            response["Retry-After"] = "3600"
            return response
        form = ListingUpdateForm(request.POST)
        if form.honeypot_filled:  # looks sent, so a bot learns nothing; nothing is stored
            return redirect(reverse("clinics:update", kwargs={"slug": slug}) + "?sent=1")
        if form.is_valid():
            ListingUpdate.objects.create(clinic=clinic, **form.update_values())
            return redirect(reverse("clinics:update", kwargs={"slug": slug}) + "?sent=1")
        status = 400
    else:
        form = ListingUpdateForm()
    context = {"clinic": clinic, "form": form, "sent": request.GET.get("sent") == "1"}
    return render(request, "clinics/clinic_update.html", context, status=status)


def _update_refused(request: HttpRequest, clinic: Clinic, status: int, message: str) -> HttpResponse:
    context = {"clinic": clinic, "form": None, "refused": message}
    return render(request, "clinics/clinic_update.html", context, status=status)
