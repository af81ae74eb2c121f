"""Broken on purpose: accepts a consent from any data handler (a retailer's too).

Caught by verify's `retailer-consent`."""

from _naive import run

if __name__ == "__main__":
    run(any_handler=True)
