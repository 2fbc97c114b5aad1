"""The words the engine itself puts around the policy file's numbers, in each language.

Notices and the policy center both read these, so a threshold is always phrased the same way. The
texts an operator writes (titles, summaries, notices) live in the policy file instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from goodstanding.policy.enums import (
    Action,
    Comparison,
    DocumentKind,
    InactivityRule,
    Language,
    Metric,
    Severity,
    Signal,
)


@dataclass(frozen=True)
class Wording:
    comparisons: Mapping[Comparison, str]  # "{threshold}" is filled with the formatted number
    metric_names: Mapping[Metric, str]
    counted_items: Mapping[Metric, str]  # what the denominator counts, plural
    actions: Mapping[Action, str]
    severities: Mapping[Severity, str]
    signals: Mapping[Signal, str]
    documents: Mapping[DocumentKind, str]
    document_missing: str  # {document} {deadline}
    document_expired: str  # {document} {expired_on}
    metric_rule: str  # {metric} {target} {window_days}
    min_sample_rule: str  # {min_sample} {items}
    signal_rule: str  # {min_count} {signal} {min_confidence} {window_days}
    document_rule: str  # {documents}
    inactivity_rules: Mapping[InactivityRule, str]  # {days}
    ladder_step: str  # {ordinal} {action}
    ladder_last_step: str  # {ordinal} {action}
    warning_deadline: str  # {action} {days}
    ladder_advance: str  # {lookback_days}
    automatic_from: str  # {min_volume} {items}
    automatic_always: str
    shadow: str
    orders_in_lookback: str  # {lookback_days}
    ordinal: Callable[[int], str]


def _english_ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _spanish_ordinal(number: int) -> str:
    return f"{number}.ª"


WORDING: Mapping[Language, Wording] = {
    Language.EN: Wording(
        comparisons={
            Comparison.BELOW: "below {threshold}",
            Comparison.AT_MOST: "at most {threshold}",
            Comparison.ABOVE: "above {threshold}",
            Comparison.AT_LEAST: "at least {threshold}",
        },
        metric_names={
            Metric.ORDER_DEFECT_RATE_SELLER: "order defect rate (orders you ship)",
            Metric.ORDER_DEFECT_RATE_MARKETPLACE: (
                "order defect rate (orders the marketplace ships)"
            ),
            Metric.CANCEL_RATE: "cancellation rate",
            Metric.LATE_SHIPMENT_RATE_10D: "late shipment rate over 10 days",
            Metric.LATE_SHIPMENT_RATE_30D: "late shipment rate over 30 days",
            Metric.VALID_TRACKING_RATE: "valid tracking rate",
            Metric.ON_TIME_DELIVERY_RATE: "on-time delivery rate",
            Metric.SALES_PER_WEEK: "sales a week",
            Metric.FEEDBACK_RATING: "average rating",
            Metric.NEGATIVE_FEEDBACK_RATE: "negative feedback rate",
        },
        counted_items={
            Metric.ORDER_DEFECT_RATE_SELLER: "orders",
            Metric.ORDER_DEFECT_RATE_MARKETPLACE: "orders",
            Metric.CANCEL_RATE: "orders",
            Metric.LATE_SHIPMENT_RATE_10D: "orders",
            Metric.LATE_SHIPMENT_RATE_30D: "orders",
            Metric.VALID_TRACKING_RATE: "packages",
            Metric.ON_TIME_DELIVERY_RATE: "packages",
            Metric.SALES_PER_WEEK: "weeks",
            Metric.FEEDBACK_RATING: "ratings",
            Metric.NEGATIVE_FEEDBACK_RATE: "ratings",
        },
        actions={
            Action.WARNING: "a warning",
            Action.LISTING_REMOVAL: "the listings concerned are removed",
            Action.PRIVILEGES_WITHDRAWN: "selling privileges are withdrawn (you can still buy)",
            Action.SUSPENSION: "the account is suspended",
            Action.CLOSURE: "the account is closed",
        },
        severities={
            Severity.CRITICAL: "critical",
            Severity.HIGH: "high",
            Severity.MEDIUM: "medium",
            Severity.LOW: "low",
        },
        signals={
            Signal.RESTRICTED_PRODUCT: "listings of restricted products",
            Signal.REVIEW_MANIPULATION: "signs of paid or steered reviews",
            Signal.LINKED_ACCOUNTS: "other selling accounts of yours without an approved reason",
            Signal.FRAUD: "signs of fraud",
        },
        documents={
            DocumentKind.IDENTITY: "identity document",
            DocumentKind.PROOF_OF_ADDRESS: "proof of address",
            DocumentKind.BANK_STATEMENT: "bank statement",
            DocumentKind.BUSINESS_REGISTRATION: "business registration",
        },
        document_missing="{document} (missing, requested by {deadline})",
        document_expired="{document} (expired on {expired_on})",
        metric_rule="Your {metric} must be {target}, measured over the last {window_days} days.",
        min_sample_rule="The rule applies once there are at least {min_sample} {items}.",
        signal_rule=(
            "Applies when our checks find {min_count} or more {signal} in the last "
            "{window_days} days, each with a confidence of at least {min_confidence}."
        ),
        document_rule=(
            "Applies when a document we asked for ({documents}) has not arrived by the request's "
            "deadline, or the one on file has expired."
        ),
        inactivity_rules={
            InactivityRule.NO_SALE_SINCE_SIGNUP: (
                "Applies to affiliate accounts with no qualifying sale in the {days} days after "
                "signing up."
            ),
            InactivityRule.NO_COMMISSION: (
                "Applies to affiliate accounts that earn no commission for {days} days."
            ),
        },
        ladder_step="{ordinal} time: {action}.",
        ladder_last_step="{ordinal} time and after: {action}.",
        warning_deadline="{action}, with {days} days to fix the problem",
        ladder_advance=(
            "Each new violation of this policy within {lookback_days} days, or a warning not fixed "
            "in time, moves one step up."
        ),
        automatic_from=(
            "Action is automatic only with at least {min_volume} {items}; below that, a person "
            "reviews the case and decides."
        ),
        automatic_always="Action is automatic; you can always appeal.",
        shadow="Being trialled: we record what would happen but take no action.",
        orders_in_lookback="orders in the last {lookback_days} days",
        ordinal=_english_ordinal,
    ),
    Language.ES: Wording(
        comparisons={
            Comparison.BELOW: "inferior a {threshold}",
            Comparison.AT_MOST: "como máximo {threshold}",
            Comparison.ABOVE: "superior a {threshold}",
            Comparison.AT_LEAST: "como mínimo {threshold}",
        },
        metric_names={
            Metric.ORDER_DEFECT_RATE_SELLER: "tasa de pedidos defectuosos (pedidos que envías tú)",
            Metric.ORDER_DEFECT_RATE_MARKETPLACE: (
                "tasa de pedidos defectuosos (pedidos que envía el marketplace)"
            ),
            Metric.CANCEL_RATE: "tasa de cancelación",
            Metric.LATE_SHIPMENT_RATE_10D: "tasa de envíos con retraso en 10 días",
            Metric.LATE_SHIPMENT_RATE_30D: "tasa de envíos con retraso en 30 días",
            Metric.VALID_TRACKING_RATE: "tasa de seguimiento válido",
            Metric.ON_TIME_DELIVERY_RATE: "tasa de entregas a tiempo",
            Metric.SALES_PER_WEEK: "ventas por semana",
            Metric.FEEDBACK_RATING: "valoración media",
            Metric.NEGATIVE_FEEDBACK_RATE: "tasa de valoraciones negativas",
        },
        counted_items={
            Metric.ORDER_DEFECT_RATE_SELLER: "pedidos",
            Metric.ORDER_DEFECT_RATE_MARKETPLACE: "pedidos",
            Metric.CANCEL_RATE: "pedidos",
            Metric.LATE_SHIPMENT_RATE_10D: "pedidos",
            Metric.LATE_SHIPMENT_RATE_30D: "pedidos",
            Metric.VALID_TRACKING_RATE: "paquetes",
            Metric.ON_TIME_DELIVERY_RATE: "paquetes",
            Metric.SALES_PER_WEEK: "semanas",
            Metric.FEEDBACK_RATING: "valoraciones",
            Metric.NEGATIVE_FEEDBACK_RATE: "valoraciones",
        },
        actions={
            Action.WARNING: "un aviso",
            Action.LISTING_REMOVAL: "se retiran los anuncios afectados",
            Action.PRIVILEGES_WITHDRAWN: (
                "se retiran los permisos de venta (puedes seguir comprando)"
            ),
            Action.SUSPENSION: "se suspende la cuenta",
            Action.CLOSURE: "se cierra la cuenta",
        },
        severities={
            Severity.CRITICAL: "crítica",
            Severity.HIGH: "alta",
            Severity.MEDIUM: "media",
            Severity.LOW: "baja",
        },
        signals={
            Signal.RESTRICTED_PRODUCT: "anuncios de productos restringidos",
            Signal.REVIEW_MANIPULATION: "indicios de reseñas pagadas o dirigidas",
            Signal.LINKED_ACCOUNTS: "otras cuentas de vendedor tuyas sin motivo aprobado",
            Signal.FRAUD: "indicios de fraude",
        },
        documents={
            DocumentKind.IDENTITY: "documento de identidad",
            DocumentKind.PROOF_OF_ADDRESS: "justificante de domicilio",
            DocumentKind.BANK_STATEMENT: "extracto bancario",
            DocumentKind.BUSINESS_REGISTRATION: "registro mercantil",
        },
        document_missing="{document} (falta, pedido para el {deadline})",
        document_expired="{document} (caducó el {expired_on})",
        metric_rule="Tu {metric} debe ser {target}, medida en los últimos {window_days} días.",
        min_sample_rule="La norma se aplica a partir de {min_sample} {items}.",
        signal_rule=(
            "Se aplica cuando nuestras comprobaciones encuentran {min_count} o más {signal} en los "
            "últimos {window_days} días, cada uno con una confianza de al menos {min_confidence}."
        ),
        document_rule=(
            "Se aplica cuando un documento que pedimos ({documents}) no llega en el plazo de la "
            "solicitud o el que tenemos ha caducado."
        ),
        inactivity_rules={
            InactivityRule.NO_SALE_SINCE_SIGNUP: (
                "Se aplica a las cuentas de afiliado sin ninguna venta válida en los {days} días "
                "siguientes al registro."
            ),
            InactivityRule.NO_COMMISSION: (
                "Se aplica a las cuentas de afiliado que no ganan comisiones durante {days} días."
            ),
        },
        ladder_step="{ordinal} vez: {action}.",
        ladder_last_step="{ordinal} vez y siguientes: {action}.",
        warning_deadline="{action}, con {days} días para corregir el problema",
        ladder_advance=(
            "Cada nueva infracción de esta norma en {lookback_days} días, o un aviso no corregido "
            "a tiempo, sube un escalón."
        ),
        automatic_from=(
            "La medida es automática solo con al menos {min_volume} {items}; por debajo, una "
            "persona revisa el caso y decide."
        ),
        automatic_always="La medida es automática; siempre puedes recurrir.",
        shadow="En prueba: registramos lo que pasaría, pero no tomamos ninguna medida.",
        orders_in_lookback="pedidos en los últimos {lookback_days} días",
        ordinal=_spanish_ordinal,
    ),
}
