"""Discussion prompts for circles and pairs, one JSON file per theme family."""
