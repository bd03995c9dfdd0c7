"""The property pack's rule code: one module per register or workflow (SPEC §3, §5)."""
