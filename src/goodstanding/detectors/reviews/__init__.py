"""Review-manipulation screening: compensation phrases, a text model and relation signals.

`screen.screen()` combines the layers; `cli.screen_reviews` and `cli.train_review_models` are the
command-line faces.
"""
