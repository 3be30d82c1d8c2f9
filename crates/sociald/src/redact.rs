//! Hiding secrets before a value reaches a log line or the terminal.

/// Replaces the password of a URL's user information with `***`
/// (`postgres://u:secret@h/db` → `postgres://u:***@h/db`), and the value of a `password`
/// query parameter. Other URLs come back unchanged.
pub fn url(url: &str) -> String {
    query_password(&userinfo_password(url))
}

fn query_password(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let params: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
            _ => p.to_owned(),
        })
        .collect();
    format!("{base}?{}", params.join("&"))
}

fn userinfo_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        &url[..authority_start],
        &userinfo[..colon],
        &url[authority_start + at..]
    )
}

#[cfg(test)]
mod tests {
    use super::url;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            url("postgres://u:s3cr%40t@db:5432/x"),
            "postgres://u:***@db:5432/x"
        );
        assert_eq!(
            url("redis://:pw@127.0.0.1:6379/0"),
            "redis://:***@127.0.0.1:6379/0"
        );
        assert_eq!(url("postgres://u@db/x"), "postgres://u@db/x");
        assert_eq!(
            url("sqlite:///var/lib/social/social.db"),
            "sqlite:///var/lib/social/social.db"
        );
        assert_eq!(url("postgres://db/x?user=a@b"), "postgres://db/x?user=a@b");
        assert_eq!(
            url("postgres://db/x?user=a&password=pw"),
            "postgres://db/x?user=a&password=***"
        );
    }
}
