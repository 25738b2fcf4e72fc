"""Enrollment: join through the questionnaire, the profile, leaving without blame, status, help."""
