"""Lingkar admins (HR / L&D): add, remove and list them."""
