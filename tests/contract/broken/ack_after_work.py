"""Broken on purpose: does the whole job inside the webhook request (slow ack).

Caught by verify's `ack-fast`."""

from _naive import run

if __name__ == "__main__":
    run(process_inline=True)
