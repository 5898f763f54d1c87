"""Login, logout, password change and the admin's user pages."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from kkbweb.audit.log import record
from kkbweb.auth import roles, service
from kkbweb.auth.access import role_required
from kkbweb.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    UserForm,
)
from kkbweb.auth.models import User
from kkbweb.extensions import db, limiter
from kkbweb.pokja.models import Pokja
from kkbweb.timeutil import utcnow

bp = Blueprint("auth", __name__, url_prefix="/auth")

LOGIN_FAILED = "Nama pengguna atau kata sandi salah."
LOGIN_THROTTLED = (
    "Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini. "
    "Tunggu 15 menit lalu coba lagi, atau minta admin mengatur ulang kata sandi."
)
# Checked for unknown usernames so that they take as long as known ones.
_DUMMY_HASH = generate_password_hash("kkbweb-dummy-password", method="scrypt:32768:8:3")


def _login_limit_key() -> str:
    """Throttle per username, whoever sends it and from wherever."""
    return "login:" + service.normalize_username(request.form.get("username"))[:40]


def _login_throttled(_limit):
    """Answer a throttled login with the login page and a clear message."""
    page = render_template("auth/login.html", form=LoginForm(), error=LOGIN_THROTTLED)
    return make_response(page, 429)


def _outside_transaction(work, *args, **kwargs):
    """Run slow work (a scrypt hash, ~0.35 s) with no transaction open.

    A POST's transaction holds SQLite's write lock from its first statement
    (BEGIN IMMEDIATE, kkbweb/database.py) until it ends; hashing inside it made
    every other writer wait, and a burst of logins outlasted the busy timeout
    ("database is locked", bench/load.py). Loaded objects reload when next used.
    """
    db.session.rollback()
    return work(*args, **kwargs)


def is_local_path(target: str | None) -> bool:
    """Accept only same-site paths for ?next= (no scheme, host or //host)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"],
    key_func=_login_limit_key,
    methods=["POST"],
    deduct_when=lambda response: g.get("login_failed", False),
    on_breach=_login_throttled,
)
def login():
    """Show the login form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = service.normalize_username(form.username.data)
        user = db.session.scalars(select(User).where(User.username == username)).first()
        # Unknown users cost a hash check too, so that they take as long.
        stored = user.password_hash if user is not None else _DUMMY_HASH
        matches = _outside_transaction(check_password_hash, stored, form.password.data)
        if user is None or not user.active or not matches:
            g.login_failed = True
            record(
                "login.failed",
                entity_type="user",
                entity_id=getattr(user, "id", None),
                note=f"nama pengguna: {username}",
                user=user,
            )
            db.session.commit()
            error = LOGIN_FAILED
        else:
            session.clear()
            session.permanent = True
            login_user(user)
            user.last_login_at = utcnow()
            record("login", user, user=user)
            db.session.commit()
            target = request.args.get("next")
            if user.must_change_password:
                return redirect(url_for("auth.change_password"), 303)
            return redirect(
                target if is_local_path(target) else url_for("main.index"), 303
            )
    return render_template("auth/login.html", form=form, error=error)


@bp.post("/logout")
@login_required
def logout():
    """Sign out and end every session of this account."""
    user = db.session.get(User, current_user.id)
    user.end_sessions()
    record("logout", user)
    db.session.commit()
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Let users choose their own password (required after an admin set one)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        stored = user.password_hash
        if not _outside_transaction(check_password_hash, stored, form.current.data):
            form.current.errors.append("Kata sandi sekarang salah.")
        elif problem := service.password_problem(form.new.data, minimum, user.username):
            form.new.errors.append(problem)
        elif form.new.data == form.current.data:
            form.new.errors.append("Kata sandi baru harus berbeda dari yang sekarang.")
        else:
            method = current_app.config["PASSWORD_HASH_METHOD"]
            new_hash = _outside_transaction(
                generate_password_hash, form.new.data, method=method
            )
            user.password_hash = new_hash
            user.must_change_password = False
            user.end_sessions()  # other devices must sign in again
            record("user.password_change", user)
            db.session.commit()
            login_user(user)  # this device keeps a session with the new version
            flash("Kata sandi berhasil diganti.", "success")
            return redirect(url_for("main.index"), 303)
    return render_template("auth/change_password.html", form=form)


@bp.get("/users")
@role_required(roles.ADMIN)
def users():
    """List every user, filterable by role and Pokja."""
    role = request.args.get("peran", "")
    stmt = select(User).order_by(User.active.desc(), User.username)
    if role in roles.ROLE_LABELS:
        stmt = stmt.where(User.role == role)
    rows = db.session.scalars(stmt).all()
    pokja_names = dict(db.session.execute(select(Pokja.id, Pokja.display_name)).all())
    return render_template(
        "auth/users.html", users=rows, pokja_names=pokja_names, role=role
    )


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def user_new():
    """Create a login."""
    form = NewUserForm()
    form.pokja_id.choices = _pokja_choices()
    if form.is_submitted() and all([form.validate(), _check_user_form(form)]):
        user = service.create_user(
            service.normalize_username(form.username.data),
            form.full_name.data.strip(),
            form.role.data,
            form.password.data,
            form.pokja_id.data,
        )
        user.active = form.active.data
        db.session.flush()
        record("user.create", user, after=user.audit_dict())
        db.session.commit()
        flash(f"Pengguna {user.username} dibuat.", "success")
        return redirect(url_for("auth.users"), 303)
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def user_edit(user_id: int):
    """Edit a login's name, role, Pokja and active flag."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.pokja_id.choices = _pokja_choices()
    if form.is_submitted() and all([form.validate(), _check_user_form(form, user)]):
        before = user.audit_dict()
        was_active = user.active
        user.username = service.normalize_username(form.username.data)
        user.full_name = form.full_name.data.strip()
        user.role = form.role.data
        user.pokja_id = form.pokja_id.data
        user.active = form.active.data
        if before != user.audit_dict():
            # A changed role, Pokja or active flag must take effect at once.
            user.end_sessions()
            action = (
                "user.deactivate" if was_active and not user.active else "user.update"
            )
            record(action, user, before=before, after=user.audit_dict())
            db.session.commit()
            flash(f"Perubahan pengguna {user.username} disimpan.", "success")
        return redirect(url_for("auth.users"), 303)
    reset_form = ResetPasswordForm(formdata=None)
    return render_template(
        "auth/user_form.html", form=form, user=user, reset_form=reset_form
    )


@bp.post("/users/<int:user_id>/password")
@role_required(roles.ADMIN)
def user_reset_password(user_id: int):
    """Set a new password that the user must change on next login."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if form.validate_on_submit():
        problem = service.password_problem(form.password.data, minimum, user.username)
        if problem is None:
            user.set_password(form.password.data)
            user.must_change_password = True
            user.end_sessions()
            record("user.password_reset", user)
            db.session.commit()
            flash(f"Kata sandi {user.username} diatur ulang.", "success")
            return redirect(url_for("auth.users"), 303)
        form.password.errors.append(problem)
    edit_form = UserForm(obj=user, formdata=None)
    edit_form.pokja_id.choices = _pokja_choices()
    return render_template(
        "auth/user_form.html", form=edit_form, user=user, reset_form=form
    ), 200


def _pokja_choices() -> list[tuple[str, str]]:
    """Pokja options for the user form; empty means department-wide."""
    rows = db.session.execute(
        select(Pokja.id, Pokja.display_name).order_by(Pokja.display_name)
    ).all()
    return [("", "— tanpa Pokja (seluruh kota) —")] + [
        (pid, name) for pid, name in rows
    ]


def _check_user_form(form: UserForm, user: User | None = None) -> bool:
    """Apply the rules WTForms cannot express; add messages to the fields."""
    ok = True
    username = service.normalize_username(form.username.data)
    if problem := service.username_problem(
        username, exclude_id=getattr(user, "id", None)
    ):
        form.username.errors.append(problem)
        ok = False
    if problem := roles.role_problem(form.role.data, form.pokja_id.data is not None):
        form.pokja_id.errors.append(problem)
        ok = False
    if (
        user is not None
        and user.id == current_user.id
        and (form.role.data != roles.ADMIN or not form.active.data)
    ):
        form.role.errors.append(
            "Anda tidak dapat mencabut peran admin atau menonaktifkan akun sendiri."
        )
        ok = False
    password = getattr(form, "password", None)
    if password is not None:
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if problem := service.password_problem(password.data, minimum, username):
            password.errors.append(problem)
            ok = False
    return ok
