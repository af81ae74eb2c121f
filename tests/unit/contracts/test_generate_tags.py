"""A drawn order gets its unique tag where fit kept a place for it, and nowhere else."""

from __future__ import annotations

from contracts.generate import TAG, fit, tagged

PARTITIONS = ["f3a10b3a-a02f-4568-b1ca-ea6571620f91"]


def test_the_tag_fills_the_email_and_a_missing_identity() -> None:
    body = fit({}, "brand", "SoPost", 0, PARTITIONS, TAG)

    filled = tagged(body, "mk1-s17-11-gen")

    assert filled["email"].startswith("mk1-s17-11-gen")
    assert filled["identity"] == "mk1-s17-11-gen"


def test_generated_text_that_is_the_placeholder_stays_as_drawn() -> None:
    # hypothesis draws string constants from the code it runs beside: "{tag}" among them
    raw = {"telephone": TAG, "full_name": f"A {TAG}", "identity": "drawn", "email": "a@b.c"}
    body = fit(raw, "brand", "SoPost", 0, PARTITIONS, TAG)

    filled = tagged(body, "mk981508551-s17-11-gen")

    assert filled["telephone"] == TAG  # filled in, it would be 22 characters: over its 20
    assert filled["full_name"] == f"A {TAG}"
    assert filled["identity"] == "drawn"
    assert filled["email"] == "mk981508551-s17-11-gen.a@b.c"
