//! `socialctl --help` and `--version` on the real binary.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_socialctl"))
        .args(args)
        .output()
        .expect("run");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn version() {
    let (ok, out) = run(&["--version"]);
    assert!(ok);
    assert_eq!(
        out.trim(),
        format!("socialctl {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_says_verbs_arrive_later() {
    for args in [&["--help"][..], &[]] {
        let (ok, out) = run(args);
        assert!(ok, "{args:?}");
        assert!(out.contains("Usage: socialctl"), "{out}");
        assert!(out.contains("later"), "{out}");
    }
}

#[test]
fn unknown_verbs_are_refused() {
    let (ok, _) = run(&["install"]);
    assert!(!ok, "no verb exists yet");
}
