"""Login, logout, password change and the admin's user pages."""

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from kkbweb import roles
from kkbweb.access import role_required
from kkbweb.auth import cli, queries, rules, service, throttle
from kkbweb.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    UserForm,
)
from kkbweb.auth.models import User
from kkbweb.extensions import db, login_manager
from kkbweb.formtokens import creates, redirect_once
from kkbweb.pokja.queries import pokja_choices, pokja_names
from kkbweb.requests import is_local_path

# cli_group=None: `flask seed` and `flask create-user` stay top-level commands.
bp = Blueprint("auth", __name__, url_prefix="/auth", cli_group=None)
for _command in cli.COMMANDS:
    bp.cli.add_command(_command)


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """Load the user only if the session's version is still current."""
    user_id, _, version = session_id.partition(":")
    if not (user_id + version).isascii() or not (
        user_id.isdigit() and version.isdigit()
    ):
        return None
    user = queries.signed_in_user(int(user_id))
    if user is None or user.session_version != int(version) or not user.active:
        return None
    return user


LOGIN_FAILED = "Nama pengguna atau kata sandi salah."
LOGIN_THROTTLED = throttle.THROTTLED
# Checked for unknown usernames so that they take as long as known ones.
_DUMMY_HASH = generate_password_hash("kkbweb-dummy-password", method="scrypt:32768:8:3")


def _outside_transaction(work, *args, **kwargs):
    """Run slow work (a scrypt hash, ~0.35 s) with no transaction open.

    A POST's transaction holds SQLite's write lock from its first statement
    (BEGIN IMMEDIATE, kkbweb/database.py) until it ends; hashing inside it made
    every other writer wait, and a burst of logins outlasted the busy timeout
    ("database is locked", bench/load.py). Loaded objects reload when next used.
    """
    db.session.rollback()
    return work(*args, **kwargs)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and sign the user in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        username = service.normalize_username(form.username.data)
        attempt = throttle.begin(username)
        if not attempt.allowed:
            page = render_template("auth/login.html", form=form, error=LOGIN_THROTTLED)
            return make_response(page, 429)
        user = queries.user_by_username(username)
        # Unknown users cost a hash check too, so that they take as long.
        stored = user.password_hash if user is not None else _DUMMY_HASH
        matches = _outside_transaction(check_password_hash, stored, form.password.data)
        if user is None or not user.active or not matches:
            service.record_failed_login(user, username)
            db.session.commit()
            error = LOGIN_FAILED
        else:
            attempt.succeeded()
            session.clear()
            session.permanent = True
            login_user(user)
            service.record_login(user)
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
    service.log_out(user)
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
        # Guessing the current password here meets the login's budgets.
        attempt = throttle.begin(user.username)
        if not attempt.allowed:
            page = render_template(
                "auth/change_password.html", form=form, throttled=LOGIN_THROTTLED
            )
            return make_response(page, 429)
        if not _outside_transaction(check_password_hash, stored, form.current.data):
            form.current.errors.append("Kata sandi sekarang salah.")
        elif problem := service.password_problem(form.new.data, minimum, user.username):
            form.new.errors.append(problem)
        elif form.new.data == form.current.data:
            form.new.errors.append("Kata sandi baru harus berbeda dari yang sekarang.")
        else:
            attempt.succeeded()
            method = current_app.config["PASSWORD_HASH_METHOD"]
            new_hash = _outside_transaction(
                generate_password_hash, form.new.data, method=method
            )
            service.change_own_password(user, new_hash)
            db.session.commit()
            login_user(user)  # this device keeps a session with the new version
            flash("Kata sandi berhasil diganti.", "success")
            return redirect(url_for("main.index"), 303)
    return render_template("auth/change_password.html", form=form)


@bp.get("/users")
@role_required(*rules.USER_ADMIN_ROLES)
def users():
    """List every user, filterable by role and Pokja."""
    role = request.args.get("peran", "")
    rows = queries.users(role if role in roles.ROLE_LABELS else None)
    return render_template(
        "auth/users.html", users=rows, pokja_names=pokja_names(), role=role
    )


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(*rules.USER_ADMIN_ROLES)
@creates
def user_new():
    """Create a login."""
    form = NewUserForm()
    form.pokja_id.choices = _pokja_choices()
    if form.is_submitted() and all([form.validate(), _check_user_form(form)]):
        username = service.normalize_username(form.username.data)

        def make() -> str:
            service.add_user(
                username,
                form.full_name.data.strip(),
                form.role.data,
                form.password.data,
                form.pokja_id.data,
                active=form.active.data,
            )
            return url_for("auth.users")

        return redirect_once(form, make, f"Pengguna {username} dibuat.")
    return render_template("auth/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required(*rules.USER_ADMIN_ROLES)
def user_edit(user_id: int):
    """Edit a login's name, role, Pokja and active flag."""
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.pokja_id.choices = _pokja_choices()
    if form.is_submitted() and all([form.validate(), _check_user_form(form, user)]):
        values = {
            "username": service.normalize_username(form.username.data),
            "full_name": form.full_name.data.strip(),
            "role": form.role.data,
            "pokja_id": form.pokja_id.data,
            "active": form.active.data,
        }
        if service.update_user(user, values):
            db.session.commit()
            flash(f"Perubahan pengguna {user.username} disimpan.", "success")
        return redirect(url_for("auth.users"), 303)
    reset_form = ResetPasswordForm(formdata=None)
    return render_template(
        "auth/user_form.html", form=form, user=user, reset_form=reset_form
    )


@bp.post("/users/<int:user_id>/password")
@role_required(*rules.USER_ADMIN_ROLES)
def user_reset_password(user_id: int):
    """Set a new password that the user must change on next login."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if form.validate_on_submit():
        problem = service.password_problem(form.password.data, minimum, user.username)
        if problem is None:
            service.reset_password(user, form.password.data)
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
    return [("", "— tanpa Pokja (seluruh kota) —")] + pokja_choices(active_only=False)


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
