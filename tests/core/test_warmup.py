"""A fresh process warms itself: catalogues, URL patterns and public templates are ready."""

from django.template import engines
from django.utils.translation import trans_real

from dryneedling_site.core import warmup


def test_warm_up_loads_catalogues_and_compiles_public_templates(settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.cached.Loader",
                        [
                            "django.template.loaders.filesystem.Loader",
                            "django.template.loaders.app_directories.Loader",
                        ],
                    )
                ],
            },
        }
    ]
    trans_real._translations.clear()
    warmup.warm_up()
    assert {"en", "es"} <= set(trans_real._translations)
    loader = engines["django"].engine.template_loaders[0]
    cached = {key.split("-")[0] for key in loader.get_template_cache}
    assert set(warmup.PUBLIC_TEMPLATES) <= cached


def test_warm_up_never_raises(monkeypatch, caplog):
    monkeypatch.setattr(warmup, "get_resolver", lambda: (_ for _ in ()).throw(RuntimeError("boom")))
    warmup.warm_up()
    assert "warm-up failed" in caplog.text
