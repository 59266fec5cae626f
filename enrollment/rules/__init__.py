"""Pure enrollment rules: no Django, no ORM, no settings, no clock (callers pass ``as_of``)."""
