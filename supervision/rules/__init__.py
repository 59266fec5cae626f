"""Pure supervision rules: no Django, no ORM, no settings, no clock (pass `as_of`)."""
