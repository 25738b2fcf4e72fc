"""Themes chosen by employees: propose, approval-vote, admin curation, selection at closing."""
