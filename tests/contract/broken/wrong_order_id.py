"""Broken on purpose: sends SoPost's short_id as Poplar's order_id.

Caught by verify's `approved-consent`."""

from _naive import run

if __name__ == "__main__":
    run(order_id_field="short_id")
