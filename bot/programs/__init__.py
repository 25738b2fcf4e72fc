"""Programs, for admins: create, list, and move through draft -> enrolling -> forming -> running -> closed."""
