"""User accounts."""

from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from kkbweb import roles
from kkbweb.extensions import db
from kkbweb.timeutil import utcnow


class User(UserMixin, db.Model):
    """A login. Department roles see all Pokja; Pokja-bound users one."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    pokja_id: Mapped[int | None] = mapped_column(ForeignKey("pokja.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout, password change and deactivation; the session stores it,
    # so every copy of an older session cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    pokja = relationship("Pokja", lazy="raise_on_sql")

    def __str__(self) -> str:
        return self.username

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses inactive users."""
        return self.active

    def get_id(self) -> str:
        """Session identity: id and session version together."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        """Hash and store a new password."""
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        """Tell whether the password matches."""
        return check_password_hash(self.password_hash, password)

    def end_sessions(self) -> None:
        """Invalidate every existing session of this user."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def role_label(self) -> str:
        return roles.ROLE_LABELS.get(self.role, self.role)

    @property
    def sees_all_pokja(self) -> bool:
        """Department-wide: admin, staf, pimpinan, or penyelenggara without Pokja."""
        if self.role in roles.DEPARTMENT_ROLES:
            return True
        return self.role in roles.POKJA_OPTIONAL_ROLES and self.pokja_id is None

    def has_role(self, *names: str) -> bool:
        return self.role in names

    def audit_dict(self) -> dict:
        """Return the fields an audit row records (never the password hash)."""
        return {
            "username": self.username,
            "full_name": self.full_name,
            "role": self.role,
            "pokja_id": self.pokja_id,
            "active": self.active,
        }
