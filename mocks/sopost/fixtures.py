"""The default SoPost world: the guide's own entities plus seeded, Faker-built orders.

The guide's example organisation, activity, stock partition, consent and order exist with the
exact ids and values it prints, so its curl commands work verbatim. Everything else comes from
Faker and the seed: the same ``--seed`` gives the same data. API credentials are constants so
the README can print them.

Seeded orders are live, under the one rule new orders follow (``SoPostState`` carries each on
from its status at start): PENDING ones are decided after the filtering delay, approved ones
move through the distribution stages. The guide's two examples (its order and the order of its
example OrderEvent) have ``distribute`` off, as ``/_mock/orders`` allows, so they stay APPROVED
as printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faker import Faker

from mocks.core.ids import IdSource
from mocks.sopost.catalogue import Activity, Campaign, Catalogue, ConsentDefinition, Organisation
from mocks.sopost.fake import seeded_faker
from mocks.sopost.orders import Order, email_identity

__all__ = [
    "CREDENTIALS",
    "GUIDE",
    "GUIDE_ORDER",
    "OTHER_ORGANISATION_ID",
    "RETAILER",
    "World",
    "build_world",
]


@dataclass(frozen=True)
class _GuideIds:
    organisation: str = "f3a10b3a-a02f-4568-b1ca-ea6571620f91"
    order: str = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    activity: str = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    stock_partition: str = "f3a10b3a-a02f-4568-b1ca-ea6571620f91"
    consent: str = "d2271011-4d8a-47e7-9d4a-5045780fbce9"
    event_order: str = "53e477dc-f27e-45ba-958a-d23f9cb85741"
    event_activity: str = "932c6eba-6fc5-4e41-9ea9-5fd2fe950b25"


GUIDE = _GuideIds()
OTHER_ORGANISATION_ID = "6c1d2a7e-3b8f-4c0d-9e5a-1f2b3c4d5e6f"
RETAILER = "Harbour & Finch"

# Fixed so that the README and the start-up banner can show them (observed: UUID-like pairs).
CREDENTIALS = {
    GUIDE.organisation: (
        "8d5e3f0a-1c2b-4a6d-9e7f-0a1b2c3d4e5f",
        "c0ffee00-aaaa-4bbb-8ccc-123456789abc",
    ),
    OTHER_ORGANISATION_ID: (
        "2b7c9d1e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
        "0badcafe-bbbb-4ccc-9ddd-abcdef012345",
    ),
}

GUIDE_ORDER: dict[str, Any] = {
    "id": GUIDE.order,
    "short_id": "9999ABCDEFG",
    "activity_id": GUIDE.activity,
    "address": {
        "line_1": "SoPost Ltd",
        "line_2": "The Core, Bath Lane",
        "town": "Newcastle Upon Type",
        "district": "Tyne & Wear",
        "territory": "GBR",
        "postcode": "NE4 5TF",
    },
    "full_name": "Joe Bloggs",
    "email": "joe.bloggs@example.com",
    "provider": "my-integration",
    "identity": "98700f04-e705-4547-a3ee-d38a8cc9293d",
    "telephone": "+441914980123",
    "line_items": [{"stock_partition_id": GUIDE.stock_partition}],
    "status": "APPROVED",
    "consents": [
        {
            "consent_id": GUIDE.consent,
            "consent_name": "SoPost Marketing Optin",
            "data_handler": "SoPost",
            "status": "APPROVED",
        }
    ],
    "custom_questions": [
        {
            "question_text": "What is your biggest skincare concern?",
            "question_id": "skincare-concern-101",
            "answer": [
                {"answer_text": "Signs of ageing", "answer_id": "ageing-423"},
                {"answer_text": "Sun damage", "answer_id": "sun-033"},
            ],
        }
    ],
}

QUESTIONS = [
    (
        "What is your biggest skincare concern?",
        "skincare-concern-101",
        [("Signs of ageing", "ageing-423"), ("Sun damage", "sun-033"), ("Dryness", "dry-118")],
    ),
    (
        "Which scents do you prefer?",
        "scent-preference-202",
        [("Floral", "floral-001"), ("Citrus", "citrus-002"), ("Woody", "woody-003")],
    ),
    (
        "How did you hear about us?",
        "heard-about-303",
        [("Instagram", "ig-1"), ("A friend", "friend-2"), ("In store", "store-3")],
    ),
]


@dataclass
class World:
    catalogue: Catalogue
    orders: list[Order]


def build_world(seed: int = 0, extra_orders: int = 50) -> World:
    """The catalogue and orders for ``seed``."""
    ids = IdSource(seed, stream="fixtures")
    fake = seeded_faker(seed)
    catalogue = _catalogue(ids, fake)
    orders = [_guide_order(), _event_example_order(ids, fake)]
    activities = [
        a
        for a in catalogue.activities.values()
        if catalogue.campaigns[a.campaign_id].organisation_id == GUIDE.organisation
    ]
    statuses = ["PENDING", "APPROVED", "REJECTED", "PROCESSING", "DISPATCHED", "DELIVERED"]
    for index in range(extra_orders):
        activity = activities[index % len(activities)]
        orders.append(
            _fake_order(
                ids,
                fake,
                activity,
                statuses[index % len(statuses)],
                consent_kind=index % 3,
                question_kind=(index // 3) % 3,
            )
        )
    for order in orders:
        activity = catalogue.activities[order.activity_id]
        order.campaign_id = activity.campaign_id
        order.organisation_id = catalogue.campaigns[activity.campaign_id].organisation_id
        order.line_items = order.line_items or [
            {"stock_partition_id": sorted(activity.stock_partition_ids())[0]}
        ]
    return World(catalogue, orders)


def _catalogue(ids: IdSource, fake: Faker) -> Catalogue:
    organisations = {
        GUIDE.organisation: Organisation(
            GUIDE.organisation, "Glow & Co Beauty", *CREDENTIALS[GUIDE.organisation]
        ),
        OTHER_ORGANISATION_ID: Organisation(
            OTHER_ORGANISATION_ID, "Northwind Snacks", *CREDENTIALS[OTHER_ORGANISATION_ID]
        ),
    }
    campaigns: dict[str, Campaign] = {}
    activities: dict[str, Activity] = {}
    plan = [
        (GUIDE.organisation, "Spring Skincare Sampling", [GUIDE.activity, ids.uuid()]),
        (GUIDE.organisation, "Fragrance Discovery", [GUIDE.event_activity]),
        (OTHER_ORGANISATION_ID, "Crunchy Bites Trial", [ids.uuid()]),
    ]
    for organisation_id, name, activity_ids in plan:
        campaign = Campaign(ids.uuid(), name, organisation_id, list(activity_ids))
        campaigns[campaign.id] = campaign
        for activity_id in activity_ids:
            activities[activity_id] = _activity(ids, fake, activity_id, campaign)
    return Catalogue(organisations, campaigns, activities, GUIDE.organisation)


def _activity(ids: IdSource, fake: Faker, activity_id: str, campaign: Campaign) -> Activity:
    first_partition = GUIDE.stock_partition if activity_id == GUIDE.activity else ids.uuid()
    products = []
    for product_index in range(2):
        skus = []
        for sku_index in range(2):
            partition = first_partition if product_index == sku_index == 0 else ids.uuid()
            skus.append(
                {
                    "name": f"{fake.color_name()} {fake.word().title()}",
                    "stock_partitions": [{"id": partition, "remaining": fake.random_int(50, 5000)}],
                }
            )
        products.append(
            {"name": f"{campaign.name.split()[0]} {fake.word().title()} Kit", "skus": skus}
        )
    sopost_consent = GUIDE.consent if activity_id == GUIDE.activity else ids.uuid()
    consents = [
        ConsentDefinition(sopost_consent, "SoPost Marketing Optin", "SoPost"),
        ConsentDefinition(ids.uuid(), f"{RETAILER} Marketing Optin", RETAILER),
    ]
    return Activity(
        activity_id, f"{campaign.name} - {fake.word().title()}", campaign.id, products, consents
    )


def _guide_order() -> Order:
    return Order(
        **{key: value for key, value in GUIDE_ORDER.items()},
        organisation_id=GUIDE.organisation,
        campaign_id="",
        created=0.0,
        distribute=False,
    )


def _event_example_order(ids: IdSource, fake: Faker) -> Order:
    """The order behind the guide's example OrderEvent, so that event's order_id resolves; it
    stays APPROVED, as the event says."""
    order = _order_from_fake(ids, fake, GUIDE.event_activity, "APPROVED")
    order.id = GUIDE.event_order
    order.distribute = False
    return order


def _fake_order(
    ids: IdSource,
    fake: Faker,
    activity: Activity,
    status: str,
    consent_kind: int,
    question_kind: int,
) -> Order:
    order = _order_from_fake(ids, fake, activity.id, status)
    sopost, retailer = activity.consents[0], activity.consents[1]
    chosen = [[], [sopost], [sopost, retailer]][consent_kind]
    order.consents = [
        {
            "consent_id": c.id,
            "consent_name": c.consent_name,
            "data_handler": c.data_handler,
            "status": "APPROVED",
        }
        for c in chosen
    ]
    text, question_id, answers = QUESTIONS[ids.choice([0, 1, 2])]
    if question_kind == 1:
        order.custom_questions = [_question(text, question_id, answers[:1])]
    elif question_kind == 2:
        order.custom_questions = [_question(text, question_id, answers[:2])]
    return order


def _order_from_fake(ids: IdSource, fake: Faker, activity_id: str, status: str) -> Order:
    email = fake.unique.email()
    via_api = fake.boolean()
    return Order(
        id=ids.uuid(),
        short_id=ids.hex(11).upper(),
        activity_id=activity_id,
        address={
            "line_1": f"{fake.building_number()} {fake.street_name()}",
            "line_2": fake.secondary_address() if fake.boolean() else None,
            "town": fake.city(),
            "district": fake.county() if fake.boolean() else None,
            "territory": "GBR",
            "postcode": fake.postcode(),
        },
        full_name=fake.name(),
        email=email,
        provider="my-integration" if via_api else "sopost",
        identity=ids.uuid() if via_api else email_identity(email),
        telephone=f"+4479{fake.numerify('########')}" if fake.boolean() else None,
        line_items=[],
        status=status,
        consents=[],
        custom_questions=[],
        organisation_id=GUIDE.organisation,
        campaign_id="",
        created=0.0,
    )


def _question(text: str, question_id: str, answers: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "question_text": text,
        "question_id": question_id,
        "answer": [{"answer_text": a, "answer_id": i} for a, i in answers],
    }
