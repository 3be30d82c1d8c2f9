//! The client API part of a run: a bearer token obtained the way a Mastodon app gets one
//! (register an app, the authorization-code flow with PKCE S256 through the signed-in web
//! session's consent form, `/oauth/token`), then `GET /api/v1/timelines/home?limit=20` and
//! `POST /api/v1/statuses` (distinct texts, from a wrk Lua script that counts the answers per
//! status) under wrk.

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

/// Where the bench "app" is sent back to; a custom scheme, as mobile apps register.
const REDIRECT_URI: &str = "socialbench://oauth-callback";
/// What the token may do: read the timeline and post (`write` covers `write:statuses`).
const SCOPES: &str = "read write";

/// A bearer token for `seed::BENCH_USER`, through the HTTP flow a client and a browser run.
/// `cookie` is the signed-in web session (`Cookie` header value).
pub async fn token(client: &reqwest::Client, base: &str, cookie: &str) -> anyhow::Result<String> {
    // 1. Register the app.
    let app = client
        .post(format!("{base}/api/v1/apps"))
        .form(&[
            ("client_name", "social-bench"),
            ("redirect_uris", REDIRECT_URI),
            ("scopes", SCOPES),
        ])
        .send()
        .await?;
    let status = app.status();
    if status != 200 {
        bail!("POST /api/v1/apps answered {status}: {}", app.text().await?);
    }
    let app: serde_json::Value = app.json().await.context("the Application entity")?;
    let field = |name: &str| {
        app[name]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("the Application entity has no {name}"))
    };
    let (client_id, client_secret) = (field("client_id")?, field("client_secret")?);

    // 2. The browser: the consent page of the signed-in session, then "Authorize".
    let verifier = code_verifier();
    let challenge = base64url(&Sha256::digest(verifier.as_bytes()));
    let state = "bench-state";
    let query = form_encode(&[
        ("response_type", "code"),
        ("client_id", &client_id),
        ("redirect_uri", REDIRECT_URI),
        ("scope", SCOPES),
        ("state", state),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    let page = client
        .get(format!("{base}/oauth/authorize?{query}"))
        .header("Cookie", cookie)
        .send()
        .await?;
    if page.status() != 200 {
        bail!("GET /oauth/authorize answered {}", page.status());
    }
    let html = page.text().await?;
    let form = html
        .find("action=\"/oauth/authorize\"")
        .map(|at| &html[at..])
        .context("the consent page has no form posting to /oauth/authorize")?;
    let form = &form[..form.find("</form>").unwrap_or(form.len())];
    let mut fields = hidden_inputs(form);
    fields.push(("decision".to_owned(), "approve".to_owned()));
    let approved = client
        .post(format!("{base}/oauth/authorize"))
        .header("Cookie", cookie)
        .header("Origin", base)
        .form(&fields)
        .send()
        .await?;
    let location = approved
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .with_context(|| {
            format!(
                "approving answered {} without a redirect",
                approved.status()
            )
        })?
        .to_owned();
    let code = location
        .strip_prefix(REDIRECT_URI)
        .and_then(|rest| rest.strip_prefix('?'))
        .and_then(|q| {
            let pairs = form_decode(q);
            let state_ok = pairs.iter().any(|(k, v)| k == "state" && v == state);
            pairs
                .into_iter()
                .find(|(k, _)| k == "code")
                .filter(|_| state_ok)
                .map(|(_, v)| v)
        })
        .with_context(|| format!("no code and state in the redirect to {location}"))?;

    // 3. The app: exchange the code.
    let answer = client
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT_URI),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("code_verifier", &verifier),
        ])
        .send()
        .await?;
    let status = answer.status();
    if status != 200 {
        bail!(
            "POST /oauth/token answered {status}: {}",
            answer.text().await?
        );
    }
    let body: serde_json::Value = answer.json().await.context("the token answer")?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("the token answer has no access_token")
}

/// Checks that the token reads the timeline (200 and a JSON array); returns the body's size
/// and its number of statuses.
pub async fn check_timeline(
    client: &reqwest::Client,
    url: &str,
    token: &str,
) -> anyhow::Result<(usize, usize)> {
    let response = client.get(url).bearer_auth(token).send().await?;
    let status = response.status();
    let bytes = response.bytes().await?;
    if status != 200 {
        bail!(
            "GET {url} answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        );
    }
    let list: Vec<serde_json::Value> =
        serde_json::from_slice(&bytes).context("the home timeline is not a JSON array")?;
    Ok((bytes.len(), list.len()))
}

/// A PKCE verifier (RFC 7636: 43 to 128 unreserved characters), unguessable enough for a
/// throw-away local run: SHA-256 of the clock and the process id, in hex.
fn code_verifier() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let digest = Sha256::digest(format!("{nanos} {}", std::process::id()));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Base64url without padding (RFC 4648 section 5), as PKCE's S256 wants.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let mut acc = 0u32;
        for (i, &b) in chunk.iter().enumerate() {
            acc |= u32::from(b) << (16 - 8 * i);
        }
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((acc >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn form_decode(query: &str) -> Vec<(String, String)> {
    let unescape = |s: &str| -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                    match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                        Some(b) => {
                            out.push(b);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (unescape(k), unescape(v))
        })
        .collect()
}

/// Every `<input type="hidden">` of `html` as (name, value), HTML entities decoded.
fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = tag[start..].find('"')?;
        Some(unescape_html(&tag[start..start + len]))
    };
    html.split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = format!(" {}", &rest[..rest.find('>')?]);
            if attr(&tag, "type").as_deref() != Some("hidden") {
                return None;
            }
            Some((attr(&tag, "name")?, attr(&tag, "value").unwrap_or_default()))
        })
        .collect()
}

fn unescape_html(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_of_the_rfc_example() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            base64url(&Sha256::digest(verifier.as_bytes())),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(base64url(b"ab"), "YWI");
        assert_eq!(code_verifier().len(), 64);
    }

    #[test]
    fn hidden_fields_and_query_strings() {
        let form = r#"<input type="hidden" name="csrf" value="c1"><input type="text" name="x" value="no"><input name="scope" value="read &amp; write" type="hidden">"#;
        assert_eq!(
            hidden_inputs(form),
            vec![
                ("csrf".to_owned(), "c1".to_owned()),
                ("scope".to_owned(), "read & write".to_owned())
            ]
        );
        assert_eq!(
            form_decode("code=a%2Fb+c&state=s"),
            vec![
                ("code".to_owned(), "a/b c".to_owned()),
                ("state".to_owned(), "s".to_owned())
            ]
        );
        assert_eq!(form_encode(&[("a b", "x:y")]), "a%20b=x%3Ay");
    }
}
