"""Triage and referrals on a case: the panel on intake's case page and its actions."""
