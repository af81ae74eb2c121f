"""What SoPost orders hang off: organisations, campaigns, activities and their consents.

Built by the fixtures and read-only afterwards, so it needs no lock. Visibility lives here: an
organisation sees only its own campaigns and activities, and anything else is a 404 alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mocks.core.errors import ApiError

__all__ = ["Activity", "Campaign", "Catalogue", "ConsentDefinition", "Organisation"]


@dataclass
class ConsentDefinition:
    id: str
    consent_name: str
    data_handler: str


@dataclass
class Activity:
    id: str
    name: str
    campaign_id: str
    products: list[dict[str, Any]]  # [{name, skus: [{name, stock_partitions: [{id, remaining}]}]}]
    consents: list[ConsentDefinition]

    def stock_partition_ids(self) -> set[str]:
        return {
            partition["id"]
            for product in self.products
            for sku in product["skus"]
            for partition in sku["stock_partitions"]
        }


@dataclass
class Campaign:
    id: str
    name: str
    organisation_id: str
    activity_ids: list[str] = field(default_factory=list)


@dataclass
class Organisation:
    id: str
    name: str
    api_user: str
    api_password: str


@dataclass
class Catalogue:
    """Everything orders hang off, and who may see which part of it."""

    organisations: dict[str, Organisation]
    campaigns: dict[str, Campaign]
    activities: dict[str, Activity]
    default_organisation_id: str

    def organisation_for(self, user: str, password: str) -> Organisation | None:
        for organisation in self.organisations.values():
            if organisation.api_user == user and organisation.api_password == password:
                return organisation
        return None

    def campaigns_of(self, organisation_id: str) -> list[Campaign]:
        return [c for c in self.campaigns.values() if c.organisation_id == organisation_id]

    def visible_activity(self, organisation_id: str, activity_id: str) -> Activity:
        activity = self.activities.get(activity_id)
        if activity is None or self.organisation_of(activity) != organisation_id:
            raise ApiError.not_found(
                f"No activity {activity_id} in your organisation; "
                "GET /campaigns lists your activities.",
                "activity_id",
            )
        return activity

    def organisation_of(self, activity: Activity) -> str:
        return self.campaigns[activity.campaign_id].organisation_id

    def sees(self, organisation_id: str, entity_type: str, entity_id: str) -> bool:
        """Whether the organisation may subscribe to an Organisation or Campaign id."""
        if entity_type == "Organisation":
            return entity_id == organisation_id
        campaign = self.campaigns.get(entity_id)
        return campaign is not None and campaign.organisation_id == organisation_id
