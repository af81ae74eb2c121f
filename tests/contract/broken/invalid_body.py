"""Broken on purpose: sends order_date as DD/MM/YYYY (Poplar documents YYYY-MM-DD).

Caught by verify's `poplar-valid`."""

from _naive import run

if __name__ == "__main__":
    run(bad_date=True)
