"""Mastodon.py (PyPI) against our OAuth server: app registration, the authorization-code
flow (the browser's steps, log-in and consent, done with requests), then
account_verify_credentials with the token. Run by the ignored Rust test
`api_oauth::mastodon_py_code_flow`: python3 mastodon_py_oauth.py BASE_URL USERNAME PASSWORD
"""

import html
import re
import sys

import requests
from mastodon import Mastodon

SCOPES = ["read", "write", "follow"]


def hidden_fields(page: str) -> dict:
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    return {name: html.unescape(value) for name, value in fields}


def main() -> None:
    base, username, password = sys.argv[1:4]
    client_id, client_secret = Mastodon.create_app(
        "Mastodon.py test", scopes=SCOPES, api_base_url=base
    )
    api = Mastodon(
        client_id=client_id,
        client_secret=client_secret,
        api_base_url=base,
        version_check_mode="none",
    )
    url = api.auth_request_url(scopes=SCOPES, allow_http=True)

    browser = requests.Session()
    login = browser.get(url)  # redirected to the log-in form
    assert login.status_code == 200 and 'action="/login"' in login.text, login.text
    form = hidden_fields(login.text)
    form.update(username=username, password=password)
    consent = browser.post(base + "/login", data=form)  # back to the consent page
    assert consent.status_code == 200 and "Mastodon.py test" in consent.text, consent.text
    decision = hidden_fields(consent.text)
    decision["decision"] = "approve"
    shown = browser.post(base + "/oauth/authorize", data=decision)
    assert shown.status_code == 200, shown.text
    code = re.search(r'id="oauth-code"[^>]*value="([^"]+)"', shown.text).group(1)

    api.log_in(code=code, scopes=SCOPES, allow_http=True)
    me = api.account_verify_credentials()
    assert me.username == username, me
    print("mastodon.py ok:", me.acct)


if __name__ == "__main__":
    main()
