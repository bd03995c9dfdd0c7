"""The dealer pack's report builders, imported when a report first runs."""
