"""The staff desk's queue of listing updates sent by clinics: a field-by-field diff, then
approve the fields that are right, reject, or note that the sender was called back."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from dryneedling_site.core.desk import DeskItem, DeskPanel

from . import listing_updates
from .listing_updates import ListingUpdate


@admin.register(ListingUpdate)
class ListingUpdateAdmin(admin.ModelAdmin):
    list_display = ("clinic", "created_at", "status", "sender_name")
    list_filter = ("status",)
    search_fields = ("clinic__name", "clinic__npi")
    list_select_related = ("clinic",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only clinics send them

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        """The review screen instead of an edit form: what was sent is never edited by staff."""
        update = get_object_or_404(ListingUpdate.objects.select_related("clinic"), pk=object_id)
        can_decide = request.user.has_perm("clinics.change_listingupdate") and request.user.has_perm(
            "clinics.change_clinic"
        )
        if request.method == "POST" and can_decide and update.is_open:
            action = request.POST.get("action")
            if action == "approve":
                fields = request.POST.getlist("fields")
                if not fields:
                    messages.error(request, "Tick at least one field to approve, or reject the update.")
                    return HttpResponseRedirect(request.path)
                written = listing_updates.approve(update, fields, request.user)
                messages.success(request, f"Approved: {', '.join(written)}. The listing now shows them.")
            elif action == "reject":
                listing_updates.reject(update, request.user)
                messages.success(request, "Rejected: the listing is unchanged.")
            elif action == "called_back":
                listing_updates.mark_called_back(update, request.user)
                messages.success(request, "Marked as called back; the update stays open.")
            return HttpResponseRedirect(reverse("admin:clinics_listingupdate_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Listing update for {update.clinic.name}",
            "opts": self.opts,
            "update": update,
            "diff": listing_updates.field_diff(update),
            "can_decide": can_decide and update.is_open,
            "original": update,
        }
        return TemplateResponse(request, "admin/clinics/listingupdate/review.html", context)


def listing_update_desk_panel(request: HttpRequest) -> DeskPanel | None:
    """The desk's line for listing updates waiting for a decision."""
    if not request.user.has_perm("clinics.view_listingupdate"):
        return None
    waiting = ListingUpdate.objects.filter(
        status__in=[ListingUpdate.Status.NEW, ListingUpdate.Status.CALLED_BACK]
    )
    url = reverse("admin:clinics_listingupdate_changelist") + "?status__exact=new"
    return DeskPanel("Listing updates", [DeskItem("updates sent by clinics, waiting", waiting.count(), url)])
