"""lint_content: each rule fails on a fixture that breaks it and passes on the fixture guide."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dryneedling_site.articles.models import Article
from tests.conftest import FIXTURE_ARTICLES, FIXTURE_PAGES, FIXTURE_REFERENCES
from tests.factories import make_article


def lint(folder: Path, references: Path = FIXTURE_REFERENCES) -> tuple[bool, str]:
    """(passed, everything printed, the final summary included)."""
    out = StringIO()
    try:
        call_command(
            "lint_content",
            str(folder),
            "--references",
            str(references),
            "--pages",
            str(FIXTURE_PAGES),
            stdout=out,
        )
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


@pytest.fixture
def articles(tmp_path) -> Path:
    """A copy of the fixture guide (English only) that a test may break."""
    return Path(shutil.copytree(FIXTURE_ARTICLES, tmp_path / "articles", ignore=shutil.ignore_patterns("es")))


@pytest.fixture
def with_spanish(tmp_path) -> Path:
    """A copy of the fixture guide with its Spanish translations."""
    return Path(shutil.copytree(FIXTURE_ARTICLES, tmp_path / "articles"))


def edit(folder: Path, slug: str, old: str, new: str) -> None:
    path = folder / f"{slug}.md"
    text = path.read_text()
    assert old in text, (slug, old)
    path.write_text(text.replace(old, new, 1))


def test_the_fixture_guide_passes(db):
    passed, output = lint(FIXTURE_ARTICLES)
    assert passed, output
    # 8 English articles and 2 Spanish translations.
    assert "All 10 article(s) pass the content checks." in output


DENSE = (
    "Myofascial neuromuscular dysfunctionality characteristically necessitates interdisciplinary "
    "musculoskeletal rehabilitation considerations incorporating comprehensive methodologies."
)


@pytest.mark.parametrize(
    ("slug", "old", "new", "expected"),
    [
        ("needles", "They have no drug in them.", DENSE, "needles.md: reading-grade: reads at grade"),
        (
            "trigger-points",
            "references:\n  - authors: Cummings TM, White AR\n"
            '    title: "Needling therapies in the management of myofascial trigger point pain: '
            'a systematic review"\n'
            "    journal: Arch Phys Med Rehabil\n    year: 2001\n"
            '    citation: "82(7):986-992"\n',
            "",
            "trigger-points.md: references: cites no reference",
        ),
        (
            "what-to-expect",
            "doi: 10.3122/jabfm.2010.05.090296",
            "doi: 10.1000/not-verified",
            "what-to-expect.md: references: reference 1: DOI 10.1000/not-verified is not in the allowed list",
        ),
        (
            "needles",
            'pmid: "12345678"',
            'pmid: "99999999"',
            "needles.md: references: reference 1: PubMed id 99999999 is not in the allowed list",
        ),
        (
            "trigger-points",
            'a systematic review"',
            'a review I remember"',
            "trigger-points.md: references: reference 1: “Needling therapies in the management of myofascial "
            "trigger point pain: a review I remember” is not in the allowed list",
        ),
        (
            "what-is-dry-needling",
            "(/articles/needles/)",
            "(/articles/no-such-article/)",
            "what-is-dry-needling.md: internal-links: /articles/no-such-article/: no published article",
        ),
        (
            "what-is-dry-needling",
            "(/find-a-pt/)",
            "(/find-a-doctor/)",
            "what-is-dry-needling.md: internal-links: /find-a-doctor/ is not a page of this site",
        ),
        (
            "what-is-dry-needling",
            "(/articles/needles/)",
            "(needles/)",
            "what-is-dry-needling.md: internal-links: needles/ is a relative link",
        ),
        (
            "needles",
            "![A thin needle next to a coin to show its size]",
            "![]",
            "needles.md: image-alt: image /media/articles/needle.jpg has no alt text",
        ),
        (
            "needles",
            "![A thin needle next to a coin to show its size]",
            "![Describe the image]",
            "needles.md: image-alt: image /media/articles/needle.jpg has the placeholder alt text",
        ),
        (
            "aftercare",
            "summary: A fixture aftercare page with a printable checklist of things to do at home.",
            "summary: Aftercare.",
            "aftercare.md: summary-length: the summary is 10 characters; keep it between 40 and 160",
        ),
        (
            "aftercare",
            "  - Stretch a little.\n  - Call your PT if you are worried.\n",
            "",
            "aftercare.md: key-points: has 1 key point(s); give 3 to 5",
        ),
        (
            "aftercare",
            "  - Drink water.\n",
            "  - Drink water.\n  - Rest.\n  - Eat.\n  - Sleep.\n",
            "aftercare.md: key-points: has 6 key point(s); give 3 to 5",
        ),
        (
            "side-effects",
            "  emergency: true",
            "  emergency: false",
            "side-effects.md: care-card: a safety page must carry its 'When to get help' box",
        ),
    ],
)
def test_each_rule_fails_on_a_fixture_that_breaks_it(db, articles, slug, old, new, expected):
    edit(articles, slug, old, new)
    passed, output = lint(articles)
    assert not passed
    assert expected in output
    assert output.count(": ") >= 2
    assert output.strip().endswith("article(s) checked.")
    assert "1 problem(s) in 1 article(s)" in output


def test_a_table_needs_its_caption_line_and_named_header_cells(db, articles):
    edit(articles, "needles", "Table: Fixture needles compared\n| Kind |", "| |")
    passed, output = lint(articles)
    assert not passed
    assert "needles.md: table-caption: table 1 has no caption; write a line “Table: " in output
    assert "needles.md: table-caption: table 1 has an empty header cell" in output


def test_a_link_to_a_draft_is_a_broken_link(db, articles):
    edit(articles, "needles", "position: 3", "position: 3\npublished: false")
    passed, output = lint(articles)
    assert not passed
    assert "internal-links: /articles/needles/: no published article has the slug 'needles'" in output


def test_a_missing_safety_page_is_reported(db, articles):
    (articles / "is-it-safe-for-me.md").unlink()
    passed, output = lint(articles)
    assert not passed
    assert "is-it-safe-for-me: care-card: this safety page does not exist" in output


def test_safety_pages_come_from_one_setting(db, articles, settings):
    settings.ARTICLE_SAFETY_PAGES = ["needles"]
    passed, output = lint(articles)
    assert "needles.md: care-card" in output
    assert "side-effects.md: care-card" not in output and not passed


def test_an_unreadable_file_is_a_finding_not_a_crash(db, articles):
    (articles / "broken.md").write_text("---\nslug: [\n---\nText\n")
    passed, output = lint(articles)
    assert not passed
    assert "broken.md: front-matter: front matter: cannot be read" in output


def test_database_rows_edited_by_staff_are_checked_too(db):
    call_command("load_content", str(FIXTURE_ARTICLES), stdout=StringIO())
    passed, output = lint(FIXTURE_ARTICLES)
    assert passed, output  # rows identical to their files are not checked twice
    article = Article.objects.get(slug="aftercare")
    article.summary = "Too short."
    article.save()
    make_article(slug="admin-only", summary="Made in the admin, with no key points or sources at all.")
    passed, output = lint(FIXTURE_ARTICLES)
    assert not passed
    assert "aftercare (database): summary-length" in output
    assert "aftercare.md" not in output
    assert "admin-only (database): references: cites no reference" in output
    assert "admin-only (database): key-points: has 0 key point(s)" in output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "does not exist"),
        ("- title: [unclosed\n", "cannot be read"),
        ("{}\n", "must be a YAML list of references"),
        ("- doi: 10.1/x\n", "entry 1 must be a mapping with at least a title"),
    ],
)
def test_a_bad_allowed_list_is_a_clear_error(db, tmp_path, text, message):
    path = tmp_path / "references.yaml"
    if text is not None:
        path.write_text(text)
    passed, output = lint(FIXTURE_ARTICLES, references=path)
    assert not passed
    assert message in output


def test_staff_see_the_same_findings_on_the_edit_screen(editor_client, guide, settings, tmp_path):
    (tmp_path / "content").mkdir()
    shutil.copy(FIXTURE_REFERENCES, tmp_path / "content" / "references.yaml")
    settings.BASE_DIR = tmp_path
    article = guide["aftercare"]
    html = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "Content checks" in html and "All content checks pass." in html

    article.summary = "Too short."
    article.key_points = "Just one"
    article.save()
    html = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "summary-length: the summary is 10 characters" in html
    assert "key-points: has 1 key point(s); give 3 to 5" in html
    assert "All content checks pass." not in html


def test_edit_screen_says_when_the_allowed_list_is_missing(editor_client, guide, settings, tmp_path):
    settings.BASE_DIR = tmp_path
    article = guide["needles"]
    html = editor_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert "References not compared with the allowed list" in html


def test_a_translation_whose_english_changed_is_out_of_date(db, with_spanish):
    edit(with_spanish, "side-effects", "You may get a bruise.", "You may get a small bruise.")
    passed, output = lint(with_spanish)
    assert not passed
    assert "es/efectos.md: translation: out of date: the English article 'side-effects' changed" in output
    assert "1 problem(s) in 1 article(s)" in output


def test_spanish_articles_are_measured_with_inflesz_not_the_english_grade(db, with_spanish):
    hard = (
        "La electroestimulación neuromuscular intramuscular profunda, administrada "
        "simultáneamente con procedimientos fisioterapéuticos complementarios, "
        "proporciona resultados terapéuticos considerablemente heterogéneos."
    )
    edit(with_spanish / "es", "efectos", "Puede tener un moretón.", hard)
    passed, output = lint(with_spanish)
    assert not passed
    assert "es/efectos.md: reading-ease: INFLESZ" in output
    assert "reading-grade" not in output


def test_a_spanish_link_must_reach_a_published_spanish_article(db, with_spanish):
    edit(with_spanish / "es", "que-es", "/es/articles/efectos/", "/es/articles/side-effects/")
    passed, output = lint(with_spanish)
    assert not passed
    assert (
        "internal-links: /es/articles/side-effects/: no published article has the slug 'side-effects'"
        in output
    )


# Issue 19: the collapsed-lung plan. An editor's later edit must not undo it.
FILLER = " ".join(["Rest and drink water."] * 40)  # 160 words
CALL_911 = "Call 911 if you are short of breath after needling over your ribs.\n"
LLAME_911 = "Llame al 911 si le falta el aire después de una punción sobre las costillas.\n"


@pytest.mark.parametrize(
    ("slug", "old", "new", "expected"),
    [
        # The 911 line and a sign within the first 150 words of every safety page.
        ("what-to-expect", CALL_911, "", "what-to-expect.md: safety-911-first: “call 911”"),
        ("aftercare", CALL_911, FILLER + "\n\n" + CALL_911, "aftercare.md: safety-911-first"),
        ("side-effects", CALL_911, "Call 911 if you feel unwell.\n", "side-effects.md: safety-911-first"),
        # A list of risk areas names the ribs, and the sides when it names parts.
        (
            "needles",
            "They have no drug in them.",
            "After needling on your upper back, shoulder blades or the base of your neck, rest.",
            "needles.md: risk-zone: the risk areas “After needling on your upper back, shoulder blades or "
            "the base of your neck, rest.” leave out the ribs and the sides (under the arm)",
        ),
        (
            "needles",
            "They have no drug in them.",
            "The risk is over your chest and upper back, down to your lowest ribs, and the base of the neck.",
            "needles.md: risk-zone: the risk areas “The risk is over your chest and upper back, down to "
            "your lowest ribs, and the base of the neck.” leave out the sides (under the arm);",
        ),
        (
            "is-it-safe-for-me",
            "    - A red, hot, swollen spot where a needle went in\n",
            "    - A red, hot, swollen spot where a needle went in\n"
            "    - You feel unwell after needling on your shoulders, upper back or the base of your neck\n",
            "is-it-safe-for-me.md: risk-zone: the risk areas “You feel unwell after needling on your",
        ),
        (
            "aftercare",
            "  - Drink water.\n",
            "  - After needling on your chest or the base of your neck, call 911 if it is hard to breathe.\n",
            "aftercare.md: risk-zone: the risk areas “After needling on your chest or the base of your neck",
        ),
        (
            "aftercare",
            "## Your checklist\n",
            "## Where the risk is\n\n- Your chest\n- Your upper back\n- The base of the neck\n\n"
            "## Your checklist\n",
            "aftercare.md: risk-zone: the risk areas “Your chest Your upper back The base of the neck” leave",
        ),
        # One number scale a page.
        (
            "side-effects",
            "You may get a bruise.",
            "About 76 out of 1,000 treatments caused a bruise. About 1 in 5 caused a mild side effect.",
            "side-effects.md: number-scale: frequencies are written on 2 scales (76 in 1,000; 1 in 5)",
        ),
        (
            "common-questions",
            "## ",
            "About 3 in every 100 treatments hurt. About 4 in 10,000 were serious. About 5% bled.\n\n## ",
            "common-questions.md: number-scale: frequencies are written on 3 scales "
            "(3 in 100; 4 in 10,000; 5%)",
        ),
        # The body map on the pages that list the risk areas.
        (
            "aftercare",
            "{body-map}\n\n",
            "",
            "aftercare.md: body-map: this safety page must show the body map",
        ),
        ("is-it-safe-for-me", "{body-map}\n", "The body map goes here.\n", "is-it-safe-for-me.md: body-map:"),
        # A figure marker that did not become a figure is named, not shown as code to patients.
        (
            "needles",
            "They have no drug in them.",
            "{body map}",
            "needles.md: figure-marker: “{body map}” did not",
        ),
        (
            "needles",
            "They have no drug in them.",
            "{icon-array 1200 of 1000}",
            "needles.md: figure-marker: “{icon-array 1200 of 1000}” did not become a figure",
        ),
    ],
)
def test_each_safety_rule_fails_on_a_fixture_that_breaks_it(db, articles, slug, old, new, expected):
    edit(articles, slug, old, new)
    passed, output = lint(articles)
    assert not passed
    assert expected in output, output
    assert "1 problem(s) in 1 article(s)" in output


@pytest.mark.parametrize(
    ("slug", "old", "new"),
    [
        # The whole rib cage in one word, or its three parts with the sides, is a complete list.
        (
            "needles",
            "They have no drug in them.",
            "After needling over your ribs or at the base of your neck, rest.",
        ),
        (
            "needles",
            "They have no drug in them.",
            "After needling on your chest, sides, upper or middle back, or the base of your neck, rest.",
        ),
        # Signs, complaints and "side effects" name no area.
        ("needles", "They have no drug in them.", "Chest pain and back pain are side effects to watch."),
        # Answers to a survey count the people asked, not treatments: not a second scale.
        (
            "side-effects",
            "You may get a bruise.",
            "About 76 out of 1,000 treatments caused a bruise. About 2 in 3 PTs said a visit is short.",
        ),
        # The body map is required where the risk areas are listed, not on every safety page.
        (
            "what-to-expect",
            "Your PT asks where it hurts.",
            "Your PT asks where it hurts. {body-map} is not here.",
        ),
    ],
)
def test_the_safety_rules_leave_correct_wording_alone(db, articles, slug, old, new):
    if "{body-map} is not here" in new:
        new = "Your PT asks where it hurts."  # what-to-expect has no body map and passes
    edit(articles, slug, old, new)
    passed, output = lint(articles)
    assert passed, output


def test_the_911_line_and_risk_zone_rules_read_spanish(db, with_spanish):
    es = with_spanish / "es"
    edit(es, "efectos", LLAME_911, "")
    edit(es, "efectos", "Llame al 911 si le falta el aire.", "Un problema grave es raro.")
    edit(
        es,
        "efectos",
        "Puede tener un moretón.",
        "Después de una punción en la parte alta de la espalda o en la base del cuello, descanse.",
    )
    edit(
        es,
        "efectos",
        "Puede sentir dolor en la zona.",
        "Unos 8 de cada 100 tratamientos causaron un moretón, y unos 9 de cada 1,000 sangrado.",
    )
    passed, output = lint(with_spanish)
    assert not passed
    # "para llamar al 911" in a key point, but no sign (falta de aire) as early: not the line.
    assert "es/efectos.md: safety-911-first" in output
    assert "es/efectos.md: risk-zone: the risk areas “Después de una punción en la parte alta" in output
    assert "leave out the ribs and the sides (under the arm)" in output
    assert "es/efectos.md: number-scale: frequencies are written on 2 scales (8 in 100; 9 in 1,000)" in output


def test_a_spanish_safety_page_needs_the_body_map_too(db, with_spanish):
    edit(with_spanish / "es", "efectos", "{body-map}\n", "")
    passed, output = lint(with_spanish)
    assert not passed
    assert "es/efectos.md: body-map: this safety page must show the body map" in output


def test_body_map_pages_come_from_one_setting(db, articles, settings):
    settings.ARTICLE_BODY_MAP_PAGES = ["what-to-expect"]
    passed, output = lint(articles)
    assert not passed
    assert "what-to-expect.md: body-map" in output
    assert "aftercare.md: body-map" not in output


def test_a_body_map_without_its_text_alternative_is_reported(settings):
    from dryneedling_site.articles import lint as rules

    text = rules.ArticleText(
        label="aftercare.md",
        slug="aftercare",
        summary="A summary.",
        body="",
        key_points=["Call 911 if you are short of breath."],
        references=[],
        care_emergency=True,
    )
    silent = (
        '<figure class="body-map"><svg role="img" aria-label=" "></svg><figcaption> </figcaption></figure>'
    )
    assert (
        "body-map",
        "the body map has no text alternative (its label and caption)",
    ) in rules.safety_findings(text, silent)
    described = '<figure class="body-map"><svg aria-label="Map"></svg><figcaption>Ribs.</figcaption></figure>'
    assert not rules.safety_findings(text, described)


def test_staff_edits_in_the_admin_meet_the_safety_rules_too(db):
    call_command("load_content", str(FIXTURE_ARTICLES), stdout=StringIO())
    article = Article.objects.get(slug="aftercare")
    article.body = article.body.replace("{body-map}", "").replace(CALL_911, "")
    article.save()
    passed, output = lint(FIXTURE_ARTICLES)
    assert not passed
    assert "aftercare (database): body-map" in output
    assert "aftercare (database): safety-911-first" in output
