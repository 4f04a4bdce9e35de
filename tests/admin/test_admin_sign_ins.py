"""Sign-ins (issue 13): each successful one is recorded with its time, address and browser,
only her last 20 are kept, she gets them in her data export, and deleting her account
erases them."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fanhub.accounts import privacy
from fanhub.accounts import services as accounts
from fanhub.accounts.models import SIGN_INS_KEPT, SignIn, User
from fanhub.errors import Invalid
from fanhub.extensions import db
from tests import factories


def _sign_ins(app, user) -> list[SignIn]:
    with app.app_context():
        return list(
            db.session.scalars(select(SignIn).where(SignIn.user_id == user.id).order_by(SignIn.id))
        )


def test_signing_in_records_when_from_where_and_with_what(app, client, shop):
    agent = "Mozilla/5.0   (X11)\tGecko " + "x" * 400

    response = client.post(
        "/login",
        data={"login": "member", "password": factories.PASSWORD},
        headers={"User-Agent": agent},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )

    assert response.status_code == 302
    [sign_in] = _sign_ins(app, shop.member)
    assert sign_in.ip == "203.0.113.7"
    assert sign_in.user_agent.startswith("Mozilla/5.0 (X11) Gecko xxx")
    assert len(sign_in.user_agent) == 200
    assert sign_in.signed_in_at == factories.reload_user(app, shop.member.id).last_login_at


def test_a_wrong_password_records_nothing(app, client, shop):
    client.post("/login", data={"login": "member", "password": "not-her-password"})

    assert _sign_ins(app, shop.member) == []


def test_only_her_last_sign_ins_are_kept(app, shop, now):
    with app.app_context():
        for n in range(SIGN_INS_KEPT + 3):
            accounts.authenticate(
                "member", factories.PASSWORD, now=now + timedelta(minutes=n), ip=f"10.0.0.{n}"
            )
        accounts.authenticate("owner", factories.PASSWORD, now=now, ip="10.9.9.9")

    kept = _sign_ins(app, shop.member)
    assert len(kept) == SIGN_INS_KEPT
    assert [s.ip for s in kept] == [f"10.0.0.{n}" for n in range(3, SIGN_INS_KEPT + 3)]
    assert len(_sign_ins(app, shop.owner)) == 1  # hers alone are pruned


def test_her_sign_ins_are_in_her_export(app, shop, now):
    with app.app_context():
        accounts.authenticate("member", factories.PASSWORD, now=now, ip="198.51.100.4")
        accounts.authenticate("owner", factories.PASSWORD, now=now, ip="198.51.100.9")
        user = db.session.get(User, shop.member.id)
        data = privacy.export_member_data(user, user)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        records = json.loads(archive.read("sign_ins.json"))
    assert [r["ip"] for r in records] == ["198.51.100.4"]
    assert set(records[0]) == {"at", "ip", "user_agent"}


def test_deleting_her_account_erases_her_sign_ins(app, shop, now):
    with app.app_context():
        accounts.authenticate("member", factories.PASSWORD, now=now, ip="198.51.100.4")
        user = db.session.get(User, shop.member.id)
        privacy.delete_account(user, user, factories.PASSWORD, False, now=now)
        left = db.session.scalar(
            select(func.count()).select_from(SignIn).where(SignIn.user_id == shop.member.id)
        )

    assert left == 0
    with app.app_context(), pytest.raises(Invalid):
        accounts.authenticate("member", factories.PASSWORD, now=now)
