"""A unit's queue and one case: its pages, its forms and the workflows on it."""
