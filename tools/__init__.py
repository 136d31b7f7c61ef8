"""Scripts that build what the course publishes: README tables, the site, student notebooks, data."""
