"""The property pack's reports (SPEC §7): daily lists, weekly and monthly figures."""
