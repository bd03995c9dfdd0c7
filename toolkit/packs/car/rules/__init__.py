"""Rule code of the car desk: one module per workflow (appointments, orders, the rest)."""
