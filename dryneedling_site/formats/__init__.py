"""Number and date formats per language where Django's defaults do not suit US readers."""
