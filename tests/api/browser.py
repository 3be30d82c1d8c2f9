"""The browser's part of the OAuth authorization-code flow, done over HTTP with requests:
open the authorization URL a client made, log in on the web form (with its CSRF token),
approve on the consent page, and hand back the code, read from the redirect (a registered
redirect URI) or from the out-of-band page (urn:ietf:wg:oauth:2.0:oob).

Forms are read with the standard library's HTML parser, the way a browser submits them: every
named input with its value, plus the button that was pressed.
"""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

OOB = "urn:ietf:wg:oauth:2.0:oob"


class FlowError(Exception):
    """A browser step did not see what a person would have seen."""


class _Forms(HTMLParser):
    """Collects the page's forms (action, method, fields, submit buttons) and the input with
    id="oauth-code" (the out-of-band page)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.oob_code: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                 "fields": {}, "buttons": []}
            )
        elif tag == "input" and a.get("id") == "oauth-code":
            self.oob_code = a.get("value")
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms and a.get("name"):
            self.forms[-1]["buttons"].append((a["name"], a.get("value", "")))


def parse(page: str) -> _Forms:
    parser = _Forms()
    parser.feed(page)
    return parser


def _form(page: str, action: str) -> dict:
    for form in parse(page).forms:
        if form["action"] == action and form["method"] == "post":
            return form
    raise FlowError(f"no POST form to {action} on the page:\n{page[:2000]}")


def authorize(auth_url: str, username: str, password: str, expect_app: str,
              redirect_uri: str, state: str | None = None) -> str:
    """Runs the browser steps for `auth_url` in a fresh session (no cookies) and returns the
    authorization code. Checks that the log-in form comes first, that the consent page names
    the app `expect_app`, and, for a redirect URI, that the redirect goes to `redirect_uri`
    with the same `state`."""
    browser = requests.Session()
    login = browser.get(auth_url, timeout=30)
    if login.status_code != 200:
        raise FlowError(f"GET {auth_url}: {login.status_code} {login.text[:500]}")
    form = _form(login.text, "/login")
    if "csrf" not in form["fields"]:
        raise FlowError("the log-in form has no CSRF token")
    fields = dict(form["fields"], username=username, password=password)
    consent = browser.post(urljoin(login.url, "/login"), data=fields, timeout=30)
    if consent.status_code != 200:
        raise FlowError(f"POST /login: {consent.status_code} {consent.text[:500]}")
    if f"Authorize {expect_app}?" not in consent.text:
        raise FlowError(f"not the consent page for {expect_app!r}:\n{consent.text[:2000]}")
    form = _form(consent.text, "/oauth/authorize")
    if ("decision", "approve") not in form["buttons"]:
        raise FlowError(f"the consent form has no approve button: {form['buttons']}")
    decision = dict(form["fields"], decision="approve")
    approved = browser.post(urljoin(consent.url, "/oauth/authorize"), data=decision,
                            allow_redirects=False, timeout=30)
    if redirect_uri == OOB:
        if approved.status_code != 200:
            raise FlowError(f"approve (oob): {approved.status_code} {approved.text[:500]}")
        code = parse(approved.text).oob_code
        if not code:
            raise FlowError(f"no code on the out-of-band page:\n{approved.text[:2000]}")
        return code
    if approved.status_code != 302:
        raise FlowError(f"approve: expected a 302 redirect, got {approved.status_code}")
    location = approved.headers["Location"]
    if not location.startswith(redirect_uri + "?"):
        raise FlowError(f"redirected to {location!r}, not to {redirect_uri!r}")
    query = parse_qs(urlsplit(location).query)
    if query.get("state") != ([state] if state else None):
        raise FlowError(f"state {query.get('state')} came back, sent {state!r}")
    if "code" not in query:
        raise FlowError(f"no code in the redirect: {location}")
    return query["code"][0]
