//! `sociald config check|example`, `--version` and `--help`, on the real binary.

mod common;

use common::{TempDir, run, sociald};

fn check(dir: &TempDir, name: &str, text: &str) -> (bool, String, String) {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write config");
    let mut cmd = sociald();
    cmd.args(["config", "check"]).arg(&path);
    let (status, out, err) = run(cmd, "");
    (status.success(), out, err)
}

#[test]
fn a_valid_file_is_ok() {
    let dir = TempDir::new("cfg-ok");
    let (ok, out, err) = check(
        &dir,
        "ok.toml",
        "[server]\nlisten = [\"127.0.0.1:8080\", \"[::1]:8080\"]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1/128\"]\n\
         [instance]\nname = \"Example\"\npost_max_chars = 1000\n[log]\nlevel = \"info,social::auth=debug\"\n",
    );
    assert!(ok, "stderr: {err}");
    assert_eq!(
        out.trim(),
        format!("{}: ok", dir.path().join("ok.toml").display())
    );
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let dir = TempDir::new("cfg-unknown");
    let (ok, _, err) = check(
        &dir,
        "bad.toml",
        "[server]\ndata_dir = \"/tmp\"\nlisen = [\"x\"]\n",
    );
    assert!(!ok);
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("server.lisen"), "{err}");
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn an_unknown_section_is_named() {
    let dir = TempDir::new("cfg-section");
    let (ok, _, err) = check(&dir, "bad.toml", "[servr]\nlisten = []\n");
    assert!(!ok);
    assert!(err.contains("servr"), "{err}");
}

#[test]
fn bad_values_are_named() {
    let dir = TempDir::new("cfg-values");
    for (text, key) in [
        (
            "[server]\ntrusted_proxies = [\"10.0.0.0/99\"]\n",
            "server.trusted_proxies",
        ),
        (
            "[server]\ntrusted_proxies = [\"proxy.example\"]\n",
            "server.trusted_proxies",
        ),
        ("[server]\nlisten = [\"localhost\"]\n", "server.listen"),
        (
            "[instance]\npost_max_chars = 0\n",
            "instance.post_max_chars",
        ),
        (
            "[instance]\npost_max_chars = \"many\"\n",
            "instance.post_max_chars",
        ),
        ("[database]\nurl = \"mysql://x\"\n", "database.url"),
        ("[log]\noutput = \"syslog\"\n", "log.output"),
    ] {
        let (ok, _, err) = check(&dir, "bad.toml", text);
        assert!(!ok, "accepted {text:?}");
        assert!(err.contains(key), "{text:?} -> {err}");
        assert!(err.contains("line "), "{text:?} -> {err}");
    }
}

#[test]
fn a_missing_config_file_is_an_error() {
    let dir = TempDir::new("cfg-missing");
    let mut cmd = sociald();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(dir.path().join("nope.toml"));
    let (status, _, err) = run(cmd, "");
    assert!(!status.success());
    assert!(err.contains("nope.toml"), "{err}");
}

#[test]
fn the_checked_in_example_matches_the_code() {
    let mut cmd = sociald();
    cmd.args(["config", "example"]);
    let (status, generated, err) = run(cmd, "");
    assert!(status.success(), "{err}");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/sociald.example.toml"
    );
    let checked_in = std::fs::read_to_string(path).expect("read the example");
    assert!(
        generated == checked_in,
        "config/sociald.example.toml is stale: regenerate it with\n  \
         cargo run -p sociald -- config example > config/sociald.example.toml"
    );
    // The example itself is a valid configuration.
    let mut cmd = sociald();
    cmd.args(["config", "check", path]);
    let (status, _, err) = run(cmd, "");
    assert!(status.success(), "{err}");
}

#[test]
fn version_and_help() {
    for args in [
        &["--version"][..],
        &["--help"],
        &["serve", "--help"],
        &["admin", "--help"],
    ] {
        let mut cmd = sociald();
        cmd.args(args);
        let (status, out, err) = run(cmd, "");
        assert!(status.success(), "{args:?}: {err}");
        assert!(!out.is_empty());
    }
    let mut cmd = sociald();
    cmd.arg("--version");
    let (_, out, _) = run(cmd, "");
    assert_eq!(out.trim(), format!("sociald {}", env!("CARGO_PKG_VERSION")));
}
