"""The demo marketplace: a seeded generator of realistic events and the demo loader."""
