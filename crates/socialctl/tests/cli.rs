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
fn help_lists_the_verbs() {
    for args in [&["--help"][..], &[]] {
        let (ok, out) = run(args);
        assert!(ok, "{args:?}");
        assert!(out.contains("Usage: socialctl"), "{out}");
        assert!(out.contains("install"), "{out}");
        assert!(out.contains("status"), "{out}");
    }
}

fn run_err(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_socialctl"))
        .args(args)
        .env_remove("SOCIALCTL_SSH_OPTS")
        .output()
        .expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn unknown_verbs_and_missing_arguments_are_refused() {
    let (code, err) = run_err(&["frobnicate"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = run_err(&["install", "--domain", "social.example.org"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--email"), "{err}");
    let (code, err) = run_err(&[
        "install",
        "--local",
        "--host",
        "root@h",
        "--domain",
        "a.example",
        "--email",
        "a@b.c",
    ]);
    assert_eq!(code, Some(2), "--local and --host together: {err}");
}

/// Bad input is refused before anything is contacted: the host below does not exist.
#[test]
fn install_rejects_bad_input_with_a_reason() {
    let cases: &[(&[&str], &str)] = &[
        (&["--domain", "10.0.0.1"], "not a DNS name"),
        (&["--email", "nobody"], "not an e-mail address"),
        (&["--host", "no-user-here"], "expected USER@HOST"),
        (&["--mgmt-source", "10.0.0.0/40"], "bad prefix length"),
        (
            &["--acme-directory", "http://ca.example/dir"],
            "https:// URL",
        ),
        (
            &["--package", "/nonexistent/sociald_1_amd64.deb"],
            "no such file",
        ),
        (
            &["--vars", "/nonexistent/zones.yml"],
            "--vars /nonexistent/zones.yml",
        ),
    ];
    for (override_args, expected) in cases {
        let mut args = vec!["install"];
        let mut base = vec![
            ("--host", "root@host.invalid"),
            ("--domain", "social.example.org"),
            ("--email", "admin@example.org"),
        ];
        for pair in override_args.chunks(2) {
            base.retain(|(flag, _)| *flag != pair[0]);
            base.push((pair[0], pair[1]));
        }
        for (flag, value) in &base {
            args.push(flag);
            args.push(value);
        }
        let (code, err) = run_err(&args);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("cannot reach"), "checked before SSH: {err}");
    }
}

/// `socialctl admin` runs `sociald admin` with the arguments as given (hyphenated ones
/// included) and exits with its status; without a verb it refuses.
#[test]
fn admin_passes_the_verb_to_sociald() {
    let out = Command::new(env!("CARGO_BIN_EXE_socialctl"))
        .args(["admin", "act", "--as", "mod", "--reason", "spam links"])
        .env("SOCIALCTL_SOCIALD", "echo")
        .output()
        .expect("run socialctl");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "admin act --as mod --reason spam links\n"
    );
    let failing = Command::new(env!("CARGO_BIN_EXE_socialctl"))
        .args(["admin", "reports"])
        .env("SOCIALCTL_SOCIALD", "false")
        .output()
        .expect("run socialctl");
    assert_eq!(failing.status.code(), Some(1));
    let (code, err) = run_err(&["admin"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("VERB"), "{err}");
}
