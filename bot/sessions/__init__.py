"""A series of sessions, shared by circles and pairs: timing, planning passes, check-ins."""
