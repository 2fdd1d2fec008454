"""Referrals that go by post: the letters waiting, printing one, marking it as sent."""
