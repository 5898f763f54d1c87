"""All demo data at once: users, then each feature's records."""

from kkbweb.demo import classification as classification_demo
from kkbweb.demo import kie as kie_demo
from kkbweb.demo import meetings as meetings_demo
from kkbweb.demo import poktan as poktan_demo
from kkbweb.demo import referrals as referrals_demo
from kkbweb.demo import reports as reports_demo
from kkbweb.demo import units as units_demo
from kkbweb.demo.users import seed_demo_users


def run(scale: int, password: str) -> list:
    """Create demo users, then each feature's records; return the new users."""
    created = seed_demo_users(password)
    # Each feature appends its seeder below: seed(scale=scale).
    meetings_demo.seed(scale=scale)
    kie_demo.seed(scale=scale)
    referrals_demo.seed(scale=scale)
    poktan_demo.seed(scale=scale)
    units_demo.seed(scale=scale)
    # After poktan: the profiles stand next to the poktan and their families.
    classification_demo.seed(scale=scale)
    # Last: the hand-in snapshots hold the other features' figures.
    reports_demo.seed(scale=scale)
    return created
