"""The toot CLI (PyPI) against a running sociald, as a person at a terminal would use it:

  `toot login` (its browser flow: toot prints the authorization URL and asks for the code; the
  browser steps, log-in form and consent page, are done over HTTP by browser.py and the code
  from the out-of-band page is typed back into toot's prompt), `toot whoami`, `toot post`,
  then `toot timeline` and `toot timelines home` show the post; `toot mute` / `muted` /
  `unmute` and `block` / `blocked` / `unblock` another account.

toot keeps its configuration (app, token) under $XDG_CONFIG_HOME/toot; this program points
XDG_CONFIG_HOME at a fresh directory, so nothing of the user's is read or written.

Run by tests/api/clients: python toot_flow.py BASE_URL USER PASSWORD OTHER_USER
Prints one `ok` line per step; the first failed step prints `FAIL step: why` and exits 1.
"""

import importlib.metadata
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

import browser

TIMEOUT = 60


class StepFailed(Exception):
    pass


def expect(cond: bool, why: str) -> None:
    if not cond:
        raise StepFailed(why)


class Flow:
    def __init__(self, base: str, user: str, password: str, other: str,
                 config_home: str) -> None:
        self.base, self.user, self.password, self.other = base, user, password, other
        self.nonce = secrets.token_hex(4)
        # toot from this venv, without the user's config or a terminal's colours.
        self.toot = str(Path(sys.executable).with_name("toot"))
        self.env = dict(os.environ, XDG_CONFIG_HOME=config_home, NO_COLOR="1", COLUMNS="200")
        self.env.pop("TOOT_TESTING", None)

    def run(self, *args: str) -> str:
        done = subprocess.run([self.toot, *args], env=self.env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=TIMEOUT)
        expect(done.returncode == 0,
               f"toot {' '.join(args)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
        return done.stdout

    def login(self) -> None:
        proc = subprocess.Popen([self.toot, "login", "--instance", self.base], env=self.env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, bufsize=1)
        try:
            shown = []
            url = None
            assert proc.stdout is not None and proc.stdin is not None
            # toot prints an explanation, "Login URL:", the URL, then prompts (no newline).
            for line in proc.stdout:
                shown.append(line)
                if line.startswith(self.base + "/oauth/authorize"):
                    url = line.strip()
                    break
            expect(url is not None, "toot printed no authorization URL:\n" + "".join(shown))
            expect("redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in url,
                   f"toot's URL is not out-of-band: {url}")
            code = browser.authorize(url, self.user, self.password,
                                      "toot - a Mastodon CLI client", browser.OOB)
            # "Open link in default browser? [Y/n]" -> n, then "Authorization code" -> code.
            rest, _ = proc.communicate(f"n\n{code}\n", timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        expect(proc.returncode == 0 and "Successfully logged in" in rest,
               f"toot login exited {proc.returncode}:\n{''.join(shown)}{rest}")

    def whoami(self) -> None:
        out = self.run("whoami")
        expect(f"@{self.user}" in out, f"whoami does not show @{self.user}:\n{out}")

    def post(self) -> None:
        self.text = f"Hello from toot {self.nonce}"
        out = self.run("post", self.text)
        match = re.search(r"Toot posted: (\S+)", out)
        expect(match is not None, f"toot post printed no URL:\n{out}")
        self.url = match.group(1)
        expect(self.url.startswith(self.base + "/"), f"status URL {self.url}")

    def timeline(self) -> None:
        out = self.run("timeline", "--once")
        expect(self.text in out, f"the post is not in `toot timeline`:\n{out}")
        expect(f"@{self.user}" in out, f"the author is not in `toot timeline`:\n{out}")

    def timelines_home(self) -> None:
        out = self.run("timelines", "home", "--no-pager", "--no-clear")
        expect(self.text in out, f"the post is not in `toot timelines home`:\n{out}")

    def block_and_mute(self) -> None:
        for verb, listing in (("mute", "muted"), ("block", "blocked")):
            self.run(verb, self.other)
            out = self.run(listing)
            expect(f"@{self.other}" in out, f"`toot {listing}` does not list @{self.other}:\n{out}")
            self.run(f"un{verb}", self.other)
            out = self.run(listing)
            expect(f"@{self.other}" not in out, f"`toot {listing}` after un{verb}:\n{out}")


def main() -> int:
    base, user, password, other = sys.argv[1:5]
    with tempfile.TemporaryDirectory(prefix="toot-config.") as config_home:
        flow = Flow(base.rstrip("/"), user, password, other, config_home)
        steps = [
            ("toot login (browser flow, out-of-band code typed into the prompt)", flow.login),
            ("toot whoami", flow.whoami),
            ("toot post", flow.post),
            ("toot timeline --once shows the post", flow.timeline),
            ("toot timelines home --no-pager shows the post", flow.timelines_home),
            ("toot mute, muted, unmute, block, blocked, unblock", flow.block_and_mute),
        ]
        print(f"toot {importlib.metadata.version('toot')} against {base}")
        for name, run in steps:
            try:
                run()
            except Exception as e:  # every failure, ours or toot's, names its step
                print(f"FAIL {name}: {type(e).__name__}: {e}")
                return 1
            print(f"ok   {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
