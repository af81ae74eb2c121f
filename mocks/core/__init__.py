"""What both vendor mocks share: spec-driven validation, clock, journal, faults, webhooks.

Vendor packages (`mocks.sopost`, `mocks.poplar`) depend on this package; it never imports them.
"""
