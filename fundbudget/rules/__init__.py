"""Pure fund-budget rules: execution figures, projections, warnings.

No Django, no ORM, no settings, no clock. Money is Decimal yuan; percentages are
Decimal percent (69.98 means 69.98 %), rounded half-up to two decimals.
"""
