"""The tenant from a bearer key, on every endpoint: ``X-Scope-OrgID``; else the org of a
key allowed exactly one org (``*`` is not one); else the default org; else 401."""

import pytest
from fastapi.testclient import TestClient

from clickhouse import Store
from service.app import create_app
from service.http.gate import key_org
from tests.helpers import assert_error, org_of, settings_for, tenant

pytestmark = pytest.mark.integration

SCORE = "/api/v1/scan-reports/score"  # 404 names the tenant it looked in: none stored


def bearer(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


@pytest.mark.parametrize(
    ("allowed", "org"),
    [(["acme"], "acme"), (["acme", "acme"], "acme"), (["*"], None), (["a", "b"], None),
     ([], None), (None, None)],
)  # fmt: skip
def test_which_keys_name_an_org(allowed: list[str] | None, org: str | None) -> None:
    assert key_org(allowed) == org


def keys(one: str, default: str) -> dict[str, list[str]]:
    """Keys allowed one org, every org, and two orgs (one of them the default)."""
    return {"k-one": [one], "k-all": ["*"], "k-two": [one, default]}


def report(score: int) -> dict[str, object]:
    return {"source": "s", "createdAt": 1, "payload": f'{{"score": {score}}}'}


def test_the_header_wins_over_the_key(shared_store: Store) -> None:
    one, other = org_of(tenant()), org_of(tenant())  # tenants no other test writes to
    with TestClient(
        create_app(settings_for(shared_store.config, api_keys=keys(one, "d")))
    ) as keyed:
        stored = keyed.post("/api/v1/scan-reports", json=report(70), headers=bearer("k-one"))
        assert stored.status_code == 201, stored.text
        assert keyed.get(SCORE, headers=bearer("k-one")).json()["score"] == 70
        named = bearer("k-all", **{"X-Scope-OrgID": one})
        assert keyed.get(SCORE, headers=named).json()["score"] == 70
        # The header names another tenant: nothing there.
        assert_error(keyed.get(SCORE, headers=bearer("k-all", **{"X-Scope-OrgID": other})), 404)
        # A header naming an org the key does not allow stays 403.
        refused = bearer("k-one", **{"X-Scope-OrgID": other})
        assert_error(keyed.get(SCORE, headers=refused), 403, "Authorization")
        # Keys that name no single org give no tenant, and there is no default: 401.
        assert_error(keyed.get(SCORE, headers=bearer("k-all")), 401, "X-Scope-OrgID")
        assert_error(keyed.get(SCORE, headers=bearer("k-two")), 401, "X-Scope-OrgID")
        assert_error(keyed.get(SCORE, headers=bearer("nope")), 401)
        assert_error(keyed.get(SCORE), 401, "X-Scope-OrgID")


def test_the_default_org_comes_after_the_key(shared_store: Store) -> None:
    one, default = org_of(tenant()), org_of(tenant())
    settings = settings_for(shared_store.config, api_keys=keys(one, default), default_org=default)
    with TestClient(create_app(settings)) as keyed:
        # k-two names two orgs: the request is the default org's, which k-two may use.
        stored = keyed.post("/api/v1/scan-reports", json=report(55), headers=bearer("k-two"))
        assert stored.status_code == 201, stored.text
        named = bearer("k-all", **{"X-Scope-OrgID": default})
        assert keyed.get(SCORE, headers=named).json()["score"] == 55
        assert keyed.get(SCORE, headers=bearer("k-all")).json()["score"] == 55
        # k-one names one org: its own (nothing stored there), not the default.
        assert_error(keyed.get(SCORE, headers=bearer("k-one")), 404)
    # A key that may not use the default org is 403.
    settings = settings_for(shared_store.config, api_keys={"k": ["a", "b"]}, default_org="c")
    with TestClient(create_app(settings)) as other:
        assert_error(other.get(SCORE, headers=bearer("k")), 403, "Authorization")
