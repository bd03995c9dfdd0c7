"""The dealer pack's rule code: one module per workflow."""
