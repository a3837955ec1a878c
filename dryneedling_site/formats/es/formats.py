"""Spanish for readers in the US: numbers as US Spanish-language sites write them (0.5 miles,
1,000 characters), like the articles do; everything else from Django's Spanish formats."""

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
