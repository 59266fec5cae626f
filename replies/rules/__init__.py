"""Pure rules of the replies app: no Django, no ORM, no clock (pass ``as_of``)."""
