"""Login, password and user-admin forms."""

from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from kkbweb.forms import Form, optional_int
from kkbweb.formtokens import FormTokenField
from kkbweb.roles import ROLE_LABELS


class LoginForm(Form):
    username = StringField(
        "Nama pengguna",
        validators=[DataRequired("Isi nama pengguna."), Length(max=40)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        "Kata sandi",
        validators=[DataRequired("Isi kata sandi."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(Form):
    current = PasswordField(
        "Kata sandi sekarang",
        validators=[DataRequired("Isi kata sandi sekarang."), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        "Kata sandi baru",
        validators=[DataRequired("Isi kata sandi baru."), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Ulangi kata sandi baru",
        validators=[
            DataRequired("Ulangi kata sandi baru."),
            EqualTo("new", "Kedua isian kata sandi baru tidak sama."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class UserForm(Form):
    username = StringField(
        "Nama pengguna",
        validators=[DataRequired("Isi nama pengguna."), Length(max=40)],
        render_kw={"autocapitalize": "none"},
    )
    full_name = StringField(
        "Nama lengkap", validators=[DataRequired("Isi nama lengkap."), Length(max=100)]
    )
    role = SelectField(
        "Peran", choices=list(ROLE_LABELS.items()), validators=[DataRequired()]
    )
    pokja_id = SelectField("Pokja", coerce=optional_int, validators=[Optional()])
    active = BooleanField("Aktif", default=True)


class NewUserForm(UserForm):
    form_token = FormTokenField()
    password = PasswordField(
        "Kata sandi awal",
        description=(
            "Minimal 10 karakter. Pengguna wajib menggantinya saat pertama masuk."
        ),
        validators=[DataRequired("Isi kata sandi awal."), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )


class ResetPasswordForm(Form):
    password = PasswordField(
        "Kata sandi baru",
        description="Pengguna wajib menggantinya saat masuk berikutnya.",
        validators=[DataRequired("Isi kata sandi baru."), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )


class ConfirmForm(Form):
    """A bare form for buttons that only need CSRF protection."""
