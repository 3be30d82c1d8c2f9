"""Mastodon.py (PyPI) against a running sociald, as an app would use it:

  app registration (a custom-scheme redirect URI and the out-of-band one), a token for each of
  two accounts from the authorization-code flow (the browser steps done over HTTP by
  browser.py: log-in form with CSRF token, consent page; one code from the redirect, one from
  the out-of-band page), verify_credentials, follow, post, reply, favourite, boost, the home
  timeline paged with fetch_next / fetch_previous, an image upload attached to a post, and the
  notifications those raised.

Run by tests/api/clients: python mastodon_py_flow.py BASE_URL USER_A USER_B PASSWORD
Prints one `ok` line per step; the first failed step prints `FAIL step: why` and exits 1.
"""

import importlib.metadata
import io
import secrets
import struct
import sys
import zlib

import mastodon
import requests
from mastodon import Mastodon

import browser

APP = "Mastodon.py client test"
SCOPES = ["read", "write", "follow"]
REDIRECT = "social-test://callback"


class StepFailed(Exception):
    pass


def expect(cond: bool, why: str) -> None:
    if not cond:
        raise StepFailed(why)


def png(width: int, height: int) -> bytes:
    """An opaque RGB gradient as a PNG, made with zlib only."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 4 % 256, y * 5 % 256, 128))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


class Flow:
    def __init__(self, base: str, user_a: str, user_b: str, password: str) -> None:
        self.base, self.user_a, self.user_b, self.password = base, user_a, user_b, password
        self.nonce = secrets.token_hex(4)

    def register(self) -> None:
        self.client_id, self.client_secret = Mastodon.create_app(
            APP, scopes=SCOPES, redirect_uris=[REDIRECT, browser.OOB],
            website="https://example.org/mastodon-py-test", api_base_url=self.base,
        )
        expect(len(self.client_id) >= 32 and len(self.client_secret) >= 32,
               f"short client credentials: {self.client_id!r}")

    def client(self) -> Mastodon:
        # The default version check ("created"): Mastodon.py refuses calls newer than the
        # version the instance reports, as it would for any user.
        return Mastodon(client_id=self.client_id, client_secret=self.client_secret,
                        api_base_url=self.base)

    def log_in(self, username: str, redirect_uri: str) -> Mastodon:
        api = self.client()
        state = secrets.token_urlsafe(16) if redirect_uri != browser.OOB else None
        url = api.auth_request_url(redirect_uris=redirect_uri, scopes=SCOPES, state=state,
                                   allow_http=True)
        expect(url.startswith(self.base + "/oauth/authorize?"), f"auth URL {url}")
        code = browser.authorize(url, username, self.password, APP, redirect_uri, state)
        token = api.log_in(code=code, redirect_uri=redirect_uri, scopes=SCOPES,
                           allow_http=True)
        expect(len(token) >= 32, "short access token")
        me = api.account_verify_credentials()
        expect(me.username == username and me.acct == username,
               f"verify_credentials: {me.username!r} / {me.acct!r}, not {username!r}")
        expect(me.source is not None, "verify_credentials has no source")
        return api

    def tokens(self) -> None:
        self.a = self.log_in(self.user_a, REDIRECT)  # code from the redirect
        self.b = self.log_in(self.user_b, browser.OOB)  # code from the out-of-band page
        self.me_a = self.a.me()
        self.me_b = self.b.me()

    def code_is_single_use(self) -> None:
        api = self.client()
        url = api.auth_request_url(redirect_uris=browser.OOB, scopes=SCOPES, allow_http=True)
        code = browser.authorize(url, self.user_a, self.password, APP, browser.OOB)
        api.log_in(code=code, scopes=SCOPES, allow_http=True)
        try:
            self.client().log_in(code=code, scopes=SCOPES, allow_http=True)
        except mastodon.MastodonIllegalArgumentError as e:
            expect("invalid_grant" in str(e), f"replayed code refused, but: {e}")
        else:
            raise StepFailed("a replayed code gave a second token")

    def follow(self) -> None:
        rel = self.b.account_follow(self.me_a.id)
        expect(rel.id == self.me_a.id and rel.following, f"follow: {rel}")
        rel = self.a.account_relationships(self.me_b.id)[0]
        expect(rel.followed_by and not rel.following, f"seen from the followed side: {rel}")
        found = self.b.account_lookup(self.user_a)
        expect(found.id == self.me_a.id and found.followers_count == 1,
               f"lookup: {found.id} followers {found.followers_count}")

    def post_and_reply(self) -> None:
        self.post = self.a.status_post(f"Hello from Mastodon.py {self.nonce}",
                                       visibility="public")
        expect(self.post.account.id == self.me_a.id, "post author")
        expect(f"Hello from Mastodon.py {self.nonce}" in self.post.content,
               f"post content: {self.post.content!r}")
        expect(self.post.visibility == "public", f"visibility {self.post.visibility}")
        # status_reply mentions the author (Mastodon.py adds @user_a to the text).
        self.reply = self.b.status_reply(self.post, f"a reply {self.nonce}")
        expect(self.reply.in_reply_to_id == self.post.id,
               f"in_reply_to_id {self.reply.in_reply_to_id} != {self.post.id}")
        expect(self.reply.in_reply_to_account_id == self.me_a.id, "in_reply_to_account_id")
        expect([m.id for m in self.reply.mentions] == [self.me_a.id],
               f"mentions: {self.reply.mentions}")
        context = self.a.status_context(self.post)
        expect([s.id for s in context.descendants] == [self.reply.id],
               f"context descendants: {[s.id for s in context.descendants]}")

    def favourite_and_boost(self) -> None:
        fav = self.b.status_favourite(self.post)
        expect(fav.id == self.post.id and fav.favourited and fav.favourites_count == 1,
               f"favourite: favourited={fav.favourited} count={fav.favourites_count}")
        boost = self.b.status_reblog(self.post)
        expect(boost.reblog is not None and boost.reblog.id == self.post.id,
               "the reblog wraps the post")
        expect(boost.account.id == self.me_b.id, "the reblog is by the booster")
        seen = self.a.status(self.post)
        expect(seen.favourites_count == 1 and seen.reblogs_count == 1 and
               seen.replies_count == 1,
               f"counts: fav {seen.favourites_count} boost {seen.reblogs_count} "
               f"replies {seen.replies_count}")
        expect([acc.id for acc in self.a.status_favourited_by(self.post)] == [self.me_b.id],
               "favourited_by")
        expect([acc.id for acc in self.a.status_reblogged_by(self.post)] == [self.me_b.id],
               "reblogged_by")

    def home_pagination(self) -> None:
        texts = [f"page test {self.nonce} #{i:02}" for i in range(12)]
        posted = [self.a.status_post(text).id for text in texts]
        newest_first = list(reversed(posted))
        first = self.b.timeline_home(limit=5)
        expect(len(first) == 5, f"first page has {len(first)} statuses")
        expect([s.id for s in first] == newest_first[:5],
               f"first page {[s.id for s in first]}, expected {newest_first[:5]}")
        pages, page, seen = [first], first, [s.id for s in first]
        while True:
            page = self.b.fetch_next(page)
            if not page:
                break
            expect(len(pages) < 20, "fetch_next does not end")
            pages.append(page)
            seen += [s.id for s in page]
        expect(len(pages) >= 3, f"only {len(pages)} pages of 5")
        expect(len(seen) == len(set(seen)), "a status came twice while paging")
        expect(seen[:12] == newest_first, "the 12 posts are not the newest, newest first")
        # Then the post, the reply and the boost from before, newest first.
        rest = seen[12:]
        expect(self.post.id in rest and self.reply.id in rest,
               f"older statuses missing from the home timeline: {rest}")
        back = self.b.fetch_previous(pages[1])
        expect([s.id for s in back] == [s.id for s in first],
               f"fetch_previous of page 2: {[s.id for s in back]}")
        newer = self.b.fetch_previous(first)
        expect(not newer, f"nothing is newer than the first page: {newer}")

    def image(self) -> None:
        data = png(64, 48)
        media = self.a.media_post(io.BytesIO(data), mime_type="image/png", file_name="grad.png",
                                  description=f"a gradient {self.nonce}", focus=(0.5, -0.25))
        expect(media.type == "image", f"media type {media.type}")
        expect(media.url and media.preview_url, "media without url / preview_url")
        expect(media.meta.original.width == 64 and media.meta.original.height == 48,
               f"meta.original {media.meta.original}")
        expect(media.description == f"a gradient {self.nonce}", "media description")
        status = self.a.status_post(f"with an image {self.nonce}", media_ids=[media])
        attached = [m.id for m in status.media_attachments]
        expect(attached == [media.id], f"media_attachments {attached} != [{media.id}]")
        again = self.b.status(status.id)
        expect([m.id for m in again.media_attachments] == [media.id] and
               again.media_attachments[0].url == media.url, "the status read back")
        served = requests.get(media.url, timeout=30)
        expect(served.status_code == 200 and served.headers["Content-Type"] in
               ("image/jpeg", "image/png"), f"GET {media.url}: {served.status_code} "
               f"{served.headers.get('Content-Type')}")
        expect(served.content != data, "the upload was stored as sent, not re-encoded")
        expect(requests.get(media.preview_url, timeout=30).status_code == 200, "preview_url")

    def notifications(self) -> None:
        notes = self.a.notifications(limit=40)
        by_type: dict[str, list] = {}
        for n in notes:
            by_type.setdefault(n.type, []).append(n)
        for kind in ("follow", "mention", "favourite", "reblog"):
            expect(len(by_type.get(kind, [])) == 1,
                   f"{kind}: {len(by_type.get(kind, []))} notifications, expected 1 "
                   f"(all: {sorted(by_type)})")
            expect(by_type[kind][0].account.id == self.me_b.id, f"{kind} not from the follower")
        expect(by_type["mention"][0].status.id == self.reply.id, "mention names the reply")
        expect(by_type["favourite"][0].status.id == self.post.id, "favourite names the post")
        expect(by_type["reblog"][0].status.id == self.post.id, "reblog names the post")
        expect(by_type["follow"][0].status is None, "a follow notification has no status")
        one = self.a.notifications(id=by_type["mention"][0].id)
        expect(one.type == "mention" and one.id == by_type["mention"][0].id, "notification by id")
        expect(not self.b.notifications(), "the follower got notifications of its own actions")
        mentions = self.a.notifications(types=["mention"])
        expect([n.type for n in mentions] == ["mention"], f"types=[mention]: {mentions}")


def main() -> int:
    base, user_a, user_b, password = sys.argv[1:5]
    flow = Flow(base.rstrip("/"), user_a, user_b, password)
    steps = [
        ("create_app (custom scheme + out-of-band redirect URIs)", flow.register),
        ("tokens: code from the redirect, code from the out-of-band page", flow.tokens),
        ("a code works once", flow.code_is_single_use),
        ("account_follow, relationships, lookup", flow.follow),
        ("status_post, status_reply, context", flow.post_and_reply),
        ("status_favourite, status_reblog, counts, favourited_by, reblogged_by",
         flow.favourite_and_boost),
        ("timeline_home(limit=5), fetch_next, fetch_previous", flow.home_pagination),
        ("media_post (PNG) attached with status_post(media_ids=...)", flow.image),
        ("notifications: follow, mention, favourite, reblog", flow.notifications),
    ]
    print(f"Mastodon.py {importlib.metadata.version('Mastodon.py')} against {base}")
    for name, run in steps:
        try:
            run()
        except Exception as e:  # every failure, ours or the library's, names its step
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            return 1
        print(f"ok   {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
