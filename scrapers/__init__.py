"""Source plug-ins: each yields Documents; the shared polite HTTP client does all fetching."""
