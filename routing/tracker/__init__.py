"""The head's referral tracker and its CSV export."""
