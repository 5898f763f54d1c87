"""Run by bench/compare_checkouts.py: time a few pages of one checkout, print JSON.

The checkout to time is argv[1]: its package is imported from there, so imports
follow the sys.path change (E402 on purpose).
"""
# ruff: noqa: E402

import json
import os
import statistics
import sys
import tempfile
import time

root = sys.argv[1]
sys.path.insert(0, root)
os.chdir(root)
from sqlalchemy import select, text

from kkbweb import create_app
from kkbweb.extensions import db

folder = tempfile.mkdtemp()
app = create_app(
    {
        "SECRET_KEY": "ab",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/ab.sqlite",
        "UPLOAD_FOLDER": folder,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "BENCH_MODE": True,
    }
)
with app.app_context():
    db.create_all()
    from kkbweb.pokja.seed import seed_pokja

    seed_pokja()
    db.session.commit()
    try:
        from kkbweb.demo.seed import run
    except ImportError:
        from kkbweb.demo import run
    run(scale=1, password="bench-password-123")
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    from kkbweb.auth.models import User

    users = {u.username: u for u in db.session.scalars(select(User))}

    def member_model():
        try:
            from kkbweb.members.models import Member
        except ImportError:
            from kkbweb.meetings.models import Member
        return Member

    from kkbweb.meetings.models import Meeting, MeetingPokja
    from kkbweb.pokja.models import Pokja

    pokja_a = db.session.scalar(select(Pokja.id).where(Pokja.display_name == "Ciwedus"))
    meeting = db.session.scalar(
        select(Meeting.id)
        .join(MeetingPokja, MeetingPokja.meeting_id == Meeting.id)
        .where(MeetingPokja.pokja_id == pokja_a)
        .order_by(Meeting.date.desc())
    )
    ids = {name: (u.id, u.session_version) for name, u in users.items()}


def client_for(username):
    c = app.test_client()
    uid, ver = ids[username]
    with c.session_transaction() as s:
        s["_user_id"] = f"{uid}:{ver}"
        s["_fresh"] = True
    return c


targets = [
    ("floor", None, "/bench/ok"),
    ("home", "demo.admin", "/"),
    ("meetings list", "demo.admin", "/meetings/"),
    ("roll call", "pokja.ciwedus", f"/meetings/{meeting}"),
    ("kie list", "demo.admin", "/kie/"),
    ("referrals queue", "demo.admin", "/referrals/"),
    ("reports city", "demo.admin", "/reports/?bulan=2026-11"),
    ("pokja recap", "demo.admin", f"/reports/pokja/{pokja_a}?bulan=2026-11"),
]
clients = {}
out = {}
for _round in range(int(sys.argv[2])):
    for name, user, path in targets:
        c = clients.setdefault(user, client_for(user) if user else app.test_client())
        times = []
        for _ in range(15):
            t = time.perf_counter()
            r = c.get(path)
            times.append(time.perf_counter() - t)
            assert r.status_code == 200, (name, r.status_code)
        out.setdefault(name, []).append(statistics.median(times) * 1000)
print(json.dumps({k: statistics.median(v) for k, v in out.items()}))
