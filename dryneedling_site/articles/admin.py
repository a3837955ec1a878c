"""Staff editing of articles."""

from django.contrib import admin

from .models import Article, Reference


class ReferenceInline(admin.TabularInline):
    model = Reference
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "position", "published", "last_reviewed", "next_review_due")
    list_filter = ("published",)
    search_fields = ("title", "summary", "body")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("related",)
    inlines = [ReferenceInline]
