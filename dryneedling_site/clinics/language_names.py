"""Names of the languages clinics list, marked for translation.

Clinic languages are rows named in English ("Spanish"); the templates show them through
`{% translate language.name %}`, which finds these entries in the catalogue. A name missing
here shows as stored.
"""

from django.utils.translation import gettext_noop

LANGUAGE_NAMES = [
    gettext_noop("English"),
    gettext_noop("Spanish"),
    gettext_noop("Chinese"),
    gettext_noop("Mandarin"),
    gettext_noop("Cantonese"),
    gettext_noop("Vietnamese"),
    gettext_noop("Tagalog"),
    gettext_noop("Somali"),
    gettext_noop("Arabic"),
    gettext_noop("French"),
    gettext_noop("Korean"),
    gettext_noop("Russian"),
    gettext_noop("Portuguese"),
    gettext_noop("Haitian Creole"),
    gettext_noop("German"),
    gettext_noop("Hindi"),
    gettext_noop("Polish"),
    gettext_noop("Japanese"),
    gettext_noop("Italian"),
    gettext_noop("American Sign Language"),
]
