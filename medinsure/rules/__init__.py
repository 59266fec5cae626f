"""Pure rules shared by every app (no Django, no database, no settings): ID numbers, working days."""
