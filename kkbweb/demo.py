"""`flask demo-data`: every feature adds realistic records here."""

from kkbweb.auth.demo import seed_demo_users
from kkbweb.kie import demo as kie_demo
from kkbweb.meetings import demo as meetings_demo
from kkbweb.referrals import demo as referrals_demo
from kkbweb.reports import demo as reports_demo


def run(scale: int, password: str) -> list:
    """Create demo users, then each feature's records; return the new users."""
    created = seed_demo_users(password)
    # Each feature appends its seeder below: seed(scale=scale).
    meetings_demo.seed(scale=scale)
    kie_demo.seed(scale=scale)
    referrals_demo.seed(scale=scale)
    # Last: the hand-in snapshots hold the other features' figures.
    reports_demo.seed(scale=scale)
    return created
