"""The detectors' commands, for the root command to mount: ``screen`` (listings, reviews) and
``models`` (train).

The commands live with their detectors; this module only gathers them. Importing it loads no
embedding model (torch): each command loads what it needs when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from goodstanding.detectors.listings import cli as listings_cli
from goodstanding.detectors.listings.training import DEFAULT_REGULARISATION
from goodstanding.detectors.reviews import cli as reviews_cli
from goodstanding.detectors.reviews.machine_text import MODEL_DIR as REVIEW_MODEL_DIR

screen_app = typer.Typer(
    help="Screen listings or reviews from a CSV file; results as CSV on standard output.",
    no_args_is_help=True,
)
screen_app.command("listings")(listings_cli.screen_listings)
screen_app.command("reviews")(reviews_cli.screen_reviews)

models_app = typer.Typer(
    help="Train the detectors' models from labelled data.", no_args_is_help=True
)


@models_app.command("train")
def train(
    listings_data: Annotated[
        Path, typer.Option(help="Labelled listings CSV (title, source, label)")
    ] = listings_cli.DEFAULT_TRAINING_DATA,
    reviews_data: Annotated[
        Path, typer.Option(help="Shared data folder holding reviews/*.csv")
    ] = reviews_cli.DEFAULT_TRAINING_DATA,
) -> None:
    """Train the restricted-product classifier and the review text model into the package, each
    with its training data hash and held-out metrics."""
    listings_cli.train_listing_model(
        data=listings_data,
        output=listings_cli.PACKAGED_MODEL_DIR,
        regularisation=DEFAULT_REGULARISATION,
    )
    reviews_cli.train_review_models(data=reviews_data, output=REVIEW_MODEL_DIR)
