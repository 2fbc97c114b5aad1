"""Fuzzy links: sellers whose names, business names and addresses match though not exactly.

A periodic batch pass with Splink (Fellegi-Sunter record linkage, trained without labels by
expectation maximisation). DuckDB runs it embedded; Spark runs the same model for large runs.

The model is kept as our own `FuzzyModel` (which comparisons, and their trained m and u
probabilities) rather than as Splink's saved settings, because those embed SQL in the training
backend's dialect; rebuilding the comparisons from the same definitions on each backend is what
lets a model trained on DuckDB score on Spark and give the same probabilities.
"""

import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.constants import LEVEL_NOT_OBSERVED_TEXT
from splink.internals.database_api import DatabaseAPISubClass

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ACCOUNT_ID = "account_id"
NAME_FIELDS = ("given_name", "surname")
# Every field a seller record may carry; any may be empty. Street number and address lines are
# separate because sellers enter them in separate form fields.
FIELDS = (
    *NAME_FIELDS,
    "business_name",
    "street_number",
    "address_line_1",
    "address_line_2",
    "city",
    "postcode",
    "region",
)
DEFAULT_THRESHOLD = 0.9


def _comparison_for(field: str) -> ComparisonCreator:
    match field:
        case "street_number" | "region":
            return cl.ExactMatch(field)
        case "postcode":
            return cl.LevenshteinAtThresholds(field, [1])
        case _:
            return cl.JaroWinklerAtThresholds(field, [0.9, 0.8])


# Pairs are scored only when one of these agrees exactly. Each rule pairs two fields, at least one
# of them local (postcode, city, street), so that no block grows with a common first name or a big
# city; many rules together recover pairs that differ in any one or two fields.
_PREDICTION_BLOCKS: tuple[tuple[str, ...], ...] = (
    ("given_name", "surname"),
    ("surname", "postcode"),
    ("given_name", "postcode"),
    ("surname", "city"),
    ("given_name", "city"),
    ("surname", "address_line_1"),
    ("given_name", "address_line_1"),
    ("address_line_1", "postcode"),
    ("address_line_1", "city"),
    ("street_number", "address_line_1"),
    ("street_number", "postcode"),
    ("street_number", "city"),
    ("address_line_2", "postcode"),
    ("address_line_2", "city"),
    ("business_name", "postcode"),
    ("business_name", "city"),
)
_EM_BLOCKS = ("postcode", "surname", "given_name")


class FuzzyBackend(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


@dataclass(frozen=True, slots=True)
class ComparisonParameters:
    """Trained probabilities of one comparison's levels, best agreement first, nulls excluded."""

    name: str
    # None marks a level never seen in training; Splink gives it a neutral weight when scoring.
    m_probabilities: tuple[float | None, ...]
    u_probabilities: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class FuzzyModel:
    probability_two_random_records_match: float
    comparisons: tuple[ComparisonParameters, ...]


@dataclass(frozen=True, slots=True)
class FieldAgreement:
    comparison: str  # e.g. "given_name_surname", "postcode"
    level: str  # Splink's description of the level reached, e.g. "Exact match on postcode"


@dataclass(frozen=True, slots=True)
class FuzzyLink:
    account_a: str
    account_b: str
    match_probability: float
    agreements: tuple[FieldAgreement, ...]

    @property
    def agreeing_fields(self) -> tuple[str, ...]:
        return tuple(agreement.comparison for agreement in self.agreements)


def _prepared(records: pd.DataFrame) -> pd.DataFrame:
    """Seller records as Splink needs them: text fields trimmed and lower-cased, blanks null."""
    if ACCOUNT_ID not in records.columns:
        raise ValueError(f"records need an {ACCOUNT_ID!r} column")
    if records[ACCOUNT_ID].isna().any():
        raise ValueError(f"records have an empty {ACCOUNT_ID!r}")
    if records[ACCOUNT_ID].duplicated().any():
        raise ValueError(f"records repeat an {ACCOUNT_ID!r}; give one row per account")
    missing = [field for field in NAME_FIELDS if field not in records.columns]
    if missing:
        raise ValueError(f"records need the column(s): {', '.join(missing)}")
    prepared = pd.DataFrame({ACCOUNT_ID: records[ACCOUNT_ID].astype(str)})
    for field in FIELDS:
        if field in records.columns:
            text = records[field].astype("string").str.strip().str.lower()
            text = text.mask(text == "")
            prepared[field] = text.astype(object).where(text.notna(), None)
        else:
            prepared[field] = None
    return prepared


NAME_COMPARISON = "_".join(NAME_FIELDS)


def _comparison_creators(
    model: FuzzyModel | None, fields_with_data: Sequence[str]
) -> dict[str, ComparisonCreator]:
    """The comparisons by name, in Splink's order; with a model, only those it has trained."""
    creators: dict[str, ComparisonCreator] = {
        NAME_COMPARISON: cl.ForenameSurnameComparison(*NAME_FIELDS)
    }
    for field in FIELDS:
        if field not in NAME_FIELDS and field in fields_with_data:
            creators[field] = _comparison_for(field)
    if model is None:
        return creators
    trained = {parameters.name: parameters for parameters in model.comparisons}
    if NAME_COMPARISON not in trained:
        raise ValueError("the fuzzy model has no trained name comparison")
    return {
        name: creator.configure(
            m_probabilities=_splink_probabilities(trained[name].m_probabilities),
            u_probabilities=_splink_probabilities(trained[name].u_probabilities),
        )
        for name, creator in creators.items()
        # A field the model was trained without carries no weight.
        if name in trained
    }


def _splink_probabilities(probabilities: tuple[float | None, ...]) -> list[Any]:
    return [LEVEL_NOT_OBSERVED_TEXT if p is None else p for p in probabilities]


def _model_probability(value: Any) -> float | None:
    return None if value in (None, LEVEL_NOT_OBSERVED_TEXT) else float(value)


def _settings(
    comparisons: dict[str, ComparisonCreator],
    fields_with_data: Sequence[str],
    model: FuzzyModel | None,
) -> SettingsCreator:
    blocks: list[BlockingRuleCreator | dict[str, Any]] = [
        block_on(*fields)
        for fields in _PREDICTION_BLOCKS
        if all(field in fields_with_data for field in fields)
    ]
    extra: dict[str, Any] = {}
    if model is not None:
        extra["probability_two_random_records_match"] = model.probability_two_random_records_match
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name=ACCOUNT_ID,
        comparisons=list(comparisons.values()),
        blocking_rules_to_generate_predictions=blocks,
        **extra,
    )


def _local_spark_session(master: str) -> "SparkSession":
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    # The similarity functions ship as a jar inside the splink wheel: nothing is downloaded.
    return (
        SparkSession.builder.master(master)
        .appName("goodstanding-fuzzy-links")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.local.dir", tempfile.gettempdir())
        # Splink runs many small joins; Spark's default of 200 shuffle partitions per join is
        # sized for clusters and dominates the run time on one machine.
        .config("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 1)))
        .getOrCreate()
    )


def _database(backend: FuzzyBackend, spark_master: str) -> DatabaseAPISubClass:
    if backend is FuzzyBackend.DUCKDB:
        return DuckDBAPI()
    from splink import SparkAPI

    session = _local_spark_session(spark_master)
    partitions = max(1, session.sparkContext.defaultParallelism)
    return SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=session,
        break_lineage_method="persist",
        num_partitions_on_repartition=partitions,
    )


def _linker(
    records: pd.DataFrame, model: FuzzyModel | None, backend: FuzzyBackend, spark_master: str
) -> tuple[Linker, list[str]]:
    """A Splink linker over `records`, and the names of its comparisons in order."""
    prepared = _prepared(records)
    fields_with_data = [field for field in FIELDS if prepared[field].notna().any()]
    comparisons = _comparison_creators(model, fields_with_data)
    database = _database(backend, spark_master)
    linker = Linker(
        database.register(prepared),
        _settings(comparisons, fields_with_data, model),
        log_level=logging.WARNING,
    )
    return linker, list(comparisons)


def _trained_levels(linker: Linker) -> list[list[dict[str, Any]]]:
    """Each comparison's non-null levels as Splink reports them, best agreement first."""
    return [
        [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        for comparison in linker.misc.save_model_to_json()["comparisons"]
    ]


def _model_from(linker: Linker, names: list[str]) -> FuzzyModel:
    probability = linker.misc.save_model_to_json()["probability_two_random_records_match"]
    comparisons = tuple(
        ComparisonParameters(
            name=name,
            m_probabilities=tuple(
                _model_probability(level.get("m_probability")) for level in levels
            ),
            u_probabilities=tuple(
                _model_probability(level.get("u_probability")) for level in levels
            ),
        )
        for name, levels in zip(names, _trained_levels(linker), strict=True)
    )
    return FuzzyModel(float(probability), comparisons)


def train_fuzzy_model(
    records: pd.DataFrame,
    *,
    backend: FuzzyBackend = FuzzyBackend.DUCKDB,
    u_sample_pairs: int = 1_000_000,
    seed: int = 7,
    spark_master: str = "local[*]",
) -> FuzzyModel:
    """Fit the model to `records` without labels.

    The share of matching pairs is estimated from pairs that agree on name and postcode (assumed
    to find 60% of true matches); u probabilities from random pairs; m probabilities by EM over
    pairs blocked on postcode, then surname, then given name, so each comparison is trained on
    pairs not chosen by its own field.
    """
    linker, names = _linker(records, None, backend, spark_master)
    training = linker.training
    training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "postcode")], recall=0.6
    )
    training.estimate_u_using_random_sampling(max_pairs=u_sample_pairs, seed=seed)
    for field in _EM_BLOCKS:
        training.estimate_parameters_using_expectation_maximisation(block_on(field))
    return _model_from(linker, names)


def find_fuzzy_links(
    records: pd.DataFrame,
    model: FuzzyModel,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    backend: FuzzyBackend = FuzzyBackend.DUCKDB,
    spark_master: str = "local[*]",
) -> list[FuzzyLink]:
    """Pairs of accounts in `records` whose match probability is at least `threshold`.

    `records` has an `account_id` column and any of `FIELDS`; `given_name` and `surname` are
    required. Results are sorted by probability, highest first.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    if len(records) < 2:
        _prepared(records)
        return []
    linker, names = _linker(records, model, backend, spark_master)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    ).as_pandas_dataframe()  # type: ignore[no-untyped-call]
    labels = _level_labels(linker, names)
    links = [_link_from(row, labels) for row in predictions.to_dict("records")]
    return sorted(links, key=lambda link: (-link.match_probability, link.account_a, link.account_b))


def _level_labels(linker: Linker, names: list[str]) -> dict[str, dict[int, str]]:
    """For each comparison, the label of every agreeing level by its gamma value.

    Splink numbers the non-null levels from the best (n - 1) down to "all other" (0).
    """
    return {
        name: {
            len(levels) - 1 - index: level["label_for_charts"]
            for index, level in enumerate(levels[:-1])
        }
        for name, levels in zip(names, _trained_levels(linker), strict=True)
    }


def _link_from(row: dict[str, Any], labels: dict[str, dict[int, str]]) -> FuzzyLink:
    agreements = tuple(
        FieldAgreement(comparison, by_gamma[int(row[f"gamma_{comparison}"])])
        for comparison, by_gamma in labels.items()
        if int(row[f"gamma_{comparison}"]) > 0
    )
    account_a, account_b = sorted((str(row[f"{ACCOUNT_ID}_l"]), str(row[f"{ACCOUNT_ID}_r"])))
    return FuzzyLink(account_a, account_b, float(row["match_probability"]), agreements)
