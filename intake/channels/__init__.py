"""What staff log by hand: box openings and their slips, phone calls and the other channels."""
